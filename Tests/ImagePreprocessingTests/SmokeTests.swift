import Testing
@testable import ImagePreprocessing

@Test func smoke() {}

import Testing
@testable import VisionTransformer

@Test func visionTransformerModuleLinks() {}

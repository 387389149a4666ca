import Testing
@testable import WeightLoading

@Test func weightLoadingModuleLinks() {}

import Testing
@testable import SwiftViT

@Test func swiftViTModuleLinks() {}

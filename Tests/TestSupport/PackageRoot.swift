import Foundation

/// Where the package's committed fixtures live, found by walking up from this source file to the folder
/// holding `Package.swift`, so tests run the same from any working directory.
public enum PackageRoot {
    /// The package's root folder.
    public static let url: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        fatalError("package root not found above \(#filePath)")
    }()

    /// `<root>/Fixtures`.
    public static let fixtures = url.appendingPathComponent("Fixtures")
}

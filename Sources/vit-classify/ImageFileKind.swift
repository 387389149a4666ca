import ImagePreprocessing
import Foundation
import SwiftViT

/// Decides cheaply whether a file found in a folder is an image to label.
///
/// A file counts when its name claims a format SwiftViT reads (`.jpg`, `.jpeg`, `.jpe`, `.jfif`,
/// `.png`, any case) — such a file gets an error line if its bytes turn out not to be one (a
/// zero-byte `.jpg`, text named `.png`) — or when its first bytes are a JPEG or PNG signature,
/// whatever its name. Everything else (sidecar files, GIFs, videos, …) is skipped.
enum ImageFileKind {
    /// Extensions of the formats the decoder reads, lowercased.
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "jpe", "jfif", "png"]

    /// Whether the name ends in one of ``imageExtensions``.
    static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Whether the regular file at `path` starts with a JPEG or PNG signature (reads 8 bytes).
    static func startsWithImageSignature(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 8)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return ImageFormat(detecting: bytes[..<filled]) != nil
    }
}

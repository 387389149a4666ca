/// A file format the decoder reads, recognised by its leading bytes rather than a file name.
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
    /// JPEG (JFIF, Exif): starts with `FF D8 FF`, as Pillow's JPEG plugin requires.
    case jpeg = "JPEG"
    /// PNG: starts with the eight-byte PNG signature.
    case png = "PNG"

    /// The eight bytes every PNG file starts with.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The format whose signature `bytes` starts with, or `nil` if there is none.
    public init?(detecting bytes: some Collection<UInt8>) {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: Self.pngSignature) {
            self = .png
        } else {
            return nil
        }
    }

    /// The format's name, e.g. `"JPEG"`.
    public var description: String { rawValue }
}

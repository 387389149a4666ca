import Testing
@testable import ImagePreprocessing

/// EXIF orientation: the transposes themselves, and Pillow's rules for reading the tag.
@Suite struct OrientationTests {
    /// A 3×2 image whose pixel (x, y) holds the bytes (x, y, 0).
    let image = RGBImage(width: 3, height: 2, pixels: (0..<2).flatMap { y in (0..<3).flatMap { x in [UInt8(x), UInt8(y), 0] } })

    /// The source coordinates of each output pixel, row by row.
    private func sources(_ result: RGBImage) -> [[Int]] {
        (0..<result.height).map { y in (0..<result.width).flatMap { x in [Int(result[x, y].red), Int(result[x, y].green)] } }
    }

    @Test func transposesMatchPillowDefinitions() {
        #expect(sources(ExifOrientation.topLeft.transposing(image)) == [[0, 0, 1, 0, 2, 0], [0, 1, 1, 1, 2, 1]])
        // FLIP_LEFT_RIGHT
        #expect(sources(ExifOrientation.topRight.transposing(image)) == [[2, 0, 1, 0, 0, 0], [2, 1, 1, 1, 0, 1]])
        // ROTATE_180
        #expect(sources(ExifOrientation.bottomRight.transposing(image)) == [[2, 1, 1, 1, 0, 1], [2, 0, 1, 0, 0, 0]])
        // FLIP_TOP_BOTTOM
        #expect(sources(ExifOrientation.bottomLeft.transposing(image)) == [[0, 1, 1, 1, 2, 1], [0, 0, 1, 0, 2, 0]])
        // TRANSPOSE: (x, y) <- (y, x)
        #expect(sources(ExifOrientation.leftTop.transposing(image)) == [[0, 0, 0, 1], [1, 0, 1, 1], [2, 0, 2, 1]])
        // ROTATE_270 (clockwise): (x, y) <- (y, H-1-x)
        #expect(sources(ExifOrientation.rightTop.transposing(image)) == [[0, 1, 0, 0], [1, 1, 1, 0], [2, 1, 2, 0]])
        // TRANSVERSE: (x, y) <- (W-1-y, H-1-x)
        #expect(sources(ExifOrientation.rightBottom.transposing(image)) == [[2, 1, 2, 0], [1, 1, 1, 0], [0, 1, 0, 0]])
        // ROTATE_90 (counter-clockwise): (x, y) <- (W-1-y, x)
        #expect(sources(ExifOrientation.leftBottom.transposing(image)) == [[2, 0, 2, 1], [1, 0, 1, 1], [0, 0, 0, 1]])
    }

    @Test func tagLookupIsBoundedAndFollowsPillow() {
        func tiff(_ entries: [[UInt8]], count: UInt16? = nil) -> [UInt8] {
            let n = count ?? UInt16(entries.count)
            return Array("Exif".utf8) + [0, 0, 0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, UInt8(n >> 8), UInt8(n & 0xFF)]
                + entries.flatMap { $0 } + [0, 0, 0, 0]
        }
        let short6: [UInt8] = [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]
        #expect(OrientationMetadata.orientationTag(inEXIF: tiff([short6])) == .present(6))
        // A count of 65535 entries with one present: the rest is missing, what was read is kept.
        #expect(OrientationMetadata.orientationTag(inEXIF: tiff([short6], count: 0xFFFF)) == .present(6))
        // Four billion values out of line: skipped without reading or allocating.
        let huge: [UInt8] = [0x01, 0x12, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 8]
        #expect(OrientationMetadata.orientationTag(inEXIF: tiff([huge])) == .absent)
        #expect(OrientationMetadata.orientationTag(inEXIF: Array("Exif".utf8) + [0, 0]) == .absent)
        #expect(OrientationMetadata.orientationTag(inEXIF: [0x4D, 0x4D, 0, 0x2A]) == .invalidHeader)
        #expect(OrientationMetadata.orientation(exactly: 6.0) == .rightTop)
        #expect(OrientationMetadata.orientation(exactly: 6.5) == nil)
        #expect(OrientationMetadata.orientation(exactly: .nan) == nil)
        #expect(OrientationMetadata.xmpOrientationDigit(Array(#"<a tiff:Orientation="7"/>"#.utf8)) == 7)
        #expect(OrientationMetadata.xmpOrientationDigit(Array("<tiff:Orientation>2</tiff:Orientation>".utf8)) == 2)
        #expect(OrientationMetadata.xmpOrientationDigit(Array(#"tiff:Orientation = "7""#.utf8)) == nil)
    }
}

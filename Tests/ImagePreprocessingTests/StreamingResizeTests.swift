import TestSupport
import Foundation
import Testing
@testable import ImagePreprocessing

/// The row-by-row path (decode a file's rows straight into ``StreamingResizer``) against the whole-image one
/// (decode, `exif_transpose`, the backend's whole-image resize, center crop), byte for byte: every EXIF
/// orientation, both backends, every filter each has, up- and downscaling, crops inside and beyond the image.
@Suite struct StreamingResizeTests {
    /// A random configuration: an exact size, a shortest edge (with or without a longest edge), a fitting box,
    /// or no resize; a crop half of the time.
    static func randomConfiguration(using generator: inout SeededRandom, filters: [Int]) throws
        -> ImageProcessingConfiguration {
        var fields: [String] = ["\"resample\": \(filters.randomElement(using: &generator)!)"]
        let side = { (generator: inout SeededRandom) in Int.random(in: 1...48, using: &generator) }
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: fields.append("\"size\": {\"height\": \(side(&generator)), \"width\": \(side(&generator))}")
        case 1: fields.append("\"size\": {\"shortest_edge\": \(side(&generator))}")
        case 2:
            let shortest = side(&generator)
            fields.append("\"size\": {\"shortest_edge\": \(shortest), \"longest_edge\": \(shortest + side(&generator))}")
        case 3: fields.append("\"size\": {\"max_height\": \(side(&generator)), \"max_width\": \(side(&generator))}")
        default: fields.append("\"do_resize\": false")
        }
        if Bool.random(using: &generator) {
            fields.append("\"do_center_crop\": true, \"crop_size\": {\"height\": \(side(&generator)), \"width\": \(side(&generator))}")
        }
        return try ImageProcessingConfiguration(jsonData: Data("{\(fields.joined(separator: ", "))}".utf8))
    }

    static func randomImage(width: Int, height: Int, using generator: inout SeededRandom) -> RGBImage {
        // Smooth gradients plus noise, so that resampling has structure to get wrong.
        let phase = Int.random(in: 0..<256, using: &generator)
        let pixels = (0..<(width * height * 3)).map { index -> UInt8 in
            let pixel = index / 3, x = pixel % width, y = pixel / width
            let smooth = (x * 37 + y * 11 + (index % 3) * 85 + phase) & 0xFF
            return UInt8(truncatingIfNeeded: smooth + Int.random(in: -12...12, using: &generator))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Checks one image under one processor and orientation, through a PNG with an `eXIf` chunk.
    static func expectStreamingMatches(_ image: RGBImage, orientation: ExifOrientation, processor: ImageProcessor,
                                       interlaced: Bool, using generator: inout SeededRandom,
                                       _ label: String) throws {
        let png = TestPNG.rgb(image, interlaced: interlaced, orientation: orientation.rawValue, using: &generator)
        let encoded = try ImageDecoder().open(Data(png.file))
        #expect(encoded.orientation == orientation)
        let streamed = try processor.resizedAndCropped(encoded)
        let whole = processor.wholeImageResizedAndCropped(orientation.transposing(image))
        #expect(streamed == whole, "\(label): \(streamed.width)×\(streamed.height) vs \(whole.width)×\(whole.height)")
        #expect(try processor.process(encoded) == processor.process(prepared: whole), "\(label): float output")
    }

    @Test(arguments: ProcessorBackend.allCases)
    func randomImagesOrientationsAndConfigurations(backend: ProcessorBackend) throws {
        var generator = SeededRandom(seed: backend == .pillow ? 1 : 2)
        let filters = backend == .pillow ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3]
        for trial in 0..<500 {
            let configuration = try Self.randomConfiguration(using: &generator, filters: filters)
            let processor = try ImageProcessor(configuration: configuration, backend: backend)
            let (width, height) = (Int.random(in: 1...40, using: &generator), Int.random(in: 1...40, using: &generator))
            let image = Self.randomImage(width: width, height: height, using: &generator)
            let orientation = ExifOrientation(rawValue: trial % 8 + 1)!
            try Self.expectStreamingMatches(image, orientation: orientation, processor: processor,
                                            interlaced: trial % 3 == 0, using: &generator,
                                            "trial \(trial), \(width)×\(height), \(orientation), \(configuration)")
        }
    }

    /// Pillow 13 resizes vertically first when the height shrinks by more than twice what the width does; a
    /// transposing orientation turns that pass into one across the stored rows.
    @Test(arguments: ExifOrientation.allCases)
    func pillowVerticalFirstInEveryOrientation(orientation: ExifOrientation) throws {
        var generator = SeededRandom(seed: UInt64(orientation.rawValue) + 10)
        for filter in [1, 2, 3, 4, 5] {
            let json = #"{"size": {"height": 7, "width": 9}, "resample": \#(filter)}"#
            let processor = ImageProcessor(configuration: try ImageProcessingConfiguration(jsonData: Data(json.utf8)))
            // Upright 11 × 60 → 9 × 7: the height shrinks by 53, more than twice the width's 2.
            let (width, height) = orientation.swapsDimensions ? (60, 11) : (11, 60)
            let image = Self.randomImage(width: width, height: height, using: &generator)
            let upright = orientation.transposing(image)
            #expect(upright.height - 7 > 2 * (upright.width - 9))
            try Self.expectStreamingMatches(image, orientation: orientation, processor: processor, interlaced: false,
                                            using: &generator, "filter \(filter)")
        }
    }

    /// DeiT's shortest edge 256 then a 224 crop, and ViT's 224 × 224, on a larger image in every orientation.
    @Test(arguments: ExifOrientation.allCases)
    func standardConfigurationsInEveryOrientation(orientation: ExifOrientation) throws {
        var generator = SeededRandom(seed: UInt64(orientation.rawValue) + 20)
        let image = Self.randomImage(width: 301, height: 263, using: &generator)
        let deit = try ImageProcessingConfiguration(contentsOf: Fixtures.url("configs/deit-shortest-256-crop-224.json"))
        for backend in ProcessorBackend.allCases {
            for configuration in [deit, .vitBasePatch16_224] {
                let processor = try ImageProcessor(configuration: configuration, backend: backend)
                try Self.expectStreamingMatches(image, orientation: orientation, processor: processor,
                                                interlaced: true, using: &generator, "\(backend)")
            }
        }
    }

    /// The EXIF-rotated JPEG fixtures (all eight orientations) and the photos, through every fixture
    /// configuration and both backends: streaming equals decoding the whole image first.
    @Test func jpegFixturesStreamLikeWholeImages() throws {
        let files = (1...8).map { "crafted/orientation-\($0).jpg" }
            + ["photos/chelsea.jpg", "crafted/jpeg-progressive.jpg", "crafted/jpeg-cmyk-adobe.jpg",
               "crafted/jpeg-ycck.jpg", "crafted/jpeg-strip-1000x40.jpg", "crafted/jpeg-gray.jpg",
               "crafted/png-exif-orientation-6.png", "crafted/png-raw-profile-orientation-8.png"]
        for (name, entry) in Fixtures.index.configs {
            let configuration = try ImageProcessingConfiguration(contentsOf: Fixtures.url(entry.file))
            for backend in ProcessorBackend.allCases {
                guard let processor = try? ImageProcessor(configuration: configuration, backend: backend) else { continue }
                for file in files {
                    let encoded = try ImageDecoder().open(contentsOf: Fixtures.url(file))
                    let streamed = try processor.resizedAndCropped(encoded)
                    let whole = processor.wholeImageResizedAndCropped(try encoded.decoded())
                    #expect(streamed == whole, "\(file) under \(name), \(backend)")
                }
            }
        }
    }
}

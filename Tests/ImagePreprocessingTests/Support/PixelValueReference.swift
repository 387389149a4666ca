import Foundation
import Testing
@testable import ImagePreprocessing

/// Checks one processed reference (either backend's) against `processor`: every value where a full copy is
/// stored, the sampled grid (rows and columns 0, 16, 32, …) otherwise, and the CRC-32 of all the bytes.
func expectPixelValues(_ reference: ReferenceIndex.Processed, processor: ImageProcessor,
                       configuration: ReferenceIndex.Configuration) throws {
    let images = Fixtures.index.decoded.reduce(into: [String: String]()) { $0[$1.name] = $1.file }
    let file = try #require(images[reference.image])
    let image = try ImageDecoder().decode(contentsOf: Fixtures.url(file))
    let (channels, height, width) = (reference.shape[0], reference.shape[1], reference.shape[2])
    let size = processor.outputSize(forImageWidth: image.width, height: image.height)
    try #require(size.width == width && size.height == height && channels == 3,
                 "\(reference): output \(size), transformers \(reference.shape)")
    let values = processor.process(image)
    let tables = configuration.tables.map { $0.map(Float.init(bitPattern:)) }

    if let indices = reference.indices {
        let planes = try Fixtures.array(indices, rows: 3 * height, rowLength: width, channels: 1)
        var expected = [Float](repeating: 0, count: planes.count)
        for channel in 0..<3 {
            for offset in (channel * height * width)..<((channel + 1) * height * width) {
                expected[offset] = tables[channel][Int(planes[offset])]
            }
        }
        let difference = Difference(values, expected)
        #expect(difference.isZero, "\(reference): \(difference)")
    }
    let gridHeight = (height + 15) / 16, gridWidth = (width + 15) / 16
    let grid = try Fixtures.array(reference.grid, rows: 3 * gridHeight, rowLength: gridWidth, channels: 1)
    var sampled: [Float] = [], expectedSamples: [Float] = []
    for channel in 0..<3 {
        for row in 0..<gridHeight {
            for column in 0..<gridWidth {
                sampled.append(values[(channel * height + row * 16) * width + column * 16])
                expectedSamples.append(tables[channel][Int(grid[(channel * gridHeight + row) * gridWidth + column])])
            }
        }
    }
    let sampledDifference = Difference(sampled, expectedSamples)
    #expect(sampledDifference.isZero, "\(reference), sampled grid: \(sampledDifference)")
    // A CRC-32 over all the bytes detects any single changed value with certainty.
    #expect(crc32(of: values) == reference.crc32,
            "\(reference): CRC-32 of the Float32 output differs (sampled grid: \(sampledDifference))")
}

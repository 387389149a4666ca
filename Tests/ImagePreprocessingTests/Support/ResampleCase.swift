import Testing
@testable import ImagePreprocessing

/// A resize reference's output size and filter (Pillow's or torchvision's).
protocol ResampleOutput: Sendable {
    var filter: Int { get }
    var width: Int { get }
    var height: Int { get }
}

extension ReferenceIndex.ResampleInput.Output: ResampleOutput {}
extension ReferenceIndex.ResampleInput.TorchvisionOutput: ResampleOutput {}

/// One synthetic input and one of its resize references, as a test argument.
struct ResampleCase<Output: ResampleOutput>: Sendable, CustomTestStringConvertible {
    let input: ReferenceIndex.ResampleInput
    let output: Output
    var testDescription: String {
        "\(input.name) → \(output.width)×\(output.height) \(ResamplingFilter(rawValue: output.filter)!)"
    }

    /// The input as an image.
    func inputImage() throws -> RGBImage {
        RGBImage(width: input.width, height: input.height,
                 pixels: try Fixtures.array(input.pixels, rows: input.height, rowLength: input.width, channels: 3))
    }
}

/// How a stored image's rows, arriving one by one, become the processor's 8-bit output (resized, center
/// cropped) with exactly the arithmetic of the backend's whole-image resize of the upright image.
///
/// Everything is decided in upright coordinates, as the backend sees the image after `exif_transpose`:
/// the weights of each upright axis, the order of the passes, and which outputs the crop keeps. The stored
/// rows are then one upright axis (the *stream* axis: rows, or columns for the orientations that transpose),
/// possibly in reverse order, and each row runs along the other (the *along* axis), possibly reversed too.
/// Reversing a row is a copy; a reversed stream only changes the order in which outputs complete. The weights
/// are never mirrored: resizing is not symmetric under flips in the last bit.
struct ResizePlan: Sendable {
    /// The stored image: pixels per row (along) and rows (stream).
    let rowLength: Int, rowCount: Int
    /// Whether stored rows are upright columns.
    let transposed: Bool
    /// Whether stored row `r` is stream index `rowCount − 1 − r`.
    let streamReversed: Bool
    /// Whether stored column `c` is along index `rowLength − 1 − c`.
    let alongReversed: Bool
    /// The weights across the rows (stream axis) and along them; `nil` where the size does not change.
    let across: AxisWeights?, along: AxisWeights?
    /// Whether the pass along the rows runs first (its 8-bit result then feeds the pass across them).
    let alongFirst: Bool
    /// The resized indices the crop keeps, on each axis.
    let acrossOutputs: Range<Int>, alongOutputs: Range<Int>
    /// The output (crop) size, and where resized index `i` lands in it: `i + shift`.
    let outputWidth: Int, outputHeight: Int
    let acrossShift: Int, alongShift: Int
    /// Whether the crop overhangs the resized image, leaving black borders.
    let overhangs: Bool

    /// The plan for a stored `width × height` image with `orientation` under `processor`.
    init(processor: ImageProcessor, storedWidth width: Int, storedHeight height: Int, orientation: ExifOrientation) {
        transposed = orientation.swapsDimensions
        (streamReversed, alongReversed) = switch orientation {
        case .topLeft, .leftTop: (false, false)
        case .topRight: (false, true)
        case .bottomRight, .rightBottom: (true, true)
        case .bottomLeft, .rightTop: (true, false)
        case .leftBottom: (false, true)
        }
        (rowLength, rowCount) = (width, height)
        let (uprightWidth, uprightHeight) = transposed ? (height, width) : (width, height)
        let resized: (width: Int, height: Int) = processor.configuration.doResize
            ? processor.resizedSize(forImageWidth: uprightWidth, height: uprightHeight) : (uprightWidth, uprightHeight)
        let (resizedWidth, resizedHeight) = resized  // at least 1 × 1 (see resizedSize)
        let weights = Self.weights(processor, from: (uprightWidth, uprightHeight), to: (resizedWidth, resizedHeight))
        (across, along) = transposed ? (weights.x, weights.y) : (weights.y, weights.x)
        alongFirst = weights.horizontalFirst != transposed

        let crop = processor.configuration.doCenterCrop ? processor.configuration.cropSize : nil
        let columns = Self.placement(size: resizedWidth, crop: crop?.width, processor.backend)
        let rows = Self.placement(size: resizedHeight, crop: crop?.height, processor.backend)
        (outputWidth, outputHeight) = (crop?.width ?? resizedWidth, crop?.height ?? resizedHeight)
        overhangs = outputWidth > resizedWidth || outputHeight > resizedHeight
        let (acrossPlacement, alongPlacement) = transposed ? (columns, rows) : (rows, columns)
        (acrossOutputs, acrossShift) = acrossPlacement
        (alongOutputs, alongShift) = alongPlacement
    }

    /// Each upright axis's weights, and whether the horizontal pass runs first.
    private static func weights(_ processor: ImageProcessor, from input: (width: Int, height: Int),
                                to output: (width: Int, height: Int))
        -> (x: AxisWeights?, y: AxisWeights?, horizontalFirst: Bool) {
        // Both backends return the image itself when the size does not change.
        guard input != output else { return (nil, nil, true) }
        let filter = ResamplingFilter(rawValue: processor.configuration.resample)!
        let make = processor.backend == .pillow ? AxisWeights.pillow : AxisWeights.torchvision
        let x = input.width == output.width ? nil : make(input.width, output.width, filter)
        let y = input.height == output.height ? nil : make(input.height, output.height, filter)
        return (x, y, horizontalFirst(processor, from: input, to: output))
    }

    /// Pillow 13's measured order (see ``PillowResampler``): vertical first when both passes run and the
    /// height shrinks by more than twice what the width does. PyTorch always goes horizontal first. Nearest
    /// neighbour has no intermediate rounding, so its order does not matter.
    private static func horizontalFirst(_ processor: ImageProcessor, from input: (width: Int, height: Int),
                                        to output: (width: Int, height: Int)) -> Bool {
        let filter = ResamplingFilter(rawValue: processor.configuration.resample)!
        let verticalFirst = processor.backend == .pillow && filter != .nearest && input.width != output.width
            && output.height < input.height && input.height - output.height > 2 * (input.width - output.width)
        return !verticalFirst
    }

    /// transformers' `center_crop` on one axis (see ``ImageProcessor/centerCrop(_:to:backend:into:)``): the
    /// resized indices kept and the shift that takes them to output indices.
    private static func placement(size: Int, crop: Int?, _ backend: ProcessorBackend)
        -> (kept: Range<Int>, shift: Int) {
        guard let crop else { return (0..<size, 0) }
        if crop <= size {
            let start = (size - crop) / 2
            return (start..<(start + crop), -start)
        }
        return (0..<size, backend.overhangOffset(imageSize: size, cropSize: crop))
    }

    /// An upper bound on the bytes a ``StreamingResizer`` for a stored `width × height` image with
    /// `orientation` allocates (its weights, row buffers, sums and output), computed from the sizes alone, so
    /// it can be checked before anything is built.
    static func estimatedBytes(processor: ImageProcessor, storedWidth width: Int, storedHeight height: Int,
                               orientation: ExifOrientation) -> Int {
        let transposed = orientation.swapsDimensions
        let upright: (width: Int, height: Int) = transposed ? (height, width) : (width, height)
        let resized: (width: Int, height: Int) = processor.configuration.doResize
            ? processor.resizedSize(forImageWidth: upright.width, height: upright.height) : upright
        let (resizedWidth, resizedHeight) = resized  // at least 1 × 1 (see resizedSize)
        let crop = processor.configuration.doCenterCrop ? processor.configuration.cropSize : nil
        let (outputWidth, outputHeight) = (crop?.width ?? resizedWidth, crop?.height ?? resizedHeight)
        let filter = ResamplingFilter(rawValue: processor.configuration.resample)!
        let (acrossInput, acrossOutput) = transposed ? (upright.width, resizedWidth) : (upright.height, resizedHeight)
        let alongOutput = min(transposed ? resizedHeight : resizedWidth, transposed ? outputHeight : outputWidth)
        let alongFirst = horizontalFirst(processor, from: upright, to: (resizedWidth, resizedHeight)) != transposed
        let window = windowBound(input: acrossInput, output: acrossOutput, filter: filter, summingInputs: !alongFirst)
        // Along first keeps `window` resized rows of bytes; across first `window` full rows of 32-bit sums.
        let rows = alongFirst ? window * 3 * alongOutput : window * 12 * width
        var (product, overflow) = outputWidth.multipliedReportingOverflow(by: outputHeight)
        (product, overflow) = overflow ? (.max, true) : product.multipliedReportingOverflow(by: 3)
        guard !overflow else { return .max }
        return product + rows + 19 * width + 3 * 12 * max(width, alongOutput) + 4096
            + weightBytes(input: upright.width, output: resizedWidth, filter: filter)
            + weightBytes(input: upright.height, output: resizedHeight, filter: filter)
    }

    /// On one axis, the most taps one output reads (for a ring of resized rows), or the most outputs whose
    /// windows one input falls in (for open sums, `summingInputs`).
    private static func windowBound(input: Int, output: Int, filter: ResamplingFilter, summingInputs: Bool) -> Int {
        guard input != output else { return 1 }
        let scale = Double(input) / Double(output)
        let support = (filter.support ?? 0.5) * max(scale, 1)
        let bound = summingInputs ? (2 * support / scale).rounded(.up) + 2 : support.rounded(.up) * 2 + 1
        return Int(min(bound, Double(summingInputs ? output : input)))
    }

    /// The bytes the weights for resizing `input` to `output` pixels take while they are built (PyTorch's
    /// build keeps doubles as well).
    private static func weightBytes(input: Int, output: Int, filter: ResamplingFilter) -> Int {
        guard input != output else { return 0 }
        let support = (filter.support ?? 0.5) * max(Double(input) / Double(output), 1)
        let stride = Int(support.rounded(.up)) * 2 + 1
        return output * (stride * 12 + 16)
    }
}

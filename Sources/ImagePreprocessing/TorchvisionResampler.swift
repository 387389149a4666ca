/// Resizes 8-bit RGB images with the integer arithmetic of PyTorch's `uint8` antialiased interpolation
/// (`torch.nn.functional.interpolate(…, antialias=True)` as torchvision's `resize` calls it on CPU, torch
/// 2.15), so that every output byte equals what transformers' torchvision backend gets.
///
/// Like Pillow, PyTorch resamples in two separable passes with an 8-bit image in between and skips a pass
/// whose dimension does not change; unlike Pillow 13 it always runs the horizontal pass first. Each output
/// value is `clip((2^(p−1) + Σ source · weight) >> p, 0, 255)` in 32-bit integers with the `int16` weights
/// and per-axis precision `p` of ``TorchvisionResamplingCoefficients``. Integer sums do not depend on the
/// order of the taps, so this equals PyTorch's AVX2 kernels (used on AVX2 and AVX-512 machines) and its
/// portable ones.
///
/// **Row by row.** Because the horizontal pass comes first, an input row can be resized horizontally the
/// moment it arrives, and output row `i` is complete as soon as input row `starts[i] + counts[i] − 1` has
/// arrived (both bounds are nondecreasing in `i`). So the resampler consumes input rows in order through
/// ``append(row:emit:)`` and keeps only a ring of the last ``TorchvisionResamplingCoefficients/maximumCount``
/// horizontally resized rows — a few kilobytes, however tall the image: a decoder that produces rows
/// (libjpeg's scanlines, libpng's rows) can feed it directly without ever holding the whole image.
/// ``resize(_:width:height:filter:)`` is this same path fed from a decoded image.
struct TorchvisionResampler: ~Copyable {
    let inputWidth: Int, inputHeight: Int, outputWidth: Int, outputHeight: Int
    /// `nil` when the width does not change (no horizontal pass).
    private let horizontal: TorchvisionResamplingCoefficients?
    /// `nil` when the height does not change (no vertical pass).
    private let vertical: TorchvisionResamplingCoefficients?
    /// The last rows after the horizontal pass, row `r` in slot `r % ringCapacity`.
    private let ring: UnsafeMutablePointer<UInt8>
    private let ringCapacity: Int
    /// One sum per byte of an output row, and the finished row.
    private let sums: UnsafeMutablePointer<Int32>
    private let finished: UnsafeMutablePointer<UInt8>
    /// Input rows received so far; output rows emitted so far (the next one's index).
    private(set) var rowsReceived = 0
    private(set) var rowsEmitted = 0

    /// A resampler from `inputWidth × inputHeight` to `outputWidth × outputHeight` with `filter` (nearest,
    /// bilinear, bicubic or Lanczos: the filters PyTorch has).
    init(inputWidth: Int, inputHeight: Int, outputWidth: Int, outputHeight: Int, filter: ResamplingFilter) {
        precondition([.nearest, .bilinear, .bicubic, .lanczos].contains(filter), "torch has no \(filter) filter")
        (self.inputWidth, self.inputHeight, self.outputWidth, self.outputHeight)
            = (inputWidth, inputHeight, outputWidth, outputHeight)
        horizontal = outputWidth == inputWidth ? nil
            : TorchvisionResamplingCoefficients(inputSize: inputWidth, outputSize: outputWidth, filter: filter)
        vertical = outputHeight == inputHeight ? nil
            : TorchvisionResamplingCoefficients(inputSize: inputHeight, outputSize: outputHeight, filter: filter)
        ringCapacity = max(vertical?.maximumCount ?? 1, 1)
        ring = .allocate(capacity: ringCapacity * outputWidth * 3)
        sums = .allocate(capacity: outputWidth * 3)
        finished = .allocate(capacity: outputWidth * 3)
    }

    deinit {
        ring.deallocate()
        sums.deallocate()
        finished.deallocate()
    }

    /// Whether every output row has been emitted.
    var isComplete: Bool { rowsEmitted == outputHeight }

    /// Takes the next input row (`inputWidth × 3` bytes, RGB interleaved) and calls `emit` with the index and
    /// bytes (`outputWidth × 3`) of every output row it completes, in order. The bytes are valid only
    /// during the call.
    ///
    /// - Precondition: fewer than `inputHeight` rows were appended before.
    mutating func append(row: UnsafePointer<UInt8>,
                         emit: (_ outputRow: Int, _ pixels: UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        precondition(rowsReceived < inputHeight, "more rows than the image has")
        let rowLength = outputWidth * 3
        let destination = ring + (rowsReceived % ringCapacity) * rowLength
        if let horizontal {
            Self.horizontalPass(row, into: destination, coefficients: horizontal)
        } else {
            destination.update(from: row, count: rowLength)
        }
        rowsReceived += 1
        guard let vertical else {
            try emit(rowsEmitted, UnsafeBufferPointer(start: destination, count: rowLength))
            rowsEmitted += 1
            return
        }
        while rowsEmitted < outputHeight, vertical.starts[rowsEmitted] + vertical.counts[rowsEmitted] <= rowsReceived {
            verticalPass(outputRow: rowsEmitted, coefficients: vertical)
            try emit(rowsEmitted, UnsafeBufferPointer(start: finished, count: rowLength))
            rowsEmitted += 1
        }
    }

    /// `image` resized to `width × height`; the same image when the size does not change (as torchvision
    /// returns its input then).
    static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResamplingFilter) -> RGBImage {
        if width == image.width && height == image.height { return image }
        var resampler = TorchvisionResampler(inputWidth: image.width, inputHeight: image.height,
                                             outputWidth: width, outputHeight: height, filter: filter)
        return RGBImage(width: width, height: height) { (output: UnsafeMutableBufferPointer<UInt8>) in
            image.pixels.withUnsafeBufferPointer { input in
                for row in 0..<image.height {
                    resampler.append(row: input.baseAddress! + row * image.width * 3) { index, pixels in
                        (output.baseAddress! + index * width * 3).initialize(from: pixels.baseAddress!,
                                                                            count: pixels.count)
                    }
                }
            }
            precondition(resampler.isComplete, "the resampler emitted \(resampler.rowsEmitted) of \(height) rows")
        }
    }

    /// One row along x: three channel sums per output pixel, in lanes 0–2 of a vector.
    private static func horizontalPass(_ source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>,
                                       coefficients: TorchvisionResamplingCoefficients) {
        let rounding = SIMD4<Int32>(repeating: 1 << (coefficients.precision - 1))
        coefficients.weights.withUnsafeBufferPointer { weights in
            for column in coefficients.starts.indices {
                var sum = rounding
                var pixel = source + coefficients.starts[column] * 3
                let taps = weights.baseAddress! + column * coefficients.stride
                for tap in 0..<coefficients.counts[column] {
                    sum &+= SIMD4(Int32(pixel[0]), Int32(pixel[1]), Int32(pixel[2]), 0) &* taps[tap]
                    pixel += 3
                }
                let shifted = sum &>> SIMD4(repeating: coefficients.precision)
                output[column * 3] = clip(shifted[0])
                output[column * 3 + 1] = clip(shifted[1])
                output[column * 3 + 2] = clip(shifted[2])
            }
        }
    }

    /// Output row `outputRow` along y, from the ring into `finished`.
    private func verticalPass(outputRow: Int, coefficients: TorchvisionResamplingCoefficients) {
        let rowLength = outputWidth * 3
        sums.update(repeating: 1 << (coefficients.precision - 1), count: rowLength)
        coefficients.weights.withUnsafeBufferPointer { weights in
            let first = coefficients.starts[outputRow]
            for tap in 0..<coefficients.counts[outputRow] {
                let weight = weights[outputRow * coefficients.stride + tap]
                let source = ring + ((first + tap) % ringCapacity) * rowLength
                // One accumulator per byte of the row: contiguous loops the compiler vectorises.
                for index in 0..<rowLength { sums[index] &+= Int32(source[index]) &* weight }
            }
        }
        let precision = coefficients.precision
        for index in 0..<rowLength { finished[index] = Self.clip(sums[index] &>> precision) }
    }

    /// `_mm256_packs_epi32` then `_mm256_packus_epi16`: any Int32 saturated to 0…255.
    private static func clip(_ value: Int32) -> UInt8 {
        UInt8(clamping: value)
    }
}

/// Resizes 8-bit RGB images with the arithmetic of Pillow 13's `Image.resize` (without `reducing_gap`, which
/// transformers never passes), so that every output byte is identical.
///
/// For the convolution filters this is Pillow's `ImagingResample`: two separable passes with an 8-bit image in
/// between, a pass skipped when its dimension does not change. Because the intermediate is rounded to 8 bits,
/// the order of the passes changes the result. Pillow 13 runs the horizontal pass first (over just the source
/// rows the vertical pass reads), except when the height shrinks by more than twice what the width shrinks,
/// `inputHeight − outputHeight > 2 · (inputWidth − outputWidth)`, when the vertical pass runs first. That rule
/// is measured, not read: Pillow 13's C source is not at hand, and its wheel's results match it on every one
/// of 650 random size pairs (all filters, up and down) and on all fixtures, and contradict the
/// horizontal-first order of older releases. Each output value is `clip((2²¹ + Σ source · weight) >> 22)` in 32-bit integers with the
/// weights of ``ResamplingCoefficients``. Nearest neighbour is Pillow's affine scaling, whose source
/// coordinates are accumulated in double precision exactly as Pillow accumulates them.
enum PillowResampler {
    /// `image` resized to `width × height` with `filter`.
    static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResamplingFilter) -> RGBImage {
        if width == image.width && height == image.height { return image }
        return RGBImage(width: width, height: height) { (output: UnsafeMutableBufferPointer<UInt8>) in
            image.pixels.withUnsafeBufferPointer { input in
                resize(input.baseAddress!, width: image.width, height: image.height, into: output.baseAddress!,
                       width: width, height: height, filter: filter)
            }
        }
    }

    /// Resizes the `inputWidth × inputHeight` RGB pixels at `input` into the `outputWidth × outputHeight`
    /// buffer at `output`.
    static func resize(_ input: UnsafePointer<UInt8>, width inputWidth: Int, height inputHeight: Int,
                       into output: UnsafeMutablePointer<UInt8>, width outputWidth: Int, height outputHeight: Int,
                       filter: ResamplingFilter) {
        if inputWidth == outputWidth && inputHeight == outputHeight {
            output.update(from: input, count: inputWidth * inputHeight * 3)
            return
        }
        if filter == .nearest {
            nearest(input, width: inputWidth, height: inputHeight, into: output, width: outputWidth,
                    height: outputHeight)
            return
        }
        let vertical = ResamplingCoefficients(inputSize: inputHeight, outputSize: outputHeight, filter: filter)
        guard outputWidth != inputWidth else {
            verticalPass(input, width: inputWidth, into: output, height: outputHeight, coefficients: vertical,
                         rowOffset: 0)
            return
        }
        let horizontal = ResamplingCoefficients(inputSize: inputWidth, outputSize: outputWidth, filter: filter)
        guard outputHeight != inputHeight else {
            horizontalPass(input, width: inputWidth, rows: 0..<inputHeight, into: output, coefficients: horizontal)
            return
        }
        if outputHeight < inputHeight && inputHeight - outputHeight > 2 * (inputWidth - outputWidth) {
            let intermediate = UnsafeMutablePointer<UInt8>.allocate(capacity: inputWidth * outputHeight * 3)
            defer { intermediate.deallocate() }
            verticalPass(input, width: inputWidth, into: intermediate, height: outputHeight, coefficients: vertical,
                         rowOffset: 0)
            horizontalPass(UnsafePointer(intermediate), width: inputWidth, rows: 0..<outputHeight, into: output,
                           coefficients: horizontal)
            return
        }
        // Only the source rows some output row reads need the horizontal pass.
        let firstRow = vertical.starts[0]
        let lastRow = vertical.starts[outputHeight - 1] + vertical.counts[outputHeight - 1]
        let intermediate = UnsafeMutablePointer<UInt8>.allocate(capacity: outputWidth * (lastRow - firstRow) * 3)
        defer { intermediate.deallocate() }
        horizontalPass(input, width: inputWidth, rows: firstRow..<lastRow, into: intermediate, coefficients: horizontal)
        verticalPass(UnsafePointer(intermediate), width: outputWidth, into: output, height: outputHeight,
                     coefficients: vertical, rowOffset: firstRow)
    }

    /// Pillow's `clip8`: the accumulator's integer part, clamped to a byte.
    @inline(__always)
    private static func clip(_ accumulator: Int32) -> UInt8 {
        let value = accumulator >> ResamplingCoefficients.precisionBits
        return value < 0 ? 0 : value > 255 ? 255 : UInt8(truncatingIfNeeded: value)
    }

    private static let rounding: Int32 = 1 << (ResamplingCoefficients.precisionBits - 1)

    /// Resamples each of `rows` along x into consecutive rows of `output`.
    private static func horizontalPass(_ input: UnsafePointer<UInt8>, width inputWidth: Int, rows: Range<Int>,
                                       into output: UnsafeMutablePointer<UInt8>,
                                       coefficients: ResamplingCoefficients) {
        let outputWidth = coefficients.starts.count
        let stride = coefficients.stride
        coefficients.weights.withUnsafeBufferPointer { weightBuffer in
            coefficients.starts.withUnsafeBufferPointer { starts in
                coefficients.counts.withUnsafeBufferPointer { counts in
                    let weights = weightBuffer.baseAddress!
                    let rowLength = inputWidth * 3, outputRowLength = outputWidth * 3
                    var row = rows.lowerBound
                    // Two rows at a time share each weight: eight lanes (RGB_ of both rows) per multiply-add.
                    while row + 1 < rows.upperBound {
                        let first = input + row * rowLength
                        let out = output + (row - rows.lowerBound) * outputRowLength
                        for column in 0..<outputWidth {
                            let taps = weights + column * stride
                            var pixel = first + starts[column] * 3
                            var sum = SIMD8<Int32>(repeating: rounding)
                            for tap in 0..<counts[column] {
                                let next = pixel + rowLength
                                let value = SIMD8<Int32>(Int32(pixel[0]), Int32(pixel[1]), Int32(pixel[2]), 0,
                                                         Int32(next[0]), Int32(next[1]), Int32(next[2]), 0)
                                // Wrapping arithmetic mirrors C's int; the design keeps it from overflowing.
                                sum &+= value &* taps[tap]
                                pixel += 3
                            }
                            let a = out + column * 3, b = a + outputRowLength
                            a[0] = clip(sum[0])
                            a[1] = clip(sum[1])
                            a[2] = clip(sum[2])
                            b[0] = clip(sum[4])
                            b[1] = clip(sum[5])
                            b[2] = clip(sum[6])
                        }
                        row += 2
                    }
                    if row < rows.upperBound {
                        let source = input + row * rowLength
                        let out = output + (row - rows.lowerBound) * outputRowLength
                        for column in 0..<outputWidth {
                            let taps = weights + column * stride
                            var pixel = source + starts[column] * 3
                            var sum = SIMD4<Int32>(repeating: rounding)
                            for tap in 0..<counts[column] {
                                let value = SIMD4<Int32>(Int32(pixel[0]), Int32(pixel[1]), Int32(pixel[2]), 0)
                                sum &+= value &* taps[tap]
                                pixel += 3
                            }
                            out[column * 3] = clip(sum[0])
                            out[column * 3 + 1] = clip(sum[1])
                            out[column * 3 + 2] = clip(sum[2])
                        }
                    }
                }
            }
        }
    }

    /// Resamples along y; output row `i` reads input rows `starts[i] − rowOffset` onwards.
    private static func verticalPass(_ input: UnsafePointer<UInt8>, width: Int,
                                     into output: UnsafeMutablePointer<UInt8>, height outputHeight: Int,
                                     coefficients: ResamplingCoefficients, rowOffset: Int) {
        let rowLength = width * 3
        let stride = coefficients.stride
        // One accumulator per byte of the row lets the inner loops run over contiguous memory and vectorise;
        // integer sums do not depend on the order of the taps.
        let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: rowLength)
        defer { accumulators.deallocate() }
        coefficients.weights.withUnsafeBufferPointer { weightBuffer in
            let weights = weightBuffer.baseAddress!
            for outputRow in 0..<outputHeight {
                accumulators.update(repeating: rounding, count: rowLength)
                let first = coefficients.starts[outputRow] - rowOffset
                let taps = weights + outputRow * stride
                for tap in 0..<coefficients.counts[outputRow] {
                    let weight = taps[tap]
                    let source = input + (first + tap) * rowLength
                    for index in 0..<rowLength {
                        accumulators[index] &+= Int32(source[index]) &* weight
                    }
                }
                let destination = output + outputRow * rowLength
                for index in 0..<rowLength {
                    destination[index] = clip(accumulators[index])
                }
            }
        }
    }

    /// Pillow's `ImagingScaleAffine`: source column `⌊(x + ½) · sx⌋`, with the position accumulated by
    /// repeated addition as Pillow does (the rounding of the sum is part of the result).
    private static func nearest(_ input: UnsafePointer<UInt8>, width inputWidth: Int, height inputHeight: Int,
                                into output: UnsafeMutablePointer<UInt8>, width outputWidth: Int,
                                height outputHeight: Int) {
        let xScale = Double(Float(inputWidth)) / Double(outputWidth)
        let yScale = Double(Float(inputHeight)) / Double(outputHeight)
        var columns = [Int](repeating: -1, count: outputWidth)
        var position = xScale * 0.5
        for column in 0..<outputWidth {
            let source = position < 0 ? -1 : Int(position)
            if source >= 0 && source < inputWidth { columns[column] = source }
            position += xScale
        }
        var rowPosition = yScale * 0.5
        for row in 0..<outputHeight {
            let sourceRow = rowPosition < 0 ? -1 : Int(rowPosition)
            let destination = output + row * outputWidth * 3
            if sourceRow >= 0 && sourceRow < inputHeight {
                let source = input + sourceRow * inputWidth * 3
                for column in 0..<outputWidth {
                    let sourceColumn = columns[column]
                    if sourceColumn >= 0 {
                        destination[column * 3] = source[sourceColumn * 3]
                        destination[column * 3 + 1] = source[sourceColumn * 3 + 1]
                        destination[column * 3 + 2] = source[sourceColumn * 3 + 2]
                    } else {
                        destination[column * 3] = 0
                        destination[column * 3 + 1] = 0
                        destination[column * 3 + 2] = 0
                    }
                }
            } else {
                destination.update(repeating: 0, count: outputWidth * 3)
            }
            rowPosition += yScale
        }
    }
}

/// The resizer's inner loops: the pass along a row, rounding sums to bytes, and placing finished lines.
extension StreamingResizer {
    /// The pass along one row of `plan.rowLength` pixels, for the kept along outputs, into `destination`.
    func alongPass(_ row: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>) {
        let outputs = plan.alongOutputs
        guard let along = plan.along else {
            destination.update(from: row + 3 * outputs.lowerBound, count: 3 * outputs.count)
            return
        }
        let rounding = SIMD4<Int32>(repeating: along.rounding)
        let shift = SIMD4<Int32>(repeating: along.precision)
        // Each pixel widened once to four 32-bit lanes, so that a tap is one load and one multiply-add.
        let pixels = widened
        for index in 0..<plan.rowLength {
            pixels[index] = SIMD4(Int32(row[3 * index]), Int32(row[3 * index + 1]), Int32(row[3 * index + 2]), 0)
        }
        along.weights.withUnsafeBufferPointer { weights in
            along.starts.withUnsafeBufferPointer { starts in
                along.counts.withUnsafeBufferPointer { counts in
                    var out = destination
                    for column in outputs {
                        var sum = rounding
                        let pixel = pixels + starts[column]
                        let taps = weights.baseAddress! + column * along.stride
                        for tap in 0..<counts[column] {
                            // Wrapping arithmetic mirrors C's int; the weights keep it from overflowing.
                            sum &+= pixel[tap] &* taps[tap]
                        }
                        let shifted = sum &>> shift
                        out[0] = UInt8(clamping: shifted[0])
                        out[1] = UInt8(clamping: shifted[1])
                        out[2] = UInt8(clamping: shifted[2])
                        out += 3
                    }
                }
            }
        }
    }

    /// `clip(sum >> precision)` for `count` sums.
    static func clip(_ sums: UnsafePointer<Int32>, count: Int, precision: Int32,
                     into bytes: UnsafeMutablePointer<UInt8>) {
        for index in 0..<count { bytes[index] = UInt8(clamping: sums[index] &>> precision) }
    }

    /// Runs the along pass on a finished line of `plan.rowLength` pixels and places it as output line `k`.
    func write(line k: Int, alongPassOf pixels: UnsafePointer<UInt8>) {
        let scratch = alongScratch
        alongPass(pixels, into: scratch)
        writeLine(k, UnsafePointer(scratch))
    }

    /// Places output line `k` (resized index across the rows; `alongOutputs.count` pixels) in the output: a
    /// row of it, or a column for transposing orientations.
    func writeLine(_ k: Int, _ pixels: UnsafePointer<UInt8>) {
        let count = plan.alongOutputs.count
        let across = k + plan.acrossShift
        let along = plan.alongOutputs.lowerBound + plan.alongShift
        if !plan.transposed {
            (output + 3 * (across * plan.outputWidth + along)).update(from: pixels, count: 3 * count)
            return
        }
        var destination = output + 3 * (along * plan.outputWidth + across)
        let step = 3 * plan.outputWidth
        for index in 0..<count {
            destination[0] = pixels[3 * index]
            destination[1] = pixels[3 * index + 1]
            destination[2] = pixels[3 * index + 2]
            destination += step
        }
    }
}

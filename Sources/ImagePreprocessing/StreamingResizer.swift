/// Resizes and center-crops an image whose stored rows arrive one at a time, following a ``ResizePlan``, into
/// the processor's 8-bit output, with the arithmetic of the backend's whole-image resize of the upright image.
///
/// The two separable passes are the backend's, with its 8-bit rounding in between, in its order:
///
/// - **Along first** (the common case: no rotation, horizontal pass first). Each row is resized along itself
///   as it arrives into a ring of the last few such rows; an output row is summed across the ring as soon as
///   its last input row has arrived.
/// - **Across first** (Pillow's vertical-first rule, or a transposing orientation whose first pass runs
///   across the stored rows). Each row is added, with its weight, into the 32-bit sums of every output line
///   whose window contains it; a line whose window is complete is rounded to 8 bits and resized along.
///   Integer sums do not depend on the order of their terms, so this equals summing a whole column at once.
///
/// Memory is the output plus a few rows (or, across first, a few rows of sums): independent of the image's
/// height. Outputs outside the crop are never computed.
final class StreamingResizer: ImageRowConsumer {
    let plan: ResizePlan
    /// The output, `outputWidth × outputHeight` RGB.
    let output: UnsafeMutablePointer<UInt8>
    private var received = 0

    /// The arrived row, reversed when the plan says so.
    private let reversed: UnsafeMutablePointer<UInt8>
    /// Along first: the last `ringCapacity` rows after the along pass, stream index `u` in slot `u % capacity`.
    /// Across first: `ringCapacity` rows of sums, output line `k` in slot `k % capacity`.
    private let ring: UnsafeMutableRawPointer
    private let ringCapacity: Int
    /// One finished line of sums and of bytes, `max(rowLength, alongOutputs.count)` pixels.
    private let sums: UnsafeMutablePointer<Int32>
    private let line: UnsafeMutablePointer<UInt8>
    /// Where ``write(line:alongPassOf:)`` puts a line after the along pass.
    let alongScratch: UnsafeMutablePointer<UInt8>
    /// The row the along pass reads, one four-lane vector per pixel.
    let widened: UnsafeMutablePointer<SIMD4<Int32>>
    /// The next output line to complete: increasing for a forward stream, decreasing for a reversed one.
    private var nextLine: Int
    /// Across first: the first (forward) or last (reversed) line not yet opened.
    private var nextOpen: Int

    init(plan: ResizePlan) {
        self.plan = plan
        let outputBytes = 3 * plan.outputWidth * plan.outputHeight
        output = .allocate(capacity: outputBytes)
        if plan.overhangs { output.initialize(repeating: 0, count: outputBytes) }
        reversed = .allocate(capacity: plan.alongReversed ? 3 * plan.rowLength : 0)
        let width = max(plan.rowLength, plan.alongOutputs.count)
        sums = .allocate(capacity: 3 * width)
        line = .allocate(capacity: 3 * width)
        alongScratch = .allocate(capacity: 3 * width)
        widened = .allocate(capacity: plan.along == nil ? 0 : plan.rowLength)
        if let across = plan.across {
            ringCapacity = max(plan.alongFirst ? across.maximumCount(in: plan.acrossOutputs)
                                               : across.maximumOverlap(in: plan.acrossOutputs), 1)
            let slotBytes = plan.alongFirst ? 3 * plan.alongOutputs.count : 12 * plan.rowLength
            ring = .allocate(byteCount: ringCapacity * slotBytes, alignment: 16)
        } else {
            ringCapacity = 0
            ring = .allocate(byteCount: 0, alignment: 16)
        }
        nextLine = plan.streamReversed ? plan.acrossOutputs.upperBound - 1 : plan.acrossOutputs.lowerBound
        nextOpen = nextLine
    }

    deinit {
        output.deallocate()
        reversed.deallocate()
        sums.deallocate()
        line.deallocate()
        alongScratch.deallocate()
        widened.deallocate()
        ring.deallocate()
    }

    /// The bytes this resizer allocated (its weights excepted), which ``ResizePlan/estimatedBytes(processor:storedWidth:storedHeight:orientation:)``
    /// bounds.
    var allocatedBytes: Int {
        let width = max(plan.rowLength, plan.alongOutputs.count)
        let slotBytes = plan.alongFirst ? 3 * plan.alongOutputs.count : 12 * plan.rowLength
        return 3 * plan.outputWidth * plan.outputHeight + (plan.alongReversed ? 3 * plan.rowLength : 0)
            + 12 * width + 3 * width + 3 * width + ringCapacity * slotBytes + (plan.along == nil ? 0 : 16 * plan.rowLength)
    }

    /// Whether every output line has been written.
    var isComplete: Bool { received == plan.rowCount }

    func consume(_ stored: UnsafePointer<UInt8>) {
        precondition(received < plan.rowCount, "more rows than the image has")
        let index = plan.streamReversed ? plan.rowCount - 1 - received : received
        received += 1
        var row = stored
        if plan.alongReversed {
            for pixel in 0..<plan.rowLength {
                (reversed + 3 * (plan.rowLength - 1 - pixel)).update(from: stored + 3 * pixel, count: 3)
            }
            row = UnsafePointer(reversed)
        }
        guard let across = plan.across else {
            if plan.acrossOutputs.contains(index) { write(line: index, alongPassOf: row) }
            return
        }
        if plan.alongFirst {
            receiveAlongFirst(row, index: index, across: across)
        } else {
            receiveAcrossFirst(row, index: index, across: across)
        }
    }

    /// The 8-bit output, once every row has arrived.
    func image() -> RGBImage {
        precondition(isComplete, "the resizer received \(received) of \(plan.rowCount) rows")
        let count = 3 * plan.outputWidth * plan.outputHeight
        return RGBImage(width: plan.outputWidth, height: plan.outputHeight) { (pixels: UnsafeMutableBufferPointer<UInt8>) in
            pixels.baseAddress!.update(from: output, count: count)
        }
    }

    // MARK: - Along first

    private func receiveAlongFirst(_ row: UnsafePointer<UInt8>, index: Int, across: AxisWeights) {
        let outputs = plan.acrossOutputs
        // Only the rows some kept output reads need the along pass (as Pillow skips them too).
        if index >= across.starts[outputs.lowerBound] && index < across.end(outputs.upperBound - 1) {
            let slot = ring.assumingMemoryBound(to: UInt8.self) + (index % ringCapacity) * 3 * plan.alongOutputs.count
            alongPass(row, into: slot)
        }
        while outputs.contains(nextLine) {
            let k = nextLine
            let ready = across.counts[k] == 0
                || (plan.streamReversed ? across.starts[k] >= index : across.end(k) <= index + 1)
            guard ready else { break }
            sumAcrossRing(line: k, across: across)
            writeLine(k, UnsafePointer(line))
            nextLine += plan.streamReversed ? -1 : 1
        }
    }

    /// Output line `k` from the ring rows its window reads, into ``line``.
    private func sumAcrossRing(line k: Int, across: AxisWeights) {
        let count = 3 * plan.alongOutputs.count
        sums.update(repeating: across.rounding, count: count)
        let rows = ring.assumingMemoryBound(to: UInt8.self)
        across.weights.withUnsafeBufferPointer { weights in
            for tap in 0..<across.counts[k] {
                let weight = weights[k * across.stride + tap]
                let source = rows + ((across.starts[k] + tap) % ringCapacity) * count
                for index in 0..<count { sums[index] &+= Int32(source[index]) &* weight }
            }
        }
        Self.clip(sums, count: count, precision: across.precision, into: line)
    }

    // MARK: - Across first

    private func receiveAcrossFirst(_ row: UnsafePointer<UInt8>, index: Int, across: AxisWeights) {
        let outputs = plan.acrossOutputs
        let count = 3 * plan.rowLength
        let slots = ring.assumingMemoryBound(to: Int32.self)
        // Open every line whose window starts (forward) or ends (reversed) at this row.
        while outputs.contains(nextOpen),
              plan.streamReversed ? across.end(nextOpen) - 1 >= index : across.starts[nextOpen] <= index {
            if across.counts[nextOpen] > 0 {
                (slots + (nextOpen % ringCapacity) * count).update(repeating: across.rounding, count: count)
            }
            nextOpen += plan.streamReversed ? -1 : 1
        }
        across.weights.withUnsafeBufferPointer { weights in
            var k = nextLine
            while outputs.contains(k) && (plan.streamReversed ? k > nextOpen : k < nextOpen) {
                let tap = index - across.starts[k]
                if tap >= 0 && tap < across.counts[k] {
                    let weight = weights[k * across.stride + tap]
                    let sum = slots + (k % ringCapacity) * count
                    for byte in 0..<count { sum[byte] &+= Int32(row[byte]) &* weight }
                }
                k += plan.streamReversed ? -1 : 1
            }
        }
        // Close the lines whose windows are now complete, in order; a line with no taps is black.
        while outputs.contains(nextLine) {
            let k = nextLine
            if across.counts[k] > 0 {
                guard plan.streamReversed ? across.starts[k] >= index : across.end(k) <= index + 1 else { break }
                Self.clip(slots + (k % ringCapacity) * count, count: count, precision: across.precision, into: line)
                write(line: k, alongPassOf: UnsafePointer(line))
            } else {
                line.update(repeating: 0, count: 3 * plan.alongOutputs.count)
                writeLine(k, UnsafePointer(line))
                if nextOpen == k { nextOpen += plan.streamReversed ? -1 : 1 }
            }
            nextLine += plan.streamReversed ? -1 : 1
        }
    }
}

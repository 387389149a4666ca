/// PNG's five row filters (ISO 15948 §9), undone in place.
enum PNGUnfilter {
    /// Undoes the filter `type` on `row` (`count` bytes, without the filter byte), given the previous
    /// unfiltered row of the same pass (all zeros for a pass's first row) and the filter unit: bytes per
    /// complete pixel, at least 1.
    ///
    /// - Returns: `false` for a filter type other than 0–4 (libpng: "bad adaptive filter value").
    static func unfilter(type: UInt8, row: UnsafeMutablePointer<UInt8>, previous: UnsafePointer<UInt8>, count: Int,
                         unit: Int) -> Bool {
        switch type {
        case 0:
            return true
        case 1:
            var index = unit
            while index < count {
                row[index] &+= row[index - unit]
                index += 1
            }
        case 2:
            for index in 0..<count { row[index] &+= previous[index] }
        case 3:
            for index in 0..<min(unit, count) { row[index] &+= previous[index] >> 1 }
            var index = unit
            while index < count {
                row[index] &+= UInt8((UInt16(row[index - unit]) + UInt16(previous[index])) >> 1)
                index += 1
            }
        case 4:
            paeth(row, previous, count: count, unit: unit)
        default:
            return false
        }
        return true
    }

    /// The Paeth filter: each byte predicted by whichever of left (a), above (b) and upper-left (c) is closest
    /// to `a + b − c`, ties going to a, then b.
    private static func paeth(_ row: UnsafeMutablePointer<UInt8>, _ previous: UnsafePointer<UInt8>, count: Int,
                              unit: Int) {
        // With no left neighbour a = c = 0, and the predictor is b.
        for index in 0..<min(unit, count) { row[index] &+= previous[index] }
        var index = unit
        while index < count {
            let a = Int16(row[index - unit]), b = Int16(previous[index]), c = Int16(previous[index - unit])
            let distanceA = abs(b - c), distanceB = abs(a - c), distanceC = abs(a + b - 2 * c)
            let predictor = distanceA <= distanceB && distanceA <= distanceC ? a : distanceB <= distanceC ? b : c
            row[index] &+= UInt8(truncatingIfNeeded: predictor)
            index += 1
        }
    }
}

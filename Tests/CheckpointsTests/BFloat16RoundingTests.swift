import Testing
@testable import Checkpoints

/// `DType.bfloat16Bits(roundingToNearestEven:)`, the rounding the model's bfloat16 weight precision uses.
@Suite struct BFloat16RoundingTests {
    private func bits(_ value: Float) -> UInt16 { DType.bfloat16Bits(roundingToNearestEven: value) }

    @Test func everyBFloat16ValueRoundTrips() {
        for bfloat16 in 0...UInt16.max {
            let value = DType.float(fromBFloat16Bits: bfloat16)
            if value.isNaN {
                let rounded = DType.float(fromBFloat16Bits: bits(value))
                #expect(rounded.isNaN && rounded.sign == value.sign, "0x\(String(bfloat16, radix: 16))")
            } else {
                #expect(bits(value) == bfloat16, "0x\(String(bfloat16, radix: 16))")
            }
        }
    }

    @Test func halfwayCasesGoToTheEvenNeighbour() {
        #expect(bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)   // 1 + 2⁻⁸: between 0x3F80 (even) and 0x3F81
        #expect(bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)   // between 0x3F81 and 0x3F82 (even)
        #expect(bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)   // just above halfway
        #expect(bits(Float(bitPattern: 0x3F81_7FFF)) == 0x3F81)   // just below halfway
        #expect(bits(Float(bitPattern: 0xBF80_8000)) == 0xBF80)   // the sign does not matter
    }

    @Test func specialValues() {
        #expect(bits(0) == 0x0000 && bits(-0.0) == 0x8000)
        #expect(bits(.infinity) == 0x7F80 && bits(-.infinity) == 0xFF80)
        #expect(bits(.greatestFiniteMagnitude) == 0x7F80)          // beyond the largest bfloat16 (0x7F7F)
        #expect(bits(-.greatestFiniteMagnitude) == 0xFF80)
        #expect(bits(Float(bitPattern: 0x0000_8000)) == 0x0000)   // subnormal halfway to even zero
        #expect(bits(Float(bitPattern: 0x0001_8000)) == 0x0002)
        // A signalling NaN whose payload lies only in the dropped half must not become infinity.
        #expect(bits(Float(bitPattern: 0x7F80_0001)) == 0x7FC0)
        #expect(bits(Float(bitPattern: 0xFF80_0001)) == 0xFFC0)
    }

    /// Against the definition: of the two bfloat16 values around a finite float, the nearer one (exact
    /// distances in Double), the even one on a tie.
    @Test func matchesNearestOnPseudoRandomFloats() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            guard value.isFinite else { continue }
            let below = UInt16(truncatingIfNeeded: value.bitPattern >> 16)   // toward zero
            let above = below &+ 1                                           // away from zero
            let distanceBelow = abs(Double(value) - Double(DType.float(fromBFloat16Bits: below)))
            // Past the largest bfloat16, infinity stands where 2¹²⁸ would be (IEEE 754's overflow rule).
            let aboveValue = DType.float(fromBFloat16Bits: above)
            let aboveMagnitude = aboveValue.isFinite ? abs(Double(aboveValue)) : 0x1p128
            let distanceAbove = aboveMagnitude - abs(Double(value))
            let expected: UInt16
            if distanceBelow != distanceAbove {
                expected = distanceBelow < distanceAbove ? below : above
            } else {
                expected = below & 1 == 0 ? below : above
            }
            #expect(bits(value) == expected, "\(value.bitPattern)")
        }
    }
}

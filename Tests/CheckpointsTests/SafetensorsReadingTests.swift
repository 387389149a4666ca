import Foundation
import Testing
import Tensors
@testable import Checkpoints
import TestSupport

/// Reading real `save_pretrained` output, dtype conversions, zero-copy and unaligned data.
@Suite struct SafetensorsReadingTests {
    static let safetensorsDTypeNames = ["float32": "F32", "float16": "F16", "bfloat16": "BF16"]

    @Test(arguments: ["f32", "f16", "bf16"])
    func savePretrainedFolderLoadsUnchanged(variant: String) throws {
        let expected = try #require(WeightFixtures.expected.variants[variant])
        let checkpoint = try Checkpoint.open(directory: WeightFixtures.tinyViT(variant))
        #expect(checkpoint.files.count == 1)
        #expect(checkpoint.metadata == ["format": "pt"])
        #expect(Set(checkpoint.tensorNames) == Set(expected.tensors.keys))
        for (name, info) in expected.tensors {
            #expect(checkpoint.shape(of: name) == info.shape, "\(name)")
            #expect(checkpoint.info(of: name)?.dtype.rawValue == Self.safetensorsDTypeNames[info.dtype], "\(name)")
            let tensor = try checkpoint.tensor(named: name)
            #expect(tensor.shape == info.shape)
            if let hex = info.values_hex, let sum = info.sum {
                // Bit-exact: F16 and BF16 convert exactly, as torch's .float() does.
                #expect(Array(tensor.scalars.prefix(hex.count)).map(\.bitPattern) == hex, "\(name)")
                let total = tensor.scalars.reduce(0.0) { $0 + Double($1) }
                #expect(abs(total - sum) <= 1e-9 * max(1, abs(sum)), "\(name)")
            }
        }
        #expect(checkpoint.openDuration < .seconds(1))
    }

    @Test func f32TensorsAreZeroCopyAndF16AreConverted() throws {
        let f32 = try SafetensorsFile(contentsOf: WeightFixtures.tinyViT("f32").appendingPathComponent("model.safetensors"))
        let name = "classifier.weight"
        #expect(f32.isZeroCopy(name))
        let tensor = try f32.tensor(named: name)
        #expect(!tensor.storage.isOwned)
        let again = try f32.tensor(named: name)
        #expect(tensor.pointer == again.pointer, "both views point into the same mapping")

        let f16 = try SafetensorsFile(contentsOf: WeightFixtures.tinyViT("f16").appendingPathComponent("model.safetensors"))
        #expect(!f16.isZeroCopy(name))
        #expect(try f16.tensor(named: name).storage.isOwned)
    }

    @Test func zeroCopyTensorKeepsTheMappingAlive() throws {
        let tensor: Tensor
        do {
            let file = try SafetensorsFile(contentsOf: WeightFixtures.tinyViT("f32").appendingPathComponent("model.safetensors"))
            tensor = try file.tensor(named: "classifier.bias")
        }
        // The file object is gone; the storage still owns the mapping.
        let expected = try #require(WeightFixtures.expected.variants["f32"]?.tensors["classifier.bias"]?.values_hex)
        #expect(tensor.scalars.map(\.bitPattern) == expected)
    }

    @Test func unalignedF32DataIsCopiedSafely() throws {
        let directory = TemporaryDirectory()
        // A 1-byte-longer header puts the data at an odd offset (the reference writer pads to 8).
        var header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#
        if (8 + header.utf8.count) % 2 == 0 { header += " " }
        #expect((8 + header.utf8.count) % 4 != 0)
        let values: [Float] = [1.25, -0.0, .infinity]
        let url = directory.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32(values)), to: "u.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        #expect(!file.isZeroCopy("w"))
        let tensor = try file.tensor(named: "w")
        #expect(tensor.storage.isOwned)
        #expect(tensor.scalars.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func unalignedHalfAndDoubleData() throws {
        let directory = TemporaryDirectory()
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}"#
        let data = SafetensorsBytes.u16([0x3C00, 0xC000]) + SafetensorsBytes.f64([0.1])
        let url = directory.write(SafetensorsBytes.file(header: header + "  ", data: data), to: "u.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try file.tensor(named: "h").scalars == [1, -2])
        #expect(try file.tensor(named: "d").scalars == [Float(0.1)])
    }

    #if arch(x86_64) || arch(arm64)
    /// Every one of the 65 536 half-precision values converts exactly as `Float16` → `Float` does
    /// (the hardware/compiler-rt conversion), including ±0, subnormals, ±infinity and NaNs.
    @Test func float16ConversionIsExactForEveryValue() {
        for bits in 0...UInt16.max {
            let ours = DType.float(fromFloat16Bits: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                #expect(ours.isNaN && ours.sign == reference.sign, "0x\(String(bits, radix: 16))")
                // The payload is kept, shifted into the top of the Float32 mantissa.
                #expect((ours.bitPattern >> 13) & 0x1FF == UInt32(bits) & 0x1FF)
            } else {
                #expect(ours.bitPattern == reference.bitPattern, "0x\(String(bits, radix: 16))")
            }
        }
    }
    #endif

    @Test func float16SpecialValues() {
        #expect(DType.float(fromFloat16Bits: 0x0000).bitPattern == Float(0).bitPattern)
        #expect(DType.float(fromFloat16Bits: 0x8000).bitPattern == Float(-0.0).bitPattern)
        #expect(DType.float(fromFloat16Bits: 0x0001) == 0x1p-24)          // smallest subnormal
        #expect(DType.float(fromFloat16Bits: 0x03FF) == 0x1.ff8p-15)      // largest subnormal
        #expect(DType.float(fromFloat16Bits: 0x0400) == 0x1p-14)          // smallest normal
        #expect(DType.float(fromFloat16Bits: 0x7BFF) == 65504)            // largest finite
        #expect(DType.float(fromFloat16Bits: 0x7C00) == .infinity)
        #expect(DType.float(fromFloat16Bits: 0xFC00) == -.infinity)
        #expect(DType.float(fromFloat16Bits: 0x7E00).isNaN)
        #expect(DType.float(fromFloat16Bits: 0x3555) == 0x1.554p-2)       // ≈ 1/3
    }

    @Test func bfloat16IsTheUpperHalfOfFloat32() {
        for bits: UInt16 in [0x0000, 0x8000, 0x3F80, 0xC000, 0x0001, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0x3EAB] {
            #expect(DType.float(fromBFloat16Bits: bits).bitPattern == UInt32(bits) << 16)
        }
        #expect(DType.float(fromBFloat16Bits: 0x3F80) == 1)
        #expect(DType.float(fromBFloat16Bits: 0x0001) == 0x1p-133)   // subnormal
        #expect(DType.float(fromBFloat16Bits: 0x7FC0).isNaN)
    }

    @Test func float64RoundsToNearestEven() throws {
        let values: [Double] = [
            0.1,                        // inexact: nearest float
            1 + 0x1p-24,                // exactly halfway between 1 and nextUp(1): ties to even → 1
            1 + 3 * 0x1p-24,            // halfway, rounds up to the even neighbour
            1 + 0x1p-24 + 0x1p-40,      // just above halfway → up
            1e39, -1e39,                // overflow → ±infinity
            0x1p-149, 0x1p-150, 0x1.8p-150, // smallest subnormal; halfway to 0 → 0; above → smallest
            .nan, -0.0, .infinity,
        ]
        let expected: [Float] = [
            0x1.99999ap-4, 1, 1 + 0x1p-22, 1 + 0x1p-23, .infinity, -.infinity,
            0x1p-149, 0, 0x1p-149, .nan, -0.0, .infinity,
        ]
        let directory = TemporaryDirectory()
        let header = #"{"d":{"dtype":"F64","shape":[\#(values.count)],"data_offsets":[0,\#(values.count * 8)]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let url = directory.write(SafetensorsBytes.file(header: padded, data: SafetensorsBytes.f64(values)), to: "d.safetensors")
        let result = try SafetensorsFile(contentsOf: url).tensor(named: "d").scalars
        for (ours, reference) in zip(result, expected) {
            if reference.isNaN { #expect(ours.isNaN) } else { #expect(ours.bitPattern == reference.bitPattern) }
        }
        // And it agrees with Swift's own conversion for every value.
        #expect(zip(result, values).allSatisfy { $0.bitPattern == Float($1).bitPattern || $0.isNaN })
    }

    @Test func f16AndBF16FixturesMatchTheF32OriginalWithinTheirPrecision() throws {
        let original = try Checkpoint.open(directory: WeightFixtures.tinyViT("f32"))
        for (variant, relativeError) in [("f16", Float(0x1p-11)), ("bf16", Float(0x1p-8))] {
            let converted = try Checkpoint.open(directory: WeightFixtures.tinyViT(variant))
            for name in original.tensorNames {
                let a = try original.tensor(named: name).scalars
                let b = try converted.tensor(named: name).scalars
                #expect(a.count == b.count)
                // F16 flushes tiny values to subnormals, whose absolute error is at most 2^-25.
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= relativeError * abs($0) + 0x1p-24 }, "\(variant) \(name)")
            }
        }
    }
}

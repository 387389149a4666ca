import Foundation
import Testing
@testable import Checkpoints
import TestSupport

/// One malformed file per validation rule of the reference implementation, each asserting the
/// exact typed error.
@Suite struct SafetensorsValidationTests {
    let directory = TemporaryDirectory()

    private func open(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsFile {
        try SafetensorsFile(contentsOf: directory.write(bytes, to: "model.safetensors"))
    }

    private var path: String { directory.file("model.safetensors").path }

    private func entry(_ dtype: String = "F32", _ shape: String = "[2]", _ offsets: String = "[0, 8]") -> String {
        #"{"dtype": "\#(dtype)", "shape": \#(shape), "data_offsets": \#(offsets)}"#
    }

    @Test func fileShorterThanTheLengthField() {
        expectError(SafetensorsError.headerTooSmall(file: path, fileSize: 5)) { _ = try open([1, 2, 3, 4, 5]) }
        expectError(SafetensorsError.headerTooSmall(file: path, fileSize: 0)) { _ = try open([]) }
    }

    @Test func headerLongerThan100MB() {
        let bytes = SafetensorsBytes.file(header: "{}", declaredLength: 100_000_001)
        expectError(SafetensorsError.headerTooLarge(file: path, headerLength: 100_000_001)) { _ = try open(bytes) }
        let huge = SafetensorsBytes.file(header: "{}", declaredLength: .max)
        expectError(SafetensorsError.headerTooLarge(file: path, headerLength: .max)) { _ = try open(huge) }
    }

    @Test func headerLengthPastTheEndOfTheFile() {
        let bytes = SafetensorsBytes.file(header: "{}", declaredLength: 100)
        expectError(SafetensorsError.headerLengthExceedsFile(file: path, headerLength: 100, fileSize: 10)) {
            _ = try open(bytes)
        }
    }

    @Test func headerNotUTF8() {
        let bytes = SafetensorsBytes.file(headerBytes: Array(#"{"a\#u{00}": "#.utf8) + [0xFF, 0xFE] + Array("}".utf8))
        expectError(SafetensorsError.headerNotUTF8(file: path)) { _ = try open(bytes) }
    }

    @Test func headerNotJSON() throws {
        #expect(throws: SafetensorsError.self) { try open(SafetensorsBytes.file(header: "{not json}")) }
        expectError(SafetensorsError.invalidHeaderJSON(file: path, reason: "the header is an array, not an object")) {
            _ = try open(SafetensorsBytes.file(header: "[]"))
        }
        // Trailing garbage after the object.
        do {
            _ = try open(SafetensorsBytes.file(header: "{} x"))
            Issue.record("trailing characters accepted")
        } catch {
            guard case .invalidHeaderJSON(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == path)
            #expect(reason.contains("unexpected characters after the JSON value"))
        }
    }

    @Test func deeplyNestedHeaderIsAnErrorNotAStackOverflow() {
        for depth in [129, 200_000] {
            let header = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            do {
                _ = try open(SafetensorsBytes.file(header: header))
                Issue.record("nesting \(depth) accepted")
            } catch {
                guard case .invalidHeaderJSON(_, let reason) = error else { Issue.record("\(error)"); continue }
                #expect(reason.contains("nesting deeper than 128"))
            }
        }
    }

    @Test func duplicateTensorNames() {
        // JSONSerialization (like many parsers) would silently keep the second entry.
        let header = #"{"w": \#(entry()), "w": \#(entry("F32", "[2]", "[8, 16]"))}"#
        expectError(SafetensorsError.duplicateTensorName(file: path, tensor: "w")) {
            _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 16)))
        }
    }

    @Test func metadataMustBeAStringMap() {
        let numberValue = #"{"__metadata__": {"format": "pt", "step": 3}}"#
        expectError(SafetensorsError.invalidMetadata(file: path, reason: "value of \"step\" is an integer, not a string")) {
            _ = try open(SafetensorsBytes.file(header: numberValue))
        }
        expectError(SafetensorsError.invalidMetadata(file: path, reason: "is a string, not an object of strings")) {
            _ = try open(SafetensorsBytes.file(header: #"{"__metadata__": "pt"}"#))
        }
    }

    @Test func tensorEntriesNeedDTypeShapeAndOffsets() {
        let cases: [(String, String)] = [
            (#"{"w": 3}"#, "entry is an integer, not an object"),
            (#"{"w": {"shape": [2], "data_offsets": [0, 8]}}"#, "missing \"dtype\""),
            (#"{"w": {"dtype": 32, "shape": [2], "data_offsets": [0, 8]}}"#, "\"dtype\" is an integer, not a string"),
            (#"{"w": {"dtype": "F32", "data_offsets": [0, 8]}}"#, "missing \"shape\""),
            (#"{"w": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}}"#, "\"shape\" is an integer, not an array"),
            (#"{"w": \#(entry("F32", "[-2]"))}"#, "\"shape\" must hold non-negative integers, found -2"),
            (#"{"w": \#(entry("F32", "[2.0]"))}"#, "\"shape\" must hold non-negative integers, found 2.0"),
            (#"{"w": {"dtype": "F32", "shape": [2]}}"#, "missing \"data_offsets\""),
            (#"{"w": \#(entry("F32", "[2]", "[0, 4, 8]"))}"#, "\"data_offsets\" must be [begin, end]"),
            (#"{"w": \#(entry("F32", "[2]", "[0, 18446744073709551616]"))}"#,
             "\"data_offsets\" must hold non-negative integers, found 18446744073709551616"),
        ]
        for (header, reason) in cases {
            expectError(SafetensorsError.invalidTensorEntry(file: path, tensor: "w", reason: reason)) {
                _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 8)))
            }
        }
    }

    @Test func unknownDType() {
        expectError(SafetensorsError.unknownDType(file: path, tensor: "w", dtype: "F17")) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F17"))}"#, data: .init(repeating: 0, count: 8)))
        }
    }

    @Test func offsetsEndingBeforeTheyBegin() {
        expectError(SafetensorsError.invalidOffsets(file: path, tensor: "w", begin: 8, end: 0, problem: .endBeforeBegin)) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F32", "[2]", "[8, 0]"))}"#,
                                               data: .init(repeating: 0, count: 8)))
        }
    }

    @Test func gapBetweenTensors() {
        let header = #"{"a": \#(entry("F32", "[2]", "[0, 8]")), "b": \#(entry("F32", "[2]", "[12, 20]"))}"#
        expectError(SafetensorsError.invalidOffsets(file: path, tensor: "b", begin: 12, end: 20, problem: .gap(expectedBegin: 8))) {
            _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 20)))
        }
        // A gap before the first tensor.
        expectError(SafetensorsError.invalidOffsets(file: path, tensor: "a", begin: 4, end: 12, problem: .gap(expectedBegin: 0))) {
            _ = try open(SafetensorsBytes.file(header: #"{"a": \#(entry("F32", "[2]", "[4, 12]"))}"#,
                                               data: .init(repeating: 0, count: 12)))
        }
    }

    @Test func overlappingTensors() {
        let header = #"{"a": \#(entry("F32", "[2]", "[0, 8]")), "b": \#(entry("F32", "[2]", "[4, 12]"))}"#
        expectError(SafetensorsError.invalidOffsets(file: path, tensor: "b", begin: 4, end: 12,
                                                    problem: .overlap(expectedBegin: 8))) {
            _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 12)))
        }
    }

    @Test func elementCountOverflow() {
        let huge: UInt64 = 1 << 62
        expectError(SafetensorsError.sizeOverflow(file: path, tensor: "w", shape: [huge, huge])) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F32", "[\(huge), \(huge)]", "[0, 8]"))}"#,
                                               data: .init(repeating: 0, count: 8)))
        }
        // Elements fit, bits do not.
        expectError(SafetensorsError.sizeOverflow(file: path, tensor: "w", shape: [huge])) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F64", "[\(huge)]", "[0, 8]"))}"#,
                                               data: .init(repeating: 0, count: 8)))
        }
    }

    @Test func packedTensorNotFillingWholeBytes() {
        expectError(SafetensorsError.misalignedPackedTensor(file: path, tensor: "w", dtype: .f4, shape: [3])) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F4", "[3]", "[0, 2]"))}"#,
                                               data: .init(repeating: 0, count: 2)))
        }
    }

    @Test func byteRangeNotMatchingShapeAndDType() {
        expectError(SafetensorsError.byteCountMismatch(file: path, tensor: "w", dtype: .f32, shape: [3], expected: 12, actual: 8)) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F32", "[3]", "[0, 8]"))}"#,
                                               data: .init(repeating: 0, count: 8)))
        }
        expectError(SafetensorsError.byteCountMismatch(file: path, tensor: "w", dtype: .f32, shape: [2], expected: 8,
                                                       actual: .max)) {
            _ = try open(SafetensorsBytes.file(header: #"{"w": \#(entry("F32", "[2]", "[0, 18446744073709551615]"))}"#,
                                               data: .init(repeating: 0, count: 8)))
        }
    }

    @Test func dataSectionNotCoveredExactly() {
        let header = #"{"w": \#(entry())}"#
        expectError(SafetensorsError.dataSizeMismatch(file: path, covered: 8, dataSize: 9)) {
            _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 9)))
        }
        expectError(SafetensorsError.dataSizeMismatch(file: path, covered: 8, dataSize: 4)) {
            _ = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 4)))
        }
        expectError(SafetensorsError.dataSizeMismatch(file: path, covered: 0, dataSize: 3)) {
            _ = try open(SafetensorsBytes.file(header: "{}", data: [1, 2, 3]))
        }
    }

    @Test func notARegularFileOrMissing() {
        let missing = directory.file("absent.safetensors")
        #expect(throws: SafetensorsError.cannotOpen(file: missing.path, reason: "No such file or directory")) {
            try SafetensorsFile(contentsOf: missing)
        }
        #expect(throws: SafetensorsError.cannotOpen(file: directory.url.path, reason: "not a regular file")) {
            try SafetensorsFile(contentsOf: directory.url)
        }
    }

    @Test func validLayoutsAreAccepted() throws {
        // Header entries in any order, padding spaces, extra unknown fields, a zero-size tensor, a
        // scalar, metadata: all valid for the reference implementation.
        let header = #"{"b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12], "note": [1, {"x": null}]}, "#
            + #""__metadata__": {"format": "pt"}, "empty": \#(entry("F16", "[0, 3]", "[8, 8]")), "#
            + #""a": \#(entry("F32", "[2]", "[0, 8]")), "s": \#(entry("F64", "[]", "[12, 20]"))}    "#
        let data = SafetensorsBytes.f32([1.5, -2]) + SafetensorsBytes.f32([7]) + SafetensorsBytes.f64([0.25])
        let file = try open(SafetensorsBytes.file(header: header, data: data))
        #expect(file.tensorNames == ["a", "empty", "b", "s"])
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.tensor(named: "a").scalars == [1.5, -2])
        #expect(try file.tensor(named: "empty").shape == [0, 3])
        #expect(try file.tensor(named: "empty").count == 0)
        #expect(try file.tensor(named: "s").shape == [])
        #expect(try file.tensor(named: "s").scalars == [0.25])
        // An empty checkpoint is valid too.
        #expect(try open(SafetensorsBytes.file(header: "{}")).tensorNames.isEmpty)
    }

    @Test func missingTensorAndUnsupportedDTypeFailOnAccess() throws {
        let header = #"{"ids": \#(entry("I64", "[2]", "[0, 16]")), "w": \#(entry("F32", "[2]", "[16, 24]"))}"#
        let file = try open(SafetensorsBytes.file(header: header, data: .init(repeating: 0, count: 24)))
        // The layout is valid, so the file opens; the I64 tensor just cannot be read as Float32.
        #expect(file.shape(of: "ids") == [2])
        expectError(SafetensorsError.unsupportedDType(file: path, tensor: "ids", dtype: .i64)) { _ = try file.tensor(named: "ids") }
        #expect(SafetensorsError.unsupportedDType(file: path, tensor: "ids", dtype: .i64).description
            .contains("I64 is not supported"))
        expectError(SafetensorsError.tensorNotFound(file: path, tensor: "nope")) { _ = try file.tensor(named: "nope") }
    }

    @Test func messagesNameTheFileAndTheTensor() {
        let error = SafetensorsError.invalidOffsets(file: "/m/model.safetensors", tensor: "vit.layernorm.bias",
                                                    begin: 4, end: 12, problem: .overlap(expectedBegin: 8))
        #expect(error.description == "/m/model.safetensors: tensor \"vit.layernorm.bias\": data_offsets [4, 12] overlaps the "
            + "previous tensor, which ends at 8")
        #expect(error.errorDescription == error.description)
    }

    /// Truncations and byte flips of a real header never crash or read out of bounds: each
    /// variant either opens (and its tensors read) or throws a SafetensorsError.
    @Test func corruptedFilesNeverCrash() throws {
        let original = Array(try Data(contentsOf: WeightFixtures.tinyViT("f32").appendingPathComponent("model.safetensors")))
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        var generator = SystemRandomNumberGenerator()
        var outcomes = (opened: 0, rejected: 0)
        for trial in 0..<300 {
            var bytes = original
            if trial % 3 == 0 {
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let position = Int.random(in: 0..<min(headerEnd + 16, bytes.count), using: &generator)
                    bytes[position] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                let file = try open(bytes)
                for name in file.tensorNames { _ = try? file.tensor(named: name).scalars }
                outcomes.opened += 1
            } catch {
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.rejected > 0)
    }
}

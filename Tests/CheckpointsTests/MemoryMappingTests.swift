import Foundation
import Testing
@testable import Checkpoints
import TestSupport

/// Opening a checkpoint maps it without reading it: resident memory grows only with the tensors
/// that are touched.
@Suite struct MemoryMappingTests {
    static let tensorCount = 16
    static let elementsPerTensor = 1 << 20          // 4 MiB of F32 each, 64 MiB in all
    static let tensorBytes = elementsPerTensor * 4

    /// Writes the 64 MiB file 4 MiB at a time (tensor `t<i>` holds the value i everywhere).
    private func writeLargeCheckpoint(in directory: TemporaryDirectory) throws -> URL {
        var entries: [String] = []
        for index in 0..<Self.tensorCount {
            let begin = index * Self.tensorBytes
            entries.append(#""t\#(index)":{"dtype":"F32","shape":[\#(Self.elementsPerTensor)],"data_offsets":[\#(begin),\#(begin + Self.tensorBytes)]}"#)
        }
        var header = "{" + entries.joined(separator: ",") + "}"
        header += String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let url = directory.file("large.safetensors")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: SafetensorsBytes.file(header: header))
        for index in 0..<Self.tensorCount {
            let chunk = [Float](repeating: Float(index), count: Self.elementsPerTensor)
            try chunk.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        }
        return url
    }

    /// The process's resident set size, from `/proc/self/statm` (Linux).
    private func processResidentBytes() -> Int? {
        guard let statm = MemoryMappedFile.readProcFile("/proc/self/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func openingReadsOnlyTheHeaderAndTouchingATensorPagesInOnlyIt() throws {
        let directory = TemporaryDirectory()
        let url = try writeLargeCheckpoint(in: directory)
        let fileSize = Self.tensorCount * Self.tensorBytes
        let processBefore = try #require(processResidentBytes())

        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.fileSize > fileSize)
        #expect(file.tensorNames.count == Self.tensorCount)
        // Mapping and validating a 64 MiB file is a matter of microseconds; allow for a slow CI.
        #expect(file.openDuration < .milliseconds(100), "open took \(file.openDuration)")

        // The mapping's own resident size (smaps) is immune to other allocations in the process.
        let residentAfterOpen = try #require(file.residentByteCount)
        #expect(residentAfterOpen < 1 << 20, "\(residentAfterOpen) bytes resident right after opening")
        // The process as a whole did not grow by anything like the file size either (other tests
        // may run concurrently, hence the generous bound).
        let processAfter = try #require(processResidentBytes())
        #expect(processAfter - processBefore < fileSize / 4, "process RSS grew by \(processAfter - processBefore)")

        // Reading one tensor (zero-copy) pages in about that tensor only.
        #expect(file.isZeroCopy("t5"))
        let tensor = try file.tensor(named: "t5")
        #expect(tensor.scalars.allSatisfy { $0 == 5 })
        let residentAfterTouch = try #require(file.residentByteCount)
        #expect(residentAfterTouch >= Self.tensorBytes)
        #expect(residentAfterTouch < Self.tensorBytes + (2 << 20), "\(residentAfterTouch) bytes resident after one tensor")
    }
}

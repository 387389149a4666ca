import Foundation
import Testing

/// Errors about the `--output` file name it and the real cause, and a write that fails part-way
/// leaves only complete records.
@Suite struct OutputErrorTests {
    @Test func resumeSaysWhatAPathIsWhenItIsNotARegularFile() throws {
        let scratch = try TestFixtures.scratchFolder()
        try FileManager.default.createDirectory(at: scratch.path("folder"), withIntermediateDirectories: false)
        #expect(mkfifo(scratch.path("fifo").path, 0o644) == 0)
        var cases = [("fifo", "a FIFO (named pipe)"), ("folder", "a directory")]
        // As root, opening /dev/full for reading and writing succeeds; the refusal must still say
        // what the path is rather than a misleading "permission" message.
        if FileManager.default.fileExists(atPath: "/dev/full") { cases.append(("/dev/full", "a character device")) }
        for (path, kind) in cases {
            let result = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", path, "--resume",
                                                TestFixtures.photo.path], in: scratch.url, scratch: scratch.url,
                                               timeout: 30)
            #expect(result.status == 2, "\(path): \(result.standardError)")
            #expect(result.standardError == "vit-classify: cannot resume \(path): it is \(kind), not a regular file\n",
                    "\(result.standardError)")
        }
        let folder = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "folder", TestFixtures.photo.path],
                                           in: scratch.url, scratch: scratch.url)
        #expect(folder.status == 2)
        #expect(folder.standardError.contains("cannot write to folder: it is a directory"), "\(folder.standardError)")
    }

    @Test func aLinkToAFileNotThereYetCreatesIt() throws {
        let scratch = try TestFixtures.scratchFolder()
        #expect(symlink("later.jsonl", scratch.path("link.jsonl").path) == 0)
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "link.jsonl", "--resume",
                                            TestFixtures.photo.path], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0, "\(result.standardError)")
        let records = JSONLines.records(try String(contentsOf: scratch.path("later.jsonl"), encoding: .utf8))
        #expect(records.map(\.path) == [TestFixtures.photo.path])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aFullDeviceGivesTheSystemsReason() throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "/dev/full",
                                            TestFixtures.photo.path], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 1)
        #expect(result.standardError == "vit-classify: cannot write to /dev/full: No space left on device\n",
                "\(result.standardError)")
    }

    /// A file-size limit (`ulimit -f`, with SIGXFSZ ignored so the write fails with EFBIG instead
    /// of killing the process) stands in for a full disk: deterministic, and needs no root.
    /// The limit (4 blocks: 2 KiB with dash, 4 KiB with bash) falls inside a record, which the
    /// kernel then writes in part.
    @Test(arguments: ["jsonl", "csv"])
    func aFailedWriteLeavesOnlyCompleteRecordsAndResumes(format: String) throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try ResumeTests.manyImages(40, in: scratch)
        let file = "out.\(format)"
        let arguments = ["--model", TestFixtures.model.path, "--batch-size", "4", "-o", file, "many"]
        let limited = try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url,
                                            launcher: ["/bin/sh", "-c", #"ulimit -f 4 && trap '' XFSZ && exec "$0" "$@""#])
        #expect(limited.status == 1, "\(limited.standardError)")
        #expect(limited.standardError == "vit-classify: cannot write to \(file): File too large; it holds only "
                + "complete records, continue it with --resume\n", "\(limited.standardError)")
        let cut = try String(contentsOf: scratch.path(file), encoding: .utf8)
        #expect(cut.hasSuffix("\n") && cut.utf8.count < 4 * 1024)
        if format == "jsonl" {
            #expect(JSONLines.records(cut).count > 0)
        } else {
            let rows = CSVRows.rows(cut)
            #expect(rows.count > 1 && (rows.count - 1) % 5 == 0, "the header and whole images: \(rows.count) rows")
        }

        let resumed = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let final = try String(contentsOf: scratch.path(file), encoding: .utf8)
        #expect(final.hasPrefix(cut))
        let paths = format == "jsonl" ? JSONLines.records(final).map(\.path)
                                      : CSVRows.rows(final).dropFirst().map { $0[0] }.enumerated()
                                          .filter { $0.offset % 5 == 0 }.map(\.element)
        #expect(paths == inputs)
    }
}

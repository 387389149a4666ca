import Foundation
import Testing

/// One run writes an `--output` file at a time: a second one stops at once, naming the file and
/// the process that holds it, and leaves the file alone.
@Suite struct OutputLockTests {
    /// An exclusive `flock` on a file, held by the test process until released.
    final class HeldLock {
        private var descriptor: Int32

        init(_ url: URL) throws {
            descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                throw CocoaError(.fileLocking)
            }
        }

        func release() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }

        deinit { release() }
    }

    /// Whether the kernel's lock table is there to name a lock's holder (Linux with /proc).
    static let namesHolders = FileManager.default.isReadableFile(atPath: "/proc/locks")

    @Test(arguments: [false, true])
    func aRunOnALockedFileIsRefusedAndLeavesItAlone(resuming: Bool) throws {
        let scratch = try TestFixtures.scratchFolder()
        let content = Data(#"{"path":"earlier.jpg","error":"x"}"#.utf8 + [0x0A])
        try content.write(to: scratch.path("out.jsonl"))
        let lock = try HeldLock(scratch.path("out.jsonl"))
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.jsonl"] + (resuming ? ["--resume"] : [])
            + [TestFixtures.photo.path]
        let refused = try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url)
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.hasPrefix("vit-classify: out.jsonl is being written by another run"),
                "\(refused.standardError)")
        if Self.namesHolders {
            #expect(refused.standardError.contains("process \(getpid()) ("), "\(refused.standardError)")
        }
        #expect(try Data(contentsOf: scratch.path("out.jsonl")) == content, "neither emptied nor appended to")

        lock.release()
        let after = try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url)
        #expect(after.status == 0, "\(after.standardError)")
        let paths = JSONLines.records(try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8)).map(\.path)
        #expect(paths == (resuming ? ["earlier.jpg"] : []) + [TestFixtures.photo.path])
    }

    /// The measured failure this lock exists for: two `--resume` runs on one file both labelled
    /// everything into it.
    @Test func twoRunsOnOneFileLabelEveryImageOnce() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try ResumeTests.manyImages(160, in: scratch)
        let arguments = ["--model", TestFixtures.model.path, "--batch-size", "1", "--decode-threads", "1",
                         "-o", "out.jsonl", "--resume", "many"]
        let first = try CommandRunner.start(arguments, in: scratch.url, scratch: scratch.url)
        let deadline = Date().addingTimeInterval(60)
        while first.isRunning, Date() < deadline,
              ((try? Data(contentsOf: scratch.path("out.jsonl"))) ?? Data()).firstIndex(of: 0x0A) == nil {
            usleep(1_000)
        }
        let second = try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url)
        #expect(first.isRunning, "the first run ended before the second started; use more images")
        #expect(second.status == 2, "\(second.standardError)")
        #expect(second.standardError.contains("out.jsonl is being written by another run"))
        if Self.namesHolders {
            #expect(second.standardError.contains("process \(first.process.processIdentifier) (vit-classify)"),
                    "\(second.standardError)")
        }
        #expect(try first.wait().status == 0)
        let records = JSONLines.records(try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8))
        #expect(records.map(\.path) == inputs, "every image exactly once")
    }

    @Test func aNewFileIsRemovedWhenTheModelCannotBeLoaded() throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--model", scratch.path("no-model").path, "-o", "new.jsonl", "--resume",
                                            TestFixtures.photo.path], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("new.jsonl").path))
    }
}

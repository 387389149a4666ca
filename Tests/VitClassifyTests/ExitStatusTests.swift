import Foundation
import Testing
import SwiftViT

/// Exit status 0 when everything is labelled, 2 for usage errors and models that cannot be
/// loaded — with one line saying why — and no output file touched then.
@Suite struct ExitStatusTests {
    @Test func allLabelledIsZero() throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, TestFixtures.photo.path],
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty, "quiet when standard error is not a terminal")
        #expect(JSONLines.records(result.standardOutput).count == 1, "JSON Lines when standard output is not a terminal")
    }

    @Test(arguments: ["--help", "-h"])
    func helpIsZero(flag: String) throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run([flag], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE: vit-classify") && result.standardOutput.contains("<path> ..."))
        #expect(result.standardOutput.contains("--resume") && result.standardOutput.contains("--shard <I/N>"))
    }

    @Test(arguments: [
        [],
        ["--top-k", "0", "x.jpg"],
        ["--batch-size", "0", "x.jpg"],
        ["--threads", "0", "x.jpg"],
        ["--resume", "x.jpg"],
        ["--resume", "--format", "table", "-o", "out.txt", "x.jpg"],
        ["--shard", "3/3", "x.jpg"],
        ["--shard", "1", "x.jpg"],
        ["--shard", "-1/2", "x.jpg"],
        ["--format", "xml", "x.jpg"],
        ["--no-such-option", "x.jpg"],
    ])
    func usageErrorsAreTwo(arguments: [String]) throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--model", TestFixtures.model.path] + arguments,
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        // One prefix for all messages, ours and argument-parser's.
        #expect(result.standardError.hasPrefix("vit-classify: "), "\(arguments): \(result.standardError)")
        #expect(!result.standardError.contains("Error:"), "\(arguments): \(result.standardError)")
    }

    /// Usage errors say why, not only that a value is invalid.
    @Test(arguments: [
        (["--shard", "3/3", "x.jpg"], ["'3/3'", "0 ≤ I < N"]),
        (["-k", "0", "x.jpg"], ["--top-k must be at least 1 (got 0)"]),
        (["--processor", "opencv", "x.jpg"], ["torchvision", "pillow"]),
    ])
    func usageErrorsSayWhy(arguments: [String], phrases: [String]) throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2)
        for phrase in phrases { #expect(result.standardError.contains(phrase), "\(result.standardError)") }
    }

    @Test func versionIsPrintedAndZero() throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--version"], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("vit-classify \(ImageClassifier.version) "), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("transformers 5.24"))
    }

    @Test func aMissingModelFolderIsTwoAndLeavesTheOutputAlone() throws {
        let scratch = try TestFixtures.scratchFolder()
        try Data("{\"path\":\"a.jpg\",\"error\":\"x\"}\n".utf8).write(to: scratch.path("out.jsonl"))
        let result = try CommandRunner.run(["--model", scratch.path("no-model").path, "-o", "out.jsonl",
                                            TestFixtures.photo.path], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2)
        #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result.standardError)")
        #expect(result.standardError.contains("no such model directory"))
        #expect(try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8) == "{\"path\":\"a.jpg\",\"error\":\"x\"}\n")
    }

    @Test func offlineWithoutACachedModelSaysToPassAModelFolder() throws {
        let scratch = try TestFixtures.scratchFolder()
        // The runner sets HF_HUB_OFFLINE=1 and an empty HF_HUB_CACHE; the default model is used.
        let result = try CommandRunner.run([TestFixtures.photo.path], in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2)
        #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result.standardError)")
        #expect(result.standardError.contains("google/vit-base-patch16-224"))
        #expect(result.standardError.contains("--model DIR"))
    }

    /// Paths holding no image label nothing, which a script should notice: exit status 1.
    @Test func anEmptyFolderIsReportedAndIsOne() throws {
        let scratch = try TestFixtures.scratchFolder()
        try Data("text".utf8).write(to: scratch.path("notes.txt"))
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, scratch.url.path],
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("no JPEG or PNG files found"))
    }

    @Test func aMissingFileGetsAnErrorRecord() throws {
        let scratch = try TestFixtures.scratchFolder()
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "missing.jpg", TestFixtures.photo.path],
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 1)
        let records = JSONLines.records(result.standardOutput)
        #expect(records.map(\.path) == ["missing.jpg", TestFixtures.photo.path])
        #expect(records[0].error == "cannot read image file missing.jpg: No such file or directory",
                "\(records[0].error ?? "")")
    }
}

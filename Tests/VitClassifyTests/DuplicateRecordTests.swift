import Foundation
import Testing

/// `--resume` drops the duplicate records that two runs writing one file at once left (before
/// the lock), says so, and keeps each path's first labelled record.
@Suite struct DuplicateRecordTests {
    @Test func jsonlDuplicatesAreDroppedKeepingTheFirstLabelledRecord() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try ResumeTests.manyImages(6, in: scratch)
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.jsonl", "many"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 0)
        let lines = try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { String($0) + "\n" }
        let error = #"{"path":"\#(inputs[1])","error":"cannot read image file: a passing error"}"# + "\n"
        // Image 1 has an error before its result; images 0 and 2 are there twice; 4 and 5 are missing.
        let mixed = [lines[0], error, lines[1], lines[2], lines[0], lines[3], lines[2]].joined()
        try Data(mixed.utf8).write(to: scratch.path("out.jsonl"))

        let resumed = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0, "the error record was dropped, so nothing failed: \(resumed.standardError)")
        #expect(resumed.standardError.hasPrefix("vit-classify: dropped 3 duplicate records for 3 paths from out.jsonl"),
                "\(resumed.standardError)")
        let final = try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8)
        #expect(final.hasPrefix(lines[0...3].joined()), "the kept records, byte for byte and in order")
        #expect(JSONLines.records(final).map(\.path) == inputs)
        #expect(JSONLines.records(final).allSatisfy { $0.error == nil })
    }

    @Test func csvDuplicatesAreDroppedEvenWhenAdjacent() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try ResumeTests.manyImages(4, in: scratch)
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.csv", "many"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 0)
        let rows = try String(contentsOf: scratch.path("out.csv"), encoding: .utf8)
            .split(separator: "\n").map { String($0) + "\n" }
        let header = rows[0], image = { (number: Int) in rows[(1 + 5 * number)..<(6 + 5 * number)].joined() }
        // Image 1 twice in a row (its ranks start again at 1), image 0 again later, image 3 missing.
        try Data((header + image(0) + image(1) + image(1) + image(0) + image(2)).utf8).write(to: scratch.path("out.csv"))

        let resumed = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.hasPrefix("vit-classify: dropped 2 duplicate records for 2 paths from out.csv"),
                "\(resumed.standardError)")
        let final = try String(contentsOf: scratch.path("out.csv"), encoding: .utf8)
        #expect(final.hasPrefix(header + image(0) + image(1) + image(2)))
        #expect(CSVRows.rows(final).dropFirst().map { $0[0] } == inputs.flatMap { Array(repeating: $0, count: 5) })
    }

    /// With nothing left to label the model is not loaded, but the duplicates still go.
    @Test func duplicatesAreDroppedWhenNothingIsLeftToLabel() throws {
        let scratch = try TestFixtures.scratchFolder()
        _ = try ResumeTests.manyImages(3, in: scratch)
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.jsonl", "many"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 0)
        let complete = try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8)
        try Data((complete + complete).utf8).write(to: scratch.path("out.jsonl"))
        let resumed = try CommandRunner.run(["--model", scratch.path("no-model").path] + arguments.dropFirst(2)
                                            + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.hasPrefix("vit-classify: dropped 3 duplicate records for 3 paths"))
        #expect(try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8) == complete)
    }
}

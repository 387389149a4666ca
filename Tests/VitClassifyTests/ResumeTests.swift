import Foundation
import Testing

/// `--output` never holds a partial record, and `--resume` continues a killed run.
@Suite(.serialized) struct ResumeTests {
    /// `count` copies of the photos (cycling through them) in `scratch/many`.
    static func manyImages(_ count: Int, in scratch: ScratchFolder) throws -> [String] {
        let photos = ["astronaut", "chelsea", "coffee", "hubble_deep_field"]
        var paths: [String] = []
        for number in 0..<count {
            let photo = photos[number % photos.count]
            let relative = "many/\(photo)-\(number).jpg"
            try TestFixtures.copy("images/photos/\(photo).jpg", to: scratch.path(relative))
            paths.append(relative)
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Starts a one-image-per-batch run writing `file` and stops it with `signal` once the file
    /// holds at least `lines` lines; returns the exit status.
    static func interruptedRun(_ file: String, format: String, signal: Int32, afterLines lines: Int,
                               in scratch: ScratchFolder) throws -> Int32 {
        let running = try CommandRunner.start(["--model", TestFixtures.model.path, "--batch-size", "1",
                                               "--decode-threads", "1", "--format", format, "-o", file, "many"],
                                              in: scratch.url, scratch: scratch.url)
        let deadline = Date().addingTimeInterval(60)
        while running.isRunning, Date() < deadline {
            let text = (try? Data(contentsOf: scratch.path(file))) ?? Data()
            if text.count(where: { $0 == UInt8(ascii: "\n") }) >= lines { break }
            usleep(500)
        }
        #expect(running.isRunning, "the run ended before it could be interrupted; use more images")
        running.send(signal)
        return try running.wait().status
    }

    @Test(arguments: ["jsonl", "csv"])
    func killedRunResumesWithEveryImageExactlyOnce(format: String) throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try Self.manyImages(160, in: scratch)
        let file = "results.\(format)"
        let status = try Self.interruptedRun(file, format: format, signal: SIGKILL, afterLines: 30, in: scratch)
        #expect(status == 128 + SIGKILL)
        let partial = try String(contentsOf: scratch.path(file), encoding: .utf8)
        let resumed = try CommandRunner.run(["--model", TestFixtures.model.path, "--batch-size", "4", "-o", file,
                                             "--resume", "many"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let final = try String(contentsOf: scratch.path(file), encoding: .utf8)
        #expect(final.hasSuffix("\n"))
        let paths: [String]
        if format == "jsonl" {
            let records = JSONLines.records(final)
            #expect(records.allSatisfy { $0.predictions?.count == 5 })
            paths = records.map(\.path)
        } else {
            let rows = CSVRows.rows(final).dropFirst()
            #expect(rows.allSatisfy { $0.count == 7 })
            #expect(final.components(separatedBy: "path,rank,").count == 2, "one header")
            // Five rows per image, ranks 1…5, in order.
            var seen: [String] = []
            for (offset, row) in rows.enumerated() {
                #expect(Int(row[1]) == offset % 5 + 1, "\(row)")
                if offset % 5 == 0 { seen.append(row[0]) }
            }
            paths = seen
        }
        #expect(paths == inputs, "every image exactly once, in input order")
        // The records the killed run had completed were kept, not redone.
        let keptLines = partial.split(separator: "\n", omittingEmptySubsequences: false).dropLast().count
        #expect(final.hasPrefix(partial.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix(max(0, keptLines - 5)).joined(separator: "\n")))
    }

    @Test func aPartialLastLineIsCutOffBeforeAppending() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try Self.manyImages(6, in: scratch)
        let file = scratch.path("out.jsonl")
        let first = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "out.jsonl", "many"],
                                          in: scratch.url, scratch: scratch.url)
        #expect(first.status == 0)
        let complete = try String(contentsOf: file, encoding: .utf8)
        let lines = complete.split(separator: "\n").map(String.init)
        // Keep three complete records and half of the fourth, as a kill during a write could.
        let cut = lines[0...2].joined(separator: "\n") + "\n" + lines[3].prefix(lines[3].count / 2)
        try Data(cut.utf8).write(to: file)
        let resumed = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "out.jsonl", "--resume", "many"],
                                            in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0)
        let final = try String(contentsOf: file, encoding: .utf8)
        #expect(JSONLines.records(final).map(\.path) == inputs)
        #expect(final.hasPrefix(lines[0...2].joined(separator: "\n") + "\n"), "complete records are kept as they were")
        #expect(JSONLines.records(final).map { $0.predictions!.map(\.index) }
                == JSONLines.records(complete).map { $0.predictions!.map(\.index) })
    }

    @Test func csvRedoesAnImageWhoseRowsWereCutShort() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try Self.manyImages(4, in: scratch)
        let file = scratch.path("out.csv")
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.csv", "many"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 0)
        let complete = try String(contentsOf: file, encoding: .utf8)
        // Header, two whole images, and three of the third image's five rows (ending at a row end).
        let rows = complete.split(separator: "\n", omittingEmptySubsequences: false)
        try Data((rows[0..<14].joined(separator: "\n") + "\n").utf8).write(to: file)
        let resumed = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0)
        let final = try String(contentsOf: file, encoding: .utf8)
        let paths = CSVRows.rows(final).dropFirst().map { $0[0] }
        #expect(paths == inputs.flatMap { Array(repeating: $0, count: 5) })
        #expect(final.hasPrefix(rows[0..<11].joined(separator: "\n") + "\n"), "complete images are kept as they were")
        // Redone in a batch of another size, the floats may differ in the last bits; the classes may not.
        #expect(CSVRows.rows(final).map { $0[0...3] } == CSVRows.rows(complete).map { $0[0...3] })
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func signalsStopAfterACompleteRecord(signal: Int32, expectedStatus: Int32) throws {
        let scratch = try TestFixtures.scratchFolder()
        _ = try Self.manyImages(160, in: scratch)
        let status = try Self.interruptedRun("out.jsonl", format: "jsonl", signal: signal, afterLines: 10, in: scratch)
        #expect(status == expectedStatus)
        let text = try String(contentsOf: scratch.path("out.jsonl"), encoding: .utf8)
        let records = JSONLines.records(text)
        #expect(records.count >= 10 && records.count < 160)
    }

    @Test func resumingAFinishedFileLabelsNothingAndKeepsTheStatusOfItsErrors() throws {
        let scratch = try TestFixtures.scratchFolder()
        try TestFixtures.copy("images/photos/coffee.jpg", to: scratch.path("in/coffee.jpg"))
        try TestFixtures.copy("images/crafted/png-truncated.png", to: scratch.path("in/broken.png"))
        let arguments = ["--model", TestFixtures.model.path, "-o", "out.jsonl", "in"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 1)
        let before = try Data(contentsOf: scratch.path("out.jsonl"))
        let again = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(again.status == 1, "the file still holds an error for one of the inputs")
        #expect(try Data(contentsOf: scratch.path("out.jsonl")) == before)
    }

    @Test func resumeRefusesAFileItDidNotWrite() throws {
        let scratch = try TestFixtures.scratchFolder()
        try TestFixtures.copy("images/photos/coffee.jpg", to: scratch.path("in/coffee.jpg"))
        let notes = Data("my notes\nmore notes\n".utf8)
        try notes.write(to: scratch.path("notes.jsonl"))
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "-o", "notes.jsonl", "--resume", "in"],
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 2)
        #expect(result.standardError.contains("notes.jsonl"))
        #expect(try Data(contentsOf: scratch.path("notes.jsonl")) == notes, "the file is left alone")
    }
}

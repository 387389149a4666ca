import Foundation
import Testing

/// Paths with commas, quotes, newlines, tabs and non-ASCII letters survive JSONL and CSV, and a
/// resume reads them back.
@Suite struct QuotingTests {
    static let names = ["a,b.jpg", "say \"cheese\".jpg", "new\nline.jpg", "tab\there.jpg", "café ☕.jpg", "back\\slash.jpg"]

    static func folder() throws -> ScratchFolder {
        let scratch = try TestFixtures.scratchFolder()
        for name in names { try TestFixtures.copy("images/photos/coffee.jpg", to: scratch.path("in/\(name)")) }
        return scratch
    }

    @Test func jsonLinesEscapeEveryPath() throws {
        let scratch = try Self.folder()
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "--format", "jsonl", "in"],
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0)
        #expect(result.standardOutput.split(separator: "\n").count == Self.names.count, "one physical line per image")
        let paths = JSONLines.records(result.standardOutput).map(\.path)
        #expect(Set(paths) == Set(Self.names.map { "in/" + $0 }))
        #expect(result.standardOutput.contains(#""path":"in/say \"cheese\".jpg""#))
        #expect(result.standardOutput.contains(#""path":"in/new\nline.jpg""#))
        #expect(result.standardOutput.contains(#""path":"in/back\\slash.jpg""#))
        #expect(result.standardOutput.contains(#""path":"in/café ☕.jpg""#))
    }

    @Test func csvQuotesFieldsThatNeedIt() throws {
        let scratch = try Self.folder()
        let arguments = ["--model", TestFixtures.model.path, "-k", "2", "-o", "out.csv", "in"]
        #expect(try CommandRunner.run(arguments, in: scratch.url, scratch: scratch.url).status == 0)
        let text = try String(contentsOf: scratch.path("out.csv"), encoding: .utf8)
        #expect(text.contains("\n\"in/a,b.jpg\",1,"))
        #expect(text.contains("\n\"in/say \"\"cheese\"\".jpg\",2,"))
        #expect(text.contains("\n\"in/new\nline.jpg\",1,"))
        #expect(text.contains("\nin/tab\there.jpg,1,"))
        #expect(text.contains("\nin/café ☕.jpg,1,"))
        // --resume parses the quoted paths back: nothing is missing, nothing is added twice.
        let resumed = try CommandRunner.run(arguments + ["--resume"], in: scratch.url, scratch: scratch.url)
        #expect(resumed.status == 0)
        #expect(try String(contentsOf: scratch.path("out.csv"), encoding: .utf8) == text)
    }
}

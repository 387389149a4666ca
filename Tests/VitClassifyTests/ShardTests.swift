import Foundation
import Testing

/// `--shard I/N` splits the input into disjoint parts that together cover it exactly once, and
/// an image stays in its part when files are added.
@Suite struct ShardTests {
    static func paths(_ arguments: [String], in scratch: ScratchFolder) throws -> [String] {
        let result = try CommandRunner.run(["--model", TestFixtures.model.path, "--format", "jsonl", "-k", "1"] + arguments,
                                           in: scratch.url, scratch: scratch.url)
        #expect(result.status == 0, "\(result.standardError)")
        return JSONLines.records(result.standardOutput).map(\.path)
    }

    @Test func threeShardsCoverTheInputExactlyOnce() throws {
        let scratch = try TestFixtures.scratchFolder()
        let inputs = try ResumeTests.manyImages(30, in: scratch)
        let all = try Self.paths(["many"], in: scratch)
        #expect(all == inputs)
        var union: [String] = []
        var parts: [[String]] = []
        for index in 0..<3 {
            let part = try Self.paths(["--shard", "\(index)/3", "many"], in: scratch)
            #expect(!part.isEmpty, "30 images hash into every one of 3 parts")
            #expect(part == all.filter(part.contains), "a part keeps the input order")
            parts.append(part)
            union += part
        }
        #expect(union.count == all.count, "disjoint")
        #expect(Set(union) == Set(all), "complete")
        #expect(try Self.paths(["--shard", "0/1", "many"], in: scratch) == all)

        // Adding files moves no existing image to another part.
        for number in 0..<10 {
            try TestFixtures.copy("images/photos/coffee.jpg", to: scratch.path("many/added-\(number).jpg"))
        }
        for index in 0..<3 {
            let part = try Self.paths(["--shard", "\(index)/3", "many"], in: scratch)
            #expect(part.filter { !$0.contains("added-") } == parts[index])
        }
    }

    @Test func theSameFileReachedTwiceIsLabelledOnce() throws {
        let scratch = try TestFixtures.scratchFolder()
        try TestFixtures.copy("images/photos/coffee.jpg", to: scratch.path("in/coffee.jpg"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("in/link.jpg").path, withDestinationPath: "coffee.jpg")
        let paths = try Self.paths(["in/coffee.jpg", "in", "in/coffee.jpg"], in: scratch)
        #expect(paths == ["in/coffee.jpg"])
    }
}

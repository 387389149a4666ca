import Foundation
import Testing
@testable import vit_classify

/// The command's pure pieces, tested in-process.
@Suite struct ComponentTests {
    @Test func stableHashNeverChanges() {
        // Shards must stay where they are across machines, processes and releases: these values
        // are 64-bit FNV-1a + the MurmurHash3 finaliser, computed independently (in Python).
        #expect(StableHash.hash("") == 0xefd0_1f60_ba99_2926)
        #expect(StableHash.hash("cat.jpg") == 0x0b63_ff75_0e06_ec99)
        #expect(StableHash.hash("2024/IMG_0001.jpg") == 0xdb31_d63c_8c10_a6b7)
        #expect(StableHash.hash("café.jpg") == 0x9563_874d_ccce_2dd9)
    }

    @Test func shardsParse() throws {
        #expect(try Shard.parse("0/3") == Shard(index: 0, count: 3))
        #expect(try Shard.parse("2/3") == Shard(index: 2, count: 3))
        for bad in ["3/3", "-1/3", "1", "1/0", "a/b", "1/2/3", "", "/"] {
            #expect(throws: (any Error).self, "\(bad)") { try Shard.parse(bad) }
        }
        #expect { try Shard.parse("3/3") } throws: { "\($0)".contains("0…2") && "\($0)".contains("0 ≤ I < N") }
    }

    @Test func shardsAreBalanced() {
        let keys = (0..<3000).map { "photos/IMG_\($0).jpg" }
        for count in [2, 3, 7] {
            let sizes = (0..<count).map { index in keys.count { Shard(index: index, count: count).contains(key: $0) } }
            #expect(sizes.reduce(0, +) == keys.count)
            // Within four standard deviations of a fair split (binomial).
            let expected = Double(keys.count) / Double(count)
            #expect(sizes.allSatisfy { abs(Double($0) - expected) < 4 * expected.squareRoot() }, "\(sizes)")
        }
    }

    @Test func jsonStringsAreEscaped() throws {
        let nasty = "a\"b\\c\nd\te\u{1}f\u{7F}g☕\u{2028}"
        let literal = JSONText.string(nasty)
        #expect(!literal.contains("\n") && !literal.contains("\u{1}"))
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(decoded == [nasty])
        #expect(JSONText.number(.nan) == "null" && JSONText.number(.infinity) == "null")
        #expect(JSONText.number(3) == "3" && JSONText.number(0.25) == "0.25" && JSONText.number(1e-5) == "1e-05")
    }

    @Test func csvRecordsRoundTrip() {
        let formatter = CSVFormatter()
        let path = "dir/a,\"b\"\nc.jpg"
        let text = formatter.header! + formatter.record(path: path, outcome: .failed("bad, \"very\" bad"))
            + formatter.record(path: "x.jpg", outcome: .labelled([.init(label: "tabby, tabby cat", index: 281, score: 0.5, logit: 2)]))
            + "partial,1,"
        let records = Array(text.utf8).withUnsafeBytes { CSVRecordReader.records(in: $0) }
        #expect(records.count == 3, "the unfinished last record is left out")
        #expect(records[1].fields == [path, "", "", "", "", "", "bad, \"very\" bad"])
        #expect(records[2].fields == ["x.jpg", "1", "tabby, tabby cat", "281", "0.5", "2", ""])
        #expect(records[2].end == text.utf8.count - "partial,1,".utf8.count)
    }

    @Test func tableCutsLongTextToTheTerminal() {
        let path = String(repeating: "p", count: 100), label = String(repeating: "l", count: 60)
        let table = TableFormatter(paths: [path], scoresArePercentages: true, width: 80)
        let record = table.record(path: path, outcome: .labelled([.init(label: label, index: 1, score: 0.4321, logit: 1)]))
        #expect(record.hasPrefix("…p"))
        #expect(record.contains("p    43.2%  lll"))
        #expect(record.hasSuffix("l…\n"))
        #expect(record.dropLast().count < 80, "fits in 80 columns")
        let error = table.record(path: "x.jpg", outcome: .failed(String(repeating: "word ", count: 40)))
        #expect(error.split(separator: "\n").allSatisfy { $0.count < 80 })
        #expect(TableFormatter.displayText("a\nb\u{1}") == "a\\nb\\u{1}")
        // Not on a terminal: nothing is cut.
        let file = TableFormatter(paths: [path], scoresArePercentages: false, width: nil)
        #expect(file.record(path: path, outcome: .labelled([.init(label: label, index: 1, score: -1.5, logit: 1)]))
                == path + "  -1.5000  " + label + "\n")
    }

    @Test func progressWords() {
        #expect(ProgressText.clock(28) == "0:28" && ProgressText.clock(3723) == "1:02:03")
        #expect(ProgressText.labelling(done: 0, total: 10, failed: 0, seconds: 1) == "0/10 images  0%")
        #expect(ProgressText.labelling(done: 5, total: 10, failed: 1, seconds: 2)
                == "5/10 images  50%  2.50 img/s  ETA 0:02  (1 failed)")
    }

    @Test func outputFormatFromFileName() {
        #expect(OutputFormat(fileName: "a.CSV") == .csv && OutputFormat(fileName: "a.jsonl") == .jsonl)
        #expect(OutputFormat(fileName: "a.out") == nil)
    }

    @Test func imageExtensions() {
        #expect(ImageFileKind.hasImageExtension("a.JPG") && ImageFileKind.hasImageExtension("b.png"))
        #expect(!ImageFileKind.hasImageExtension("a.gif") && !ImageFileKind.hasImageExtension(".png")
                && !ImageFileKind.hasImageExtension("jpg"))
    }
}

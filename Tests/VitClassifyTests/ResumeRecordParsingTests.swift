import Foundation
import Testing
import TestSupport
@testable import vit_classify

/// How `--resume` reads the records of a JSONL file (in process, without running the command).
@Suite struct ResumeRecordParsingTests {
    private func state(_ text: String, name: String = "out.jsonl", topK: Int = 5) throws(UsageError) -> ResumeState {
        let directory = TemporaryDirectory()
        let url = directory.write(Array(text.utf8), to: name)
        let file = try OutputFile.claim(url.path, resuming: true)
        defer { file.abandon() }
        return try ResumeState.read(file, format: nil, newFileFormat: .jsonl, topK: topK)
    }

    /// The bytes of `text` that `state` keeps.
    private func kept(_ text: String, _ state: ResumeState) -> String {
        let bytes = Array(text.utf8)
        return state.keptRanges.map { String(decoding: bytes[$0], as: UTF8.self) }.joined()
    }

    @Test func completeRecordsAreDoneAndACutLineIsDropped() throws {
        let text = #"{"path":"a.jpg","predictions":[{"label":"cat","index":0,"score":0.9,"logit":null}]}"# + "\n"
            + #"{"path":"b.jpg","error":"truncated"}"# + "\n"
        let state = try state(text + #"{"path":"c.jp"#)
        #expect(state.format == .jsonl && !state.needsHeader)
        #expect(state.donePaths == ["a.jpg", "b.jpg"] && state.failedPaths == ["b.jpg"])
        #expect(state.keptLength == text.utf8.count)
    }

    /// Lines vit-classify cannot have written are refused, naming the line, rather than guessed at.
    @Test(arguments: [
        #"{"path":"a.jpg"}"#,                                         // neither predictions nor error
        #"{"path":5,"error":"x"}"#,                                   // path not a string
        #"{"path":"a.jpg","path":"b.jpg","error":"x"}"#,              // a repeated key
        #"{"path":"a.jpg","predictions":[{"score":NaN}]}"#,           // not JSON (we write null)
        #"{"path":"a.jpg","error":"x"} trailing"#,
    ])
    func foreignLinesAreRefused(_ line: String) {
        #expect {
            _ = try state(#"{"path":"ok.jpg","error":"x"}"# + "\n" + line + "\n")
        } throws: { error in
            (error as? UsageError)?.description.contains("line 2 is not a vit-classify JSONL record") == true
        }
    }

    @Test func aPathKeepsItsFirstLabelledRecord() throws {
        let a = #"{"path":"a.jpg","predictions":[]}"# + "\n", b = #"{"path":"b.jpg","predictions":[]}"# + "\n"
        let bError = #"{"path":"b.jpg","error":"x"}"# + "\n", cError = #"{"path":"c.jpg","error":"y"}"# + "\n"
        let text = a + bError + b + a + cError + cError + b
        let state = try state(text)
        #expect(state.donePaths == ["a.jpg", "b.jpg", "c.jpg"] && state.failedPaths == ["c.jpg"])
        #expect(state.droppedRanges.count == 4 && state.duplicatedPathCount == 3)
        #expect(kept(text, state) == a + b + cError)
        #expect(state.duplicateReport(path: "out.jsonl")?.hasPrefix("dropped 4 duplicate records for 3 paths") == true)
    }

    @Test func withoutDuplicatesEverythingUpToTheLastRecordIsKept() throws {
        let text = #"{"path":"a.jpg","error":"x"}"# + "\n"
        let state = try state(text + "{")
        #expect(state.droppedRanges.isEmpty && state.duplicateReport(path: "out.jsonl") == nil)
        #expect(state.keptRanges == [0..<text.utf8.count])
    }

    /// A CSV image is its ranks from 1; the same path again from rank 1 is a second record of it.
    @Test func csvImagesSplitWhereTheRanksStartAgain() throws {
        let header = "path,rank,label,index,score,logit,error\n"
        let a = "a.jpg,1,x,0,0.5,1,\na.jpg,2,y,1,0.5,1,\n", b = "b.jpg,,,,,,broken\n"
        let text = header + a + a + b + a + "c.jpg,1,x,0,0.5,1,\n"
        let state = try state(text, name: "out.csv", topK: 2)
        #expect(state.format == .csv)
        #expect(state.donePaths == ["a.jpg", "b.jpg"] && state.failedPaths == ["b.jpg"], "c.jpg lacks rank 2")
        #expect(kept(text, state) == header + a + b)
        #expect(state.keptLength == (header + a + a + b + a).utf8.count)
    }
}

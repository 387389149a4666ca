import Foundation
import Testing
import TestSupport
@testable import vit_classify

/// How `--resume` reads the records of a JSONL file (in process, without running the command).
@Suite struct ResumeRecordParsingTests {
    private func state(_ text: String) throws(UsageError) -> ResumeState {
        let directory = TemporaryDirectory()
        let url = directory.write(Array(text.utf8), to: "out.jsonl")
        return try ResumeState.read(url.path, format: nil, newFileFormat: .jsonl, topK: 5)
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
}

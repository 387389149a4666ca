import Foundation

/// CSV (RFC 4180): a header, then one row per prediction (`rank` counts from 1), or one row with
/// only `path` and `error` for an input that failed.
///
/// ```
/// path,rank,label,index,score,logit,error
/// photos/chelsea.jpg,1,"tabby, tabby cat",281,0.43,9.87,
/// photos/broken.jpg,,,,,,image photos/broken.jpg is a truncated JPEG file: …
/// ```
///
/// Fields holding a comma, a double quote, a carriage return or a line feed are quoted, with
/// quotes doubled; rows end with `\n`. Non-finite numbers are written as `NaN`, `inf`, `-inf`.
struct CSVFormatter: RecordFormatter {
    static let columns = ["path", "rank", "label", "index", "score", "logit", "error"]

    var header: String? { Self.columns.joined(separator: ",") + "\n" }

    func record(path: String, outcome: Outcome) -> String {
        let quotedPath = Self.field(path)
        switch outcome {
        case .labelled(let predictions):
            return predictions.enumerated().map { rank, prediction in
                [quotedPath, String(rank + 1), Self.field(prediction.label), String(prediction.index),
                 Self.number(prediction.score), Self.number(prediction.logit), ""].joined(separator: ",") + "\n"
            }.joined()
        case .failed(let message):
            return [quotedPath, "", "", "", "", "", Self.field(message)].joined(separator: ",") + "\n"
        }
    }

    /// `value` as a CSV field, quoted when it must be.
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func number(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return FloatText.shortest(value)
    }
}

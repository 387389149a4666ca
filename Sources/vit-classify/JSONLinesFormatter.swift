/// JSON Lines: one object per input, in input order.
///
/// ```
/// {"path":"photos/chelsea.jpg","predictions":[{"label":"tabby, tabby cat","index":281,"score":0.43,"logit":9.87},…]}
/// {"path":"photos/broken.jpg","error":"image photos/broken.jpg is a truncated JPEG file: …"}
/// ```
///
/// A score or logit that is not finite is written as `null`.
struct JSONLinesFormatter: RecordFormatter {
    var header: String? { nil }

    func record(path: String, outcome: Outcome) -> String {
        var line = "{\"path\":" + JSONText.string(path)
        switch outcome {
        case .labelled(let predictions):
            line += ",\"predictions\":["
            line += predictions.map { prediction in
                "{\"label\":" + JSONText.string(prediction.label)
                    + ",\"index\":" + String(prediction.index)
                    + ",\"score\":" + JSONText.number(prediction.score)
                    + ",\"logit\":" + JSONText.number(prediction.logit) + "}"
            }.joined(separator: ",")
            line += "]"
        case .failed(let message):
            line += ",\"error\":" + JSONText.string(message)
        }
        return line + "}\n"
    }
}

import NIOCore
import SwiftViT

/// The JSON the server writes, byte by byte: the record schema of `vit-classify --format jsonl`
/// (keys in that order, floats at their shortest round-trip form, `null` for non-finite values).
///
/// ```
/// {"predictions":[{"label":"tabby, tabby cat","index":281,"score":0.43,"logit":9.87},…]}
/// {"path":"b.jpg","error":"image b.jpg is a truncated JPEG file: …"}     (multipart: one line per file)
/// {"error":"the request body is larger than the limit of 16777216 bytes (vit-serve --max-body-bytes)"}
/// ```
struct ResponseJSON {
    private(set) var bytes: [UInt8] = []

    /// `{"predictions":[…]}` for one image, preceded by `"path":…` when `path` is given.
    static func record(path: String?, predictions: [Classification]) -> Self {
        var json = Self()
        json.open(path: path)
        json.append(#""predictions":["#)
        for (offset, prediction) in predictions.enumerated() {
            if offset > 0 { json.append(",") }
            json.append(#"{"label":"#)
            json.appendString(prediction.label)
            json.append(#","index":"# + String(prediction.index) + #","score":"#)
            json.appendNumber(prediction.score)
            json.append(#","logit":"#)
            json.appendNumber(prediction.logit)
            json.append("}")
        }
        json.append("]}")
        return json
    }

    /// `{"error":…}`, preceded by `"path":…` when `path` is given.
    static func error(path: String?, message: String) -> Self {
        var json = Self()
        json.open(path: path)
        json.append(#""error":"#)
        json.appendString(message)
        json.append("}")
        return json
    }

    /// The bytes followed by a line feed, as a buffer to send.
    var line: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    private mutating func open(path: String?) {
        append("{")
        if let path {
            append(#""path":"#)
            appendString(path)
            append(",")
        }
    }

    private mutating func append(_ text: String) { bytes += text.utf8 }

    /// A JSON string literal (RFC 8259): `"` and `\` escaped, control characters and the
    /// JavaScript line separators U+2028/U+2029 as `\uXXXX`, all else as UTF-8.
    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            let code = scalar.value
            if code == 0x22 || code == 0x5C {
                bytes += [UInt8(ascii: "\\"), UInt8(code)]
            } else if code < 0x20 || code == 0x7F || code == 0x2028 || code == 0x2029 {
                let hex = String(code, radix: 16)
                bytes += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            } else {
                bytes += Array(String(scalar).utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The shortest decimal that reads back as `value` (whole numbers without `.0`), or `null`.
    private mutating func appendNumber(_ value: Float) {
        guard value.isFinite else { return append("null") }
        let text = value.description
        append(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }
}

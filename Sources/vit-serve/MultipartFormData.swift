import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files of a `multipart/form-data` body (RFC 7578), each to be classified on its own.
enum MultipartFormData {
    /// One part: its file name (or field name) and its bytes.
    struct Part: Sendable {
        var name: String
        var data: Data
    }

    /// Whether `contentType` is `multipart/form-data` (with any parameters).
    static func isMultipart(contentType: String) -> Bool {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            == "multipart/form-data"
    }

    /// The `boundary` parameter of a content type, if it has one.
    static func boundary(ofContentType contentType: String) -> String? {
        parameter("boundary", in: contentType.split(separator: ";").dropFirst()
            .map { $0.trimmingCharacters(in: .whitespaces) }[...])
    }

    /// Splits `body` at `boundary` into its parts.
    static func parts(of body: [UInt8], boundary: String) throws(ServeError) -> [Part] {
        let delimiter = Array(("--" + boundary).utf8)
        let separator = Array(("\r\n--" + boundary).utf8)
        guard var cursor = body.starts(with: delimiter) ? delimiter.count
                : find(separator, in: body, from: 0).map({ $0 + separator.count }) else {
            throw .badRequest("the multipart body does not contain its boundary \"\(boundary)\"")
        }
        var parts: [Part] = []
        while true {
            if body[cursor...].starts(with: Array("--".utf8)) { break }     // the closing delimiter
            guard let headersStart = find(Array("\r\n".utf8), in: body, from: cursor).map({ $0 + 2 }),
                  let headersEnd = find(Array("\r\n\r\n".utf8), in: body, from: headersStart - 2),
                  let contentEnd = find(separator, in: body, from: headersEnd + 4) else {
                throw .badRequest("the multipart body ends inside part \(parts.count + 1) (no closing boundary)")
            }
            let headers = String(decoding: body[headersStart..<max(headersStart, headersEnd)], as: UTF8.self)
            parts.append(Part(name: partName(headers: headers) ?? "part \(parts.count + 1)",
                              data: Data(body[(headersEnd + 4)..<contentEnd])))
            cursor = contentEnd + separator.count
        }
        guard !parts.isEmpty else { throw .badRequest("the multipart body holds no files") }
        return parts
    }

    /// The part's `filename`, else its field `name`, from its `Content-Disposition` header.
    private static func partName(headers: String) -> String? {
        for line in headers.split(separator: "\r\n") {
            let field = line.split(separator: ":", maxSplits: 1)
            guard field.count == 2, field[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition"
            else { continue }
            let pieces = field[1].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return parameter("filename", in: pieces[...]) ?? parameter("name", in: pieces[...])
        }
        return nil
    }

    /// The value of `name=value` or `name="value"` among `pieces`.
    private static func parameter(_ name: String, in pieces: ArraySlice<String>) -> String? {
        for piece in pieces {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                return String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The offset of the first `needle` in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start >= 0, !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        // memchr finds candidates for the first byte at memory speed; memcmp checks the rest.
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let base = hay.baseAddress!, last = hay.count - pin.count
                var offset = start
                while offset <= last, let hit = memchr(base + offset, Int32(pin[0]), last - offset + 1) {
                    let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + position, pin.baseAddress!, pin.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }
}

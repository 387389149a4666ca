import Foundation

/// The bearer token `--api-key-file` names: the file's contents without surrounding whitespace.
struct APIKey: Sendable {
    private let key: [UInt8]

    /// Reads the key; a missing, unreadable or blank file is a usage error naming it.
    init(contentsOf path: String) throws(UsageError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UsageError("cannot read the API key file \(path): \((error as NSError).localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw UsageError("the API key file \(path) is empty") }
        guard !text.contains(where: \.isWhitespace) else {
            throw UsageError("the API key in \(path) contains whitespace; a bearer token cannot")
        }
        key = Array(text.utf8)
    }

    /// Whether an `Authorization` header value carries this key (`Bearer <key>`). The
    /// comparison takes the same time wherever the first difference is.
    func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7,
              authorization.prefix(7).lowercased() == "bearer " else { return false }
        let offered = Array(authorization.dropFirst(7).utf8)
        var difference = UInt8(offered.count == key.count ? 0 : 1)
        for index in key.indices { difference |= key[index] ^ (index < offered.count ? offered[index] : 0) }
        return difference == 0
    }
}

/// Why a JSON document could not be decoded as a type, and where.
package struct JSONDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    package enum Problem: Sendable, Equatable {
        /// The bytes are not JSON of the decoder's dialect.
        case syntax(JSONParseError)
        /// The value has another kind than the type needs (or is an integer out of its range).
        /// `found` quotes the value as ``JSONValue/briefDescription`` does.
        case typeMismatch(expected: String, found: String)
        /// A key or array element the type needs is absent.
        case missing
        /// The value has the right kind, but the type refused it (a `DecodingError` from its
        /// `init(from:)`); the reason is the error's description.
        case invalidValue(String)
    }

    /// The keys and array indices from the top level down to the value; empty for the document itself.
    package let path: [String]
    /// What is wrong there.
    package let problem: Problem

    /// Creates an error for the value at `path`.
    package init(path: [String], problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// The same failure, from a `DecodingError` a type's `init(from:)` threw.
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: (context.codingPath + [key]).map(\.stringValue), problem: .missing)
        case .valueNotFound(_, let context):
            self.init(path: context.codingPath.map(\.stringValue), problem: .missing)
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            self.init(path: context.codingPath.map(\.stringValue), problem: .invalidValue(context.debugDescription))
        @unknown default:
            self.init(path: [], problem: .invalidValue("\(error)"))
        }
    }

    /// The path as a dotted field name, such as `id2label.3` or `size.height`.
    package var field: String { path.joined(separator: ".") }

    /// What is wrong, without the field: "must be an integer, found 224.0",
    /// "the top level is an array, not an object".
    package var reason: String {
        switch problem {
        case .syntax(let error): error.description
        case .typeMismatch(let expected, let found) where path.isEmpty: "the top level is \(found), not \(expected)"
        case .typeMismatch(let expected, let found): "must be \(expected), found \(found)"
        case .missing: "is missing"
        case .invalidValue(let reason): reason
        }
    }

    /// The field (in quotes) and the reason.
    package var description: String { path.isEmpty ? reason : "\"\(field)\" \(reason)" }
}

import Checkpoints

/// A Hugging Face Hub model repository id, such as `google/vit-base-patch16-224` (or a bare
/// `gpt2`-style name), validated the way `huggingface_hub` validates it.
public struct RepositoryID: Sendable, Hashable, CustomStringConvertible {
    /// The id as written: `namespace/name` or `name`.
    public let rawValue: String

    /// Validates `string` as a repository id: one or two `/`-separated parts of letters, digits,
    /// `_`, `-` and `.`, each starting and ending with a letter, digit or `_`; no `--` or `..`;
    /// not ending in `.git`; at most 96 characters. Returns `nil` otherwise.
    public init?(_ string: String) {
        guard !string.isEmpty, string.count <= 96, !string.contains("--"), !string.contains(".."),
              !string.hasSuffix(".git") else { return nil }
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy(Self.isValidPart) else { return nil }
        rawValue = string
    }

    /// The cache folder name `huggingface_hub` uses: `models--namespace--name`.
    public var cacheFolderName: String {
        (["models"] + rawValue.split(separator: "/").map(String.init)).joined(separator: "--")
    }

    /// The id itself.
    public var description: String { rawValue }

    private static func isValidPart(_ part: Substring) -> Bool {
        guard let first = part.unicodeScalars.first, let last = part.unicodeScalars.last else { return false }
        let isWord: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
        return isWord(first) && isWord(last)
            && part.unicodeScalars.allSatisfy { isWord($0) || $0 == "-" || $0 == "." }
    }
}

/// Checks on revisions (branch, tag or commit hash) before they become URL and path components.
enum Revision {
    /// Whether `revision` is a full commit hash (40 lowercase hex digits), which the cache stores
    /// snapshots under directly.
    static func isCommitHash(_ revision: String) -> Bool {
        revision.utf8.count == 40 && revision.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Whether `revision` can safely name a file under `refs/`: non-empty `/`-separated parts,
    /// none of them `.` or `..` (branches like `refs/pr/1` nest, as in `huggingface_hub`).
    static func isValid(_ revision: String) -> Bool {
        ShardIndex.isSafeRelativePath(revision)
    }
}

import ArgumentParser

/// One of `count` deterministic, disjoint parts of the input (`--shard I/N`).
///
/// An image belongs to part `StableHash.hash(key) mod count`, where the key is its path relative
/// to the folder argument it was found in (or the file argument itself). Hashing, rather than
/// taking every N-th file of the sorted list, keeps each image in the same part when files are
/// added to or removed from the folders, so a resumed or re-run shard still owns the images it
/// wrote, and the key being relative lets machines that mount the same folder at different
/// places agree on the parts.
struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// This part's number, `0 ..< count`.
    let index: Int
    /// How many parts there are.
    let count: Int

    /// The whole input as a single part.
    static let all = Shard(index: 0, count: 1)

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` with `0 ≤ I < N`, saying what is wrong otherwise (argument-parser shows the message after
    /// "The value '3/3' is invalid for '--shard <I/N>':").
    static func parse(_ argument: String) throws(ValidationError) -> Shard {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ValidationError("write it as I/N, two whole numbers, e.g. 0/4 for the first of four parts")
        }
        guard count >= 1 else { throw ValidationError("the number of parts N must be at least 1") }
        guard index >= 0, index < count else {
            throw ValidationError("the part number I must be in 0…\(count - 1) (0 ≤ I < N; parts are numbered from 0)")
        }
        return Shard(index: index, count: count)
    }

    var description: String { "\(index)/\(count)" }

    /// Whether the image with this shard key belongs to this part.
    func contains(key: String) -> Bool {
        count == 1 || Int(StableHash.hash(key) % UInt64(count)) == index
    }
}

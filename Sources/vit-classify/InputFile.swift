/// One file to label.
struct InputFile: Sendable, Equatable {
    /// The path as results name it: the argument itself, or the argument joined with the path
    /// found under it (`photos` + `2024/cat.jpg` → `photos/2024/cat.jpg`).
    let path: String
    /// What decides the file's shard: the path relative to the folder argument it was found in,
    /// or the file argument as given (see ``Shard``).
    let shardKey: String
}

/// A file found in a folder that is not labelled, and why.
struct SkippedFile: Sendable, Equatable {
    let path: String
    let reason: String
}

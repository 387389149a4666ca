/// A problem with the command line or its files that stops the run before any image is
/// labelled; exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A model that cannot be loaded; exit status 2. The message says why and what to do.
struct ModelLoadingError: Error, CustomStringConvertible {
    let description: String
}

/// A problem with the command line or its files that stops the server before it starts;
/// exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import Foundation

/// A failed system call's `errno`, with the system's message for it.
struct SystemError: Error, Sendable {
    let code: Int32

    /// The current `errno`.
    static var current: SystemError { SystemError(code: errno) }

    /// The system's message (`strerror`), such as `No space left on device`.
    var message: String { String(cString: strerror(code)) }
}

import Foundation

/// Everything the command writes, behind one lock: result records (to standard output or the
/// `--output` file), error messages and the progress line (standard error).
///
/// The progress line is redrawn in place with `\r` and `ESC[K`, and is erased before anything
/// else is written to the same terminal, so results, errors and progress never garble each
/// other. The interrupt handler takes the same lock, so it can never stop the process in the
/// middle of a record.
final class Console: @unchecked Sendable {
    private let lock = NSLock()
    /// Whether standard error is a terminal (progress and the summary are shown only then).
    let showsProgress: Bool
    // Guarded by `lock`:
    private var records: OutputSink
    private var recordsOnTerminal: Bool
    private var progressLine = ""
    private let standardError = OutputSink(descriptor: STDERR_FILENO, name: "standard error")

    /// A console writing records to standard output.
    init(showsProgress: Bool) {
        self.showsProgress = showsProgress
        records = .standardOutput
        recordsOnTerminal = Terminal.isTerminal(STDOUT_FILENO)
    }

    /// Sends the records to `sink` (the `--output` file) from now on.
    func redirectRecords(to sink: OutputSink) {
        withLock {
            records = sink
            recordsOnTerminal = sink.descriptor == STDOUT_FILENO && Terminal.isTerminal(STDOUT_FILENO)
        }
    }

    /// Whether per-image errors are also written to standard error: they are, unless the
    /// records themselves are on the terminal already.
    var echoesErrors: Bool { withLock { !recordsOnTerminal } }

    /// Whether records go to the terminal that also shows the progress line.
    private var recordsShareTerminal: Bool { showsProgress && recordsOnTerminal }

    /// Runs `body` holding the lock.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Writes one complete record.
    func writeRecord(_ text: String) throws(OutputSink.WriteError) {
        lock.lock()
        defer { lock.unlock() }
        if recordsShareTerminal { eraseProgressLocked() }
        defer { if recordsShareTerminal { drawProgressLocked() } }
        try records.write(text)
    }

    /// Writes `vit-classify: message` on standard error.
    func reportError(_ message: String) {
        printLine("vit-classify: " + message)
    }

    /// Writes a line on standard error.
    func printLine(_ line: String) {
        withLock {
            eraseProgressLocked()
            try? standardError.write(line + "\n")
            drawProgressLocked()
        }
    }

    /// Replaces the progress line (shown only when standard error is a terminal).
    func progress(_ line: String) {
        guard showsProgress else { return }
        withLock {
            let width = Terminal.width(of: STDERR_FILENO) ?? 80
            progressLine = line.count < width ? line : String(line.prefix(width - 2)) + "…"
            drawProgressLocked()
        }
    }

    /// Removes the progress line for good.
    func endProgress() {
        withLock { endProgressLocked() }
    }

    /// ``endProgress()`` for a caller already holding the lock.
    func endProgressLocked() {
        eraseProgressLocked()
        progressLine = ""
    }

    /// ``printLine(_:)`` for a caller already holding the lock; leaves the progress line erased.
    func printLineLocked(_ line: String) {
        eraseProgressLocked()
        try? standardError.write(line + "\n")
    }

    private func eraseProgressLocked() {
        guard showsProgress, !progressLine.isEmpty else { return }
        try? standardError.write("\r\u{1B}[K")
    }

    private func drawProgressLocked() {
        guard showsProgress, !progressLine.isEmpty else { return }
        try? standardError.write("\r" + progressLine + "\u{1B}[K")
    }
}

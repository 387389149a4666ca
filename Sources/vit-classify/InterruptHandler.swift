import Foundation

/// The pipe the signal handler writes a signal number into. Set once, before the handler is
/// installed; afterwards only read (from the handler).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns SIGINT (Ctrl-C) and SIGTERM into an orderly stop.
///
/// The C signal handler only writes the signal number into a pipe (`write(2)` is
/// async-signal-safe, and it works whichever thread — ours, OpenBLAS's — the kernel picks). A
/// watcher thread reads it and runs the stop action, which takes the ``Console`` lock first: a
/// record being written is finished, no new one is started, and the process exits with
/// 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as shells expect.
enum InterruptHandler {
    /// Installs the handler; `stop` runs on the watcher thread at the first signal and must not
    /// return.
    static func install(_ stop: @escaping @Sendable (Int32) -> Never) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        let watcher = Thread {
            var number: UInt8 = 0
            while true {
                let count = read(readEnd, &number, 1)
                if count == 1 { stop(Int32(number)) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
            }
        }
        watcher.name = "vit-classify signals"
        watcher.start()
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
    }
}

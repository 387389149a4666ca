import Foundation
import Testing

/// Runs the built `vit-classify` executable, as a user would.
struct CommandRunner {
    /// What a finished run left.
    struct Outcome {
        /// The exit status, or 128 + the signal number if a signal ended the process.
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The executable: `$VIT_CLASSIFY`, else the one built next to the test bundle (the test
    /// target depends on it, so `swift test` builds it there), else the package's `.build`.
    static let executable: URL = {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["VIT_CLASSIFY"] { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        directories.append(testBinary.deletingLastPathComponent())
        if let bundle = Bundle.main.executableURL { directories.append(bundle.deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for configuration in ["release", "debug"] {
            directories.append(TestFixtures.packageRoot.appendingPathComponent(".build/\(configuration)"))
        }
        for directory in directories {
            var candidate = directory
            // Inside a .xctest bundle directory (macOS layout), the products are further up.
            while candidate.path != "/" {
                let executable = candidate.appendingPathComponent("vit-classify")
                if fileManager.isExecutableFile(atPath: executable.path) { return executable }
                if !candidate.path.contains(".xctest") { break }
                candidate.deleteLastPathComponent()
            }
        }
        return directories[0].appendingPathComponent("vit-classify")
    }()

    /// Environment for every run: an empty Hugging Face cache and offline mode, so that a test
    /// can never download anything or read the developer's own cache.
    static func environment(_ extra: [String: String] = [:], cache: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_CACHE"] = cache.path
        environment["HF_HUB_OFFLINE"] = "1"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Starts `vit-classify arguments…` in `directory`, standard output and error going to files
    /// in `scratch`; with a `launcher`, `launcher… vit-classify arguments…` instead.
    static func start(_ arguments: [String], in directory: URL, scratch: URL,
                      environment extra: [String: String] = [:], launcher: [String] = []) throws -> RunningCommand {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = launcher.dropFirst() + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        process.environment = environment(extra, cache: scratch.appendingPathComponent("empty-hf-cache"))
        let name = UUID().uuidString
        let out = scratch.appendingPathComponent("\(name).stdout"), err = scratch.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCommand(process: process, standardOutput: out, standardError: err)
    }

    /// Runs `vit-classify arguments…` to the end (at most `timeout` seconds).
    static func run(_ arguments: [String], in directory: URL, scratch: URL, environment: [String: String] = [:],
                    launcher: [String] = [], timeout: Double = 120) throws -> Outcome {
        try start(arguments, in: directory, scratch: scratch, environment: environment, launcher: launcher)
            .wait(timeout: timeout)
    }
}

/// A `vit-classify` process that has been started.
struct RunningCommand {
    let process: Process
    let standardOutput: URL
    let standardError: URL

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end, killing it (and failing the test) after `timeout` seconds.
    func wait(timeout: Double = 120) throws -> CommandRunner.Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                send(SIGKILL)
                process.waitUntilExit()
                Issue.record("vit-classify did not finish within \(timeout) s")
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus
                                                                  : process.terminationStatus
        return CommandRunner.Outcome(status: status,
                                     standardOutput: try String(contentsOf: standardOutput, encoding: .utf8),
                                     standardError: try String(contentsOf: standardError, encoding: .utf8))
    }
}

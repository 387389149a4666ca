import Foundation
import Testing
import TestSupport

/// A `vit-serve` process started on a free loopback port (`--port 0`; the port is read from its
/// "listening on HOST:PORT" line), ended when the test is done with it.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let output: URL
    private let errors: URL
    private let scratch = TemporaryDirectory()

    /// The executable `swift test` built beside the test bundle (the test target depends on it),
    /// else the package's `.build/release`.
    static let executable: URL = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let candidates = [bundleDirectory, PackageRoot.url.appendingPathComponent(".build/release"),
                          PackageRoot.url.appendingPathComponent(".build/debug")]
            .map { $0.appendingPathComponent("vit-serve") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// The tiny fixture model: two layers, 32×32 inputs, milliseconds per batch.
    static let tinyModel = PackageRoot.fixtures.appendingPathComponent("models/tiny/f32").path

    /// Starts `vit-serve --port 0 arguments…` and waits (at most 60 s) until it listens and its
    /// model is loaded (`/ready` answers 200).
    init(_ arguments: [String], model: String = ServerProcess.tinyModel, waitForReady: Bool = true) async throws {
        output = scratch.file("stdout")
        errors = scratch.file("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = Self.executable
        process.arguments = ["--model", model, "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_OFFLINE"] = "1"
        environment["HF_HUB_CACHE"] = scratch.file("empty-hf-cache").path
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        var found: Int?
        while found == nil {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").lazy.compactMap { line in
                line.hasPrefix("listening on ") ? line.split(separator: ":").last.flatMap { Int($0) } : nil
            }.first
            guard found == nil else { break }
            guard process.isRunning, ContinuousClock.now < deadline else {
                let errors = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                throw ServerFailure(message: "vit-serve did not start: \(errors)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        port = found!
        if waitForReady {
            try await eventually("the model is loaded") { try await self.get("/ready").status == 200 }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var standardError: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (at most 30 s) for the exit status.
    func stop(with signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ServerFailure(message: "vit-serve did not exit") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Polls `condition` every 10 ms until it holds, for at most 30 s.
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !condition() {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw ServerFailure(message: "timed out waiting until \(what); stderr: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

struct ServerFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Runs `vit-serve arguments…` to its end (for arguments it refuses), returning the status and
/// standard error.
func runRefused(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
    let process = Process(), errors = Pipe()
    process.executableURL = ServerProcess.executable
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

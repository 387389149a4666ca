import ArgumentParser
import Foundation

// Parse, serve, and map the outcome to an exit status: 0 after a graceful shutdown, 2 for usage
// errors and unloadable models, 1 for anything else that stops the server.
do {
    var parsed = try VitServe.parseAsRoot()
    guard let command = parsed as? VitServe else {
        // `--help` parses as argument-parser's own help command, which prints and exits.
        try parsed.run()
        exit(0)
    }
    try await command.serve()
    exit(0)
} catch let error as UsageError {
    FileHandle.standardError.write(Data("vit-serve: \(error)\n".utf8))
    exit(2)
} catch {
    let code = VitServe.exitCode(for: error)
    let message = VitServe.fullMessage(for: error)
    if code.isSuccess {
        print(message)
        exit(0)
    }
    let isUsage = code == .validationFailure || error is ValidationError
    FileHandle.standardError.write(Data(((isUsage ? "" : "vit-serve: ") + message + "\n").utf8))
    exit(isUsage ? 2 : 1)
}

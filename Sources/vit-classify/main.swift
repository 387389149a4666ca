import ArgumentParser
import Foundation

// Parse, run, and map every outcome to the documented exit status: 0 all labelled, 1 some
// failed, 2 usage errors and unloadable models (argument-parser's own default would be 64).
do {
    var parsed = try VitClassify.parseAsRoot()
    guard let command = parsed as? VitClassify else {
        // `--help` parses as argument-parser's own help command, which prints and exits.
        try parsed.run()
        exit(0)
    }
    exit(try await command.execute())
} catch let error as UsageError {
    FileHandle.standardError.write(Data("vit-classify: \(error)\n".utf8))
    exit(2)
} catch let error as OutputSink.WriteError {
    FileHandle.standardError.write(Data("vit-classify: \(error)\n".utf8))
    exit(1)
} catch let error as ModelLoadingError {
    FileHandle.standardError.write(Data("vit-classify: \(error)\n".utf8))
    exit(2)
} catch {
    let code = VitClassify.exitCode(for: error)
    var message = VitClassify.fullMessage(for: error)
    if code.isSuccess {
        print(message)
        exit(0)
    }
    // One prefix for every message: argument-parser's "Error: " becomes "vit-classify: ".
    if message.hasPrefix("Error: ") { message = "vit-classify: " + message.dropFirst("Error: ".count) }
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(2)
}

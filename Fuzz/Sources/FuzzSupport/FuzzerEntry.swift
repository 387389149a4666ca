import CFuzzerDriver
import Foundation

/// What a harness does with one input: libFuzzer's `LLVMFuzzerTestOneInput` signature.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `target` with the program's arguments.
///
/// Each harness exports its target as `LLVMFuzzerTestOneInput`, which libFuzzer's own `main`
/// calls — in release builds. Debug builds are linked by SwiftPM with `--defsym
/// main=<Target>_main` (its entry point for testable executables), which replaces libFuzzer's
/// `main`; so each harness also exports `<Target>_main`, which comes here and hands over to
/// libFuzzer's driver. Both configurations then behave the same.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ target: FuzzTarget) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, target)
}

/// The input as `Data` (libFuzzer passes a null pointer for an empty input).
public func inputData(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    guard let start, count > 0 else { return Data() }
    return Data(bytes: start, count: count)
}

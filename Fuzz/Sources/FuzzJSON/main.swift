// libFuzzer entry point: any bytes → StrictJSON's parser, with each duplicate-key policy, with and
// without Python's non-finite numbers; then every number of an accepted document read as every
// type the decoders ask for.
//
// Checks, beyond ASan's (which also catches a stack overflow from deep nesting): the looser modes
// accept whatever the stricter ones do; reading a number never traps.
import Foundation
import FuzzSupport
import StrictJSON

/// Reads every number of `value`, to depth `depth` (the parser bounds it).
func visit(_ value: JSONValue) {
    switch value {
    case .null, .bool, .string:
        break
    case .number(let number):
        _ = (number.uint64Value, number.intValue, number.doubleValue, number.isInteger)
    case .array(let elements):
        elements.forEach(visit)
    case .object(let object):
        object.members.forEach { visit($0.value) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    let strict = try? JSONParser.parse(bytes)
    let python = try? JSONParser.parse(bytes, duplicateKeys: .keepLast, allowsNonFiniteNumbers: true)
    if strict != nil {
        precondition(python != nil, "the Python dialect refused what the strict one accepted")
        precondition((try? JSONParser.parse(bytes, duplicateKeys: .keepLast)) != nil, "keepLast refused it")
        precondition((try? JSONParser.parse(bytes, allowsNonFiniteNumbers: true)) != nil, "non-finite refused it")
    }
    if let python { visit(python) }
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzJSON_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzJSON)
}

import Foundation

extension ImageDecodingError {
    /// ``unreadableFile(path:reason:)`` for `path`, with the system's words for why `error` happened ("No
    /// such file or directory", "Permission denied", "Is a directory"): one message for the library and the
    /// command line, instead of Foundation's "The file … couldn't be opened because there is no such file."
    public static func unreadableFile(path: String, error: any Error) -> ImageDecodingError {
        .unreadableFile(path: path, reason: systemReason(error))
    }

    private static func systemReason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if nsError.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: nsError.code) {
            case .fileReadNoSuchFile, .fileNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileReadNoPermission: return String(cString: strerror(EACCES))
            default: break
            }
        }
        return nsError.localizedDescription
    }
}

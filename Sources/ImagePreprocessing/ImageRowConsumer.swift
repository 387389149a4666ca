/// Receives a decoded image's rows, top to bottom as stored (before any EXIF orientation), one at a time.
///
/// Decoders call ``consume(_:)`` once per row and keep no row after the call returns, so a consumer that
/// resizes as rows arrive lets an image of any height pass through a few rows of memory.
protocol ImageRowConsumer: AnyObject {
    /// Takes the next row: `width × 3` bytes, RGB interleaved, valid only during the call.
    func consume(_ row: UnsafePointer<UInt8>)
}

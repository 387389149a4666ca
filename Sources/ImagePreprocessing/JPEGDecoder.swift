import CJPEG

/// Decodes JPEG pixels with libjpeg-turbo's TurboJPEG API, which catches libjpeg's longjmp-based errors
/// inside the library and reports them by return code, so no longjmp ever crosses a Swift frame.
///
/// TurboJPEG's defaults are the ones Pillow's decoder uses (accurate integer IDCT, fancy upsampling), and
/// libjpeg itself picks the colour space, as it does under Pillow. Gray and YCbCr/RGB files are decoded
/// straight to RGB; CMYK and YCCK files are decoded to CMYK and converted the way Pillow does (inverted
/// "Adobe" polarity, then its `cmyk2rgb`).
enum JPEGDecoder {
    static func decode(_ structure: JPEGStructure, from bytes: UnsafeRawBufferPointer)
        throws(ImageDecodingError) -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw .corrupt(source: nil, format: .jpeg, reason: "TurboJPEG could not create a decompressor")
        }
        defer { tjDestroy(handle) }

        if structure.componentCount == 4 {
            let cmyk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: structure.width * structure.height * 4)
            defer { cmyk.deallocate() }
            try decompress(handle, bytes, structure, pixelFormat: TJPF_CMYK, into: cmyk)
            return RGBImage(width: structure.width, height: structure.height) { pixels in
                convertCMYK(cmyk, to: pixels)
            }
        }
        return try RGBImage(width: structure.width, height: structure.height) { (pixels) throws(ImageDecodingError) in
            try decompress(handle, bytes, structure, pixelFormat: TJPF_RGB, into: pixels)
        }
    }

    /// Decompresses into `buffer` (`width × height` pixels of `pixelFormat`), applying Pillow's rule for
    /// incomplete data.
    ///
    /// A file that ends early makes libjpeg warn ("Premature end of JPEG file") and fill the missing rows with
    /// gray. Pillow instead raises "image file is truncated" whenever the data ends before the EOI marker,
    /// even if only the marker itself is missing (its suspending decoder is still waiting for input), so a
    /// warning without an EOI is truncation. Other warnings (corrupt entropy data in a complete file) are
    /// accepted, as Pillow accepts them.
    private static func decompress(_ handle: tjhandle, _ bytes: UnsafeRawBufferPointer, _ structure: JPEGStructure,
                                   pixelFormat: TJPF, into buffer: UnsafeMutableBufferPointer<UInt8>)
        throws(ImageDecodingError) {
        let warned = try run(handle, bytes, structure, pixelFormat, into: buffer)
        if warned, !structure.hasEndOfImage { throw .truncated(source: nil, format: .jpeg) }
    }

    /// One `tjDecompress2` call; returns whether libjpeg warned, throws if it failed.
    private static func run(_ handle: tjhandle, _ bytes: UnsafeRawBufferPointer, _ structure: JPEGStructure,
                            _ pixelFormat: TJPF, into buffer: UnsafeMutableBufferPointer<UInt8>)
        throws(ImageDecodingError) -> Bool {
        // TJFLAG_LIMITSCANS refuses progressive files with more than 500 scans, which take unbounded time.
        let status = tjDecompress2(handle, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                   UInt(bytes.count), buffer.baseAddress, Int32(structure.width), 0,
                                   Int32(structure.height), Int32(pixelFormat.rawValue), TJFLAG_LIMITSCANS)
        guard status != 0 else { return false }
        let message = String(cString: tjGetErrorStr2(handle))
        guard tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else {
            if !structure.hasEndOfImage, message.contains("Premature end") || message.contains("no image") {
                throw .truncated(source: nil, format: .jpeg)
            }
            throw .corrupt(source: nil, format: .jpeg, reason: message)
        }
        return true
    }

    /// Pillow's CMYK path: its JPEG plugin reads libjpeg's CMYK as `CMYK;I` (every byte inverted, the Adobe
    /// convention), and `convert("RGB")` computes `R = 255 − K' − C'(255 − K')/255` with its rounded
    /// `MULDIV255`, where C' and K' are the inverted values; likewise for G and B.
    static func convertCMYK(_ cmyk: UnsafeMutableBufferPointer<UInt8>, to rgb: UnsafeMutableBufferPointer<UInt8>) {
        var input = UnsafePointer(cmyk.baseAddress!), output = rgb.baseAddress!
        for _ in 0..<(rgb.count / 3) {
            let notBlack = Int(input[3])  // 255 − K' where K' = 255 − k
            for channel in 0..<3 {
                let ink = 255 - Int(input[channel])
                let product = ink * notBlack + 128
                let scaled = ((product >> 8) + product) >> 8
                output[channel] = UInt8(clamping: notBlack - scaled)
            }
            input += 4
            output += 3
        }
    }
}

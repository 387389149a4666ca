/// The EXIF `Orientation` tag (0x0112): how the stored pixels must be turned to show the picture upright.
///
/// The case names say where the stored image's first row and first column belong (TIFF 6.0 wording).
/// ``transposing(_:)`` applies the same `Image.transpose` that Pillow's `ImageOps.exif_transpose` picks for
/// each value, so decoded images match what transformers' `load_image` hands to a processor.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: already upright; nothing to do.
    case topLeft = 1
    /// 2: mirrored left to right (Pillow `FLIP_LEFT_RIGHT`).
    case topRight = 2
    /// 3: upside down (Pillow `ROTATE_180`).
    case bottomRight = 3
    /// 4: mirrored top to bottom (Pillow `FLIP_TOP_BOTTOM`).
    case bottomLeft = 4
    /// 5: mirrored across the main diagonal (Pillow `TRANSPOSE`).
    case leftTop = 5
    /// 6: turned a quarter to the left when stored, so it is turned clockwise (Pillow `ROTATE_270`).
    case rightTop = 6
    /// 7: mirrored across the anti-diagonal (Pillow `TRANSVERSE`).
    case rightBottom = 7
    /// 8: turned a quarter to the right when stored, so it is turned counter-clockwise (Pillow `ROTATE_90`).
    case leftBottom = 8

    /// Whether the upright image has the stored image's height as its width.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// The upright version of `image`, which was stored with this orientation.
    public func transposing(_ image: RGBImage) -> RGBImage {
        guard self != .topLeft else { return image }
        let inWidth = image.width, inHeight = image.height
        let outWidth = swapsDimensions ? inHeight : inWidth
        let outHeight = swapsDimensions ? inWidth : inHeight
        // For each output pixel (x, y) the source is (x0 + x·dxx + y·dxy, y0 + x·dyx + y·dyy).
        let (x0, dxx, dxy, y0, dyx, dyy): (Int, Int, Int, Int, Int, Int)
        switch self {
        case .topLeft: (x0, dxx, dxy, y0, dyx, dyy) = (0, 1, 0, 0, 0, 1)
        case .topRight: (x0, dxx, dxy, y0, dyx, dyy) = (inWidth - 1, -1, 0, 0, 0, 1)
        case .bottomRight: (x0, dxx, dxy, y0, dyx, dyy) = (inWidth - 1, -1, 0, inHeight - 1, 0, -1)
        case .bottomLeft: (x0, dxx, dxy, y0, dyx, dyy) = (0, 1, 0, inHeight - 1, 0, -1)
        case .leftTop: (x0, dxx, dxy, y0, dyx, dyy) = (0, 0, 1, 0, 1, 0)
        case .rightTop: (x0, dxx, dxy, y0, dyx, dyy) = (0, 0, 1, inHeight - 1, -1, 0)
        case .rightBottom: (x0, dxx, dxy, y0, dyx, dyy) = (inWidth - 1, 0, -1, inHeight - 1, -1, 0)
        case .leftBottom: (x0, dxx, dxy, y0, dyx, dyy) = (inWidth - 1, 0, -1, 0, 1, 0)
        }
        // A step of one output column moves this many bytes in the source; likewise for a row.
        let columnStep = (dyx * inWidth + dxx) * 3
        let rowStep = (dyy * inWidth + dxy) * 3
        return image.pixels.withUnsafeBufferPointer { source in
            RGBImage(width: outWidth, height: outHeight) { (output: UnsafeMutableBufferPointer<UInt8>) in
                let src = source.baseAddress!, dst = output.baseAddress!
                var rowStart = (y0 * inWidth + x0) * 3
                var out = 0
                for _ in 0..<outHeight {
                    var offset = rowStart
                    for _ in 0..<outWidth {
                        dst[out] = src[offset]
                        dst[out + 1] = src[offset + 1]
                        dst[out + 2] = src[offset + 2]
                        out += 3
                        offset += columnStep
                    }
                    rowStart += rowStep
                }
            }
        }
    }
}

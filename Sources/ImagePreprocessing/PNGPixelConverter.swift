/// Turns unfiltered PNG samples into 8-bit RGB as Pillow's `convert("RGB")` does.
///
/// Gray is repeated into the three channels; 1/2/4-bit gray is scaled by 255/85/17; palette indices are looked
/// up, an index beyond the `PLTE` entries giving black; alpha, and any `tRNS` transparency, is dropped rather
/// than composited. 16-bit samples keep their high byte, except 16-bit gray without alpha, which Pillow opens as
/// mode `I;16` and converts by clipping to 255 (so `min(v, 255)`; a 16-bit gray photo comes out almost white,
/// and so it does for a transformers user).
struct PNGPixelConverter: Sendable {
    let colorType: UInt8
    let bitDepth: UInt8
    /// 256 RGB entries, zero beyond the palette's own (palette images only).
    private let palette: [UInt8]

    /// A converter for `colorType` and `bitDepth`, with the data of the `PLTE` chunk for palette images.
    init(colorType: UInt8, bitDepth: UInt8, paletteData: UnsafeRawBufferPointer?) {
        self.colorType = colorType
        self.bitDepth = bitDepth
        var palette = [UInt8](repeating: 0, count: 768)
        if colorType == 3, let paletteData {
            // libpng keeps at most 2^depth entries; the rest could never be indexed anyway.
            let entries = min(paletteData.count / 3, 1 << Int(bitDepth))
            for index in 0..<(entries * 3) { palette[index] = paletteData[index] }
        }
        self.palette = palette
    }

    /// The 8-bit value of the 16-bit gray sample `high << 8 | low` (colour type 0): Pillow's `I;16` to `RGB`
    /// conversion, which clips to 255.
    @inline(__always)
    static func clippedGray(high: UInt8, low: UInt8) -> UInt8 { high == 0 ? low : 255 }

    /// Writes `count` RGB pixels from the unfiltered row `raw` into `rgb`.
    func convert(_ raw: UnsafePointer<UInt8>, count: Int, into rgb: UnsafeMutablePointer<UInt8>) {
        switch (colorType, bitDepth) {
        case (0, 8): gray8(raw, count, rgb, step: 1)
        case (4, 8): gray8(raw, count, rgb, step: 2)
        case (0, 16): clippedGray16(raw, count, rgb)
        case (4, 16): gray8(raw, count, rgb, step: 4)  // the high byte of each gray sample
        case (0, _): grayPacked(raw, count, rgb)
        case (2, 8): color8(raw, count, rgb, step: 3)
        case (6, 8): color8(raw, count, rgb, step: 4)
        case (2, _): color16(raw, count, rgb, step: 6)
        case (6, _): color16(raw, count, rgb, step: 8)
        default: indexed(raw, count, rgb)
        }
    }

    private func gray8(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>, step: Int) {
        for pixel in 0..<count {
            let value = raw[pixel * step]
            rgb[3 * pixel] = value
            rgb[3 * pixel + 1] = value
            rgb[3 * pixel + 2] = value
        }
    }

    private func clippedGray16(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>) {
        for pixel in 0..<count {
            let value = Self.clippedGray(high: raw[2 * pixel], low: raw[2 * pixel + 1])
            rgb[3 * pixel] = value
            rgb[3 * pixel + 1] = value
            rgb[3 * pixel + 2] = value
        }
    }

    /// 1, 2 or 4 bits per gray sample, most significant bits first.
    private func grayPacked(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>) {
        let bits = Int(bitDepth)
        let mask = UInt8((1 << bits) - 1)
        let scale = UInt8(255 / Int(mask))
        for pixel in 0..<count {
            let bit = pixel * bits
            let sample = raw[bit >> 3] >> UInt8(8 - bits - (bit & 7)) & mask
            let value = sample &* scale
            rgb[3 * pixel] = value
            rgb[3 * pixel + 1] = value
            rgb[3 * pixel + 2] = value
        }
    }

    private func color8(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>, step: Int) {
        if step == 3 {
            rgb.update(from: raw, count: 3 * count)
            return
        }
        for pixel in 0..<count {
            rgb[3 * pixel] = raw[pixel * step]
            rgb[3 * pixel + 1] = raw[pixel * step + 1]
            rgb[3 * pixel + 2] = raw[pixel * step + 2]
        }
    }

    /// The high byte of each 16-bit colour sample (big-endian: the first of its two bytes).
    private func color16(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>, step: Int) {
        for pixel in 0..<count {
            let source = raw + pixel * step
            rgb[3 * pixel] = source[0]
            rgb[3 * pixel + 1] = source[2]
            rgb[3 * pixel + 2] = source[4]
        }
    }

    private func indexed(_ raw: UnsafePointer<UInt8>, _ count: Int, _ rgb: UnsafeMutablePointer<UInt8>) {
        let bits = Int(bitDepth)
        let mask = UInt8((1 << bits) - 1)
        palette.withUnsafeBufferPointer { table in
            for pixel in 0..<count {
                let bit = pixel * bits
                let index = Int(raw[bit >> 3] >> UInt8(8 - bits - (bit & 7)) & mask)
                rgb[3 * pixel] = table[3 * index]
                rgb[3 * pixel + 1] = table[3 * index + 1]
                rgb[3 * pixel + 2] = table[3 * index + 2]
            }
        }
    }
}

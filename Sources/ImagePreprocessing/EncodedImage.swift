import Foundation

/// An image file whose structure has been read — format, size, orientation — but none of whose pixels have
/// been decoded yet; made by ``ImageDecoder/open(_:source:)``.
///
/// Decode it whole with ``decoded()``, or let ``ImageProcessor/process(_:)-(EncodedImage)`` decode it row by
/// row straight into the resize, which needs memory for the output and a few rows only.
public struct EncodedImage: Sendable {
    /// The file's bytes.
    public let data: Data
    /// The name errors use for the bytes (a path or URL), if any.
    public let source: String?
    /// The format, from the leading bytes.
    public var format: ImageFormat {
        switch structure {
        case .jpeg: .jpeg
        case .png: .png
        }
    }
    /// The size as stored, before the orientation is applied.
    public let storedWidth: Int, storedHeight: Int
    /// The orientation that will be applied (``ExifOrientation/topLeft`` when the decoder applies none).
    public let orientation: ExifOrientation
    /// The upright width: what the decoded image and the processor see.
    public var width: Int { orientation.swapsDimensions ? storedHeight : storedWidth }
    /// The upright height.
    public var height: Int { orientation.swapsDimensions ? storedWidth : storedHeight }

    enum Structure: Sendable {
        case jpeg(JPEGStructure)
        case png(PNGStructure)
    }

    let structure: Structure
    let decoder: ImageDecoder

    init(data: Data, source: String?, structure: Structure, decoder: ImageDecoder) {
        self.data = data
        self.source = source
        self.structure = structure
        self.decoder = decoder
        switch structure {
        case .jpeg(let jpeg):
            (storedWidth, storedHeight) = (jpeg.width, jpeg.height)
            orientation = decoder.appliesOrientation ? jpeg.orientationMetadata.orientation : .topLeft
        case .png(let png):
            (storedWidth, storedHeight) = (png.width, png.height)
            orientation = decoder.appliesOrientation ? png.orientationMetadata.orientation : .topLeft
        }
    }

    /// The whole upright image.
    ///
    /// - Throws: ``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)`` before allocating if the
    ///   image (twice, when the orientation moves pixels) and the decoder's buffers exceed the budget.
    public func decoded() throws(ImageDecodingError) -> RGBImage {
        let (pixels, overflow) = (3 * storedWidth).multipliedReportingOverflow(by: storedHeight)
        let copies = orientation == .topLeft ? 1 : 2
        let imageBytes = overflow || pixels > Int.max / 2 ? Int.max : copies * pixels
        let image = try decodeRows(consumerBytes: imageBytes) { () -> RowCollector in
            RowCollector(width: storedWidth, height: storedHeight)
        } finish: { collector in
            collector.image()
        }
        return orientation.transposing(image)
    }

    /// Decodes every row into the consumer `make` creates once the budget check has passed (for
    /// `consumerBytes`, the consumer's own allocations), and returns what `finish` makes of it.
    func decodeRows<Consumer: ImageRowConsumer, Result>(
        consumerBytes: Int, make: () -> Consumer, finish: (Consumer) -> Result
    ) throws(ImageDecodingError) -> Result {
        let result = data.withUnsafeBytes { bytes in
            Swift.Result { () throws(ImageDecodingError) -> Result in
                try decodeRows(bytes, consumerBytes: consumerBytes, make: make, finish: finish)
            }
        }
        do throws(ImageDecodingError) {
            return try result.get()
        } catch {
            throw error.naming(source)
        }
    }

    private func decodeRows<Consumer: ImageRowConsumer, Result>(
        _ bytes: UnsafeRawBufferPointer, consumerBytes: Int, make: () -> Consumer, finish: (Consumer) -> Result
    ) throws(ImageDecodingError) -> Result {
        switch structure {
        case .jpeg(let jpeg):
            let reader = try JPEGRowDecoder(jpeg, from: bytes)
            let header = try reader.readHeader()
            let (needed, overflow) = header.estimatedBytes.addingReportingOverflow(consumerBytes)
            try decoder.checkBudget(overflow ? .max : needed)
            let consumer = make()
            let otherBytes = consumerBytes + header.workingBytes
            do throws(ImageDecodingError) {
                try reader.decode(into: consumer, memoryLimit: decoder.memoryBudget - otherBytes)
            } catch .exceedsMemoryBudget(_, let coefficientBytes, _) {
                // The sparse coefficient store outgrew its share as the scans arrived.
                throw .exceedsMemoryBudget(source: nil, needed: coefficientBytes + otherBytes, budget: decoder.memoryBudget)
            }
            return finish(consumer)
        case .png(let png):
            let (needed, overflow) = PNGRowDecoder.estimatedBytes(for: png).addingReportingOverflow(consumerBytes)
            try decoder.checkBudget(overflow ? .max : needed)
            let consumer = make()
            try PNGRowDecoder.decode(png, from: bytes, into: consumer)
            return finish(consumer)
        }
    }
}

/// Collects a whole image's rows.
final class RowCollector: ImageRowConsumer {
    private let width: Int, height: Int
    private var pixels: [UInt8]
    private var rows = 0

    init(width: Int, height: Int) {
        (self.width, self.height) = (width, height)
        pixels = [UInt8](unsafeUninitializedCapacity: 3 * width * height) { _, count in count = 3 * width * height }
    }

    func consume(_ row: UnsafePointer<UInt8>) {
        let length = 3 * width
        pixels.withUnsafeMutableBufferPointer { buffer in
            (buffer.baseAddress! + rows * length).update(from: row, count: length)
        }
        rows += 1
    }

    func image() -> RGBImage {
        precondition(rows == height, "the decoder produced \(rows) of \(height) rows")
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

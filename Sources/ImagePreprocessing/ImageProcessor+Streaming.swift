extension ImageProcessor {
    /// `image`'s pixel values, channels first (`[3, H, W]`), decoded row by row straight into the resize:
    /// the same values as `process(image.decoded())`, in memory for the output and a few rows instead of the
    /// whole image.
    ///
    /// - Throws: Any ``ImageDecodingError`` of the image's pixels, or
    ///   ``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)`` (before anything is allocated)
    ///   when the decoder's buffers and the resize's exceed the decoder's budget — which for most images is
    ///   a few megabytes, and for progressive JPEGs includes their compressed DCT coefficients, whose growth
    ///   scan by scan is checked against the budget too.
    public func process(_ image: EncodedImage) throws(ImageDecodingError) -> [Float] {
        let prepared = try resizedAndCropped(image)
        return process(prepared: prepared)
    }

    /// The 8-bit image after the resize and center-crop steps, decoded row by row (see ``process(_:)-(EncodedImage)``).
    public func resizedAndCropped(_ image: EncodedImage) throws(ImageDecodingError) -> RGBImage {
        let orientation = image.orientation
        let needed = ResizePlan.estimatedBytes(processor: self, storedWidth: image.storedWidth,
                                               storedHeight: image.storedHeight, orientation: orientation)
        // The output floats are allocated after decoding, but within the same budget.
        let (outputWidth, outputHeight) = outputSize(forImageWidth: image.width, height: image.height)
        let floats = 4 * channelCount * outputWidth * outputHeight
        return try image.decodeRows(consumerBytes: needed == .max ? .max : needed + floats) {
            StreamingResizer(plan: ResizePlan(processor: self, storedWidth: image.storedWidth,
                                              storedHeight: image.storedHeight, orientation: orientation))
        } finish: { resizer in
            resizer.image()
        }
    }

    /// The 8-bit output for an already decoded (upright) image, through the same row-by-row resize.
    func streamingResizedAndCropped(_ image: RGBImage) -> RGBImage {
        let resizer = StreamingResizer(plan: ResizePlan(processor: self, storedWidth: image.width,
                                                        storedHeight: image.height, orientation: .topLeft))
        image.pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<image.height { resizer.consume(pixels.baseAddress! + 3 * row * image.width) }
        }
        return resizer.image()
    }
}

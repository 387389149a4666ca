extension RGBImage {
    /// This image resized to `width × height` exactly as Pillow 13's `Image.resize((width, height), filter)`
    /// resizes an RGB image: the same bytes, for every filter, upscaling or downscaling.
    ///
    /// - Precondition: `width` and `height` are positive.
    public func resized(width: Int, height: Int, filter: ResamplingFilter) -> RGBImage {
        precondition(width > 0 && height > 0, "a resize needs a positive width and height")
        return PillowResampler.resize(self, width: width, height: height, filter: filter)
    }
}

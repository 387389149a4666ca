extension SafetensorsFile {
    /// Drops the pages holding the tensor called `name` from this process (`madvise(DONTNEED)` on
    /// the whole pages inside its bytes); they stay in the page cache, and touching them again
    /// maps them again, so tensors already handed out stay valid.
    public func releaseMemory(ofTensorNamed name: String) {
        guard let info = info(of: name) else { return }
        mapping.releasePages(in: (header.dataOffset + info.byteRange.lowerBound)..<(header.dataOffset + info.byteRange.upperBound))
    }
}

extension Checkpoint {
    /// Drops the pages holding the tensor called `name` (see ``SafetensorsFile/releaseMemory(ofTensorNamed:)``).
    public func releaseMemory(ofTensorNamed name: String) {
        file(containing: name)?.releaseMemory(ofTensorNamed: name)
    }
}

extension SafetensorsFile {
    /// Drops the pages holding the tensor called `name` from this process (`madvise(DONTNEED)` on
    /// the whole pages inside its bytes); they stay in the page cache, and touching them again
    /// maps them again, so tensors already handed out stay valid.
    public func releaseMemory(ofTensorNamed name: String) {
        guard let info = info(of: name) else { return }
        mapping.releasePages(in: (header.dataOffset + info.byteRange.lowerBound)..<(header.dataOffset + info.byteRange.upperBound))
    }

    /// Drops every page of the file from this process, the header's and those shared by two
    /// tensors included (the header is parsed already; touching a page maps it again).
    public func releaseAllMemory() {
        mapping.releaseAllPages()
    }
}

extension Checkpoint {
    /// Drops the pages holding the tensor called `name` (see ``SafetensorsFile/releaseMemory(ofTensorNamed:)``).
    public func releaseMemory(ofTensorNamed name: String) {
        file(containing: name)?.releaseMemory(ofTensorNamed: name)
    }

    /// Drops every page of every file (see ``SafetensorsFile/releaseAllMemory()``).
    public func releaseAllMemory() {
        for file in files { file.releaseAllMemory() }
    }
}

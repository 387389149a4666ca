import Foundation

extension ImageDecoder {
    /// The default ``memoryBudget``: an eighth of the memory this process may use — the machine's physical
    /// memory, or the container's limit (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes`) when that is
    /// lower — and at least 64 MB.
    ///
    /// An eighth leaves room for the model and for several decodes at once (vit-classify's decode threads):
    /// on a 16 GB machine it is 2 GB, which admits a whole-image decode of 300 megapixels, or a progressive
    /// JPEG of at least 27,000 × 27,000 pixels even if every coefficient is nonzero (far larger when it is
    /// smooth: its compressed coefficients take about 3 bytes per 8×8 block), while the streaming path
    /// needs only a few megabytes for baseline JPEGs and PNGs of any size.
    public static let defaultMemoryBudget: Int = {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        let available = min(physical, containerMemoryLimit() ?? physical)
        return max(available / 8, 64 << 20)
    }()

    /// The cgroup memory limit of this process, if one is set and readable.
    private static func containerMemoryLimit() -> Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            // cgroup v2 writes "max" for no limit; v1 a huge number.
            if let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 { return limit }
        }
        return nil
    }

    /// Throws ``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)`` unless `needed` bytes fit.
    func checkBudget(_ needed: Int) throws(ImageDecodingError) {
        if needed > memoryBudget { throw .exceedsMemoryBudget(source: nil, needed: needed, budget: memoryBudget) }
    }
}

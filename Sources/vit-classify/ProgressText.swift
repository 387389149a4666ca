import SwiftViT

/// The words of the progress line and the summary.
enum ProgressText {
    /// `  37/120 images  31%  4.2 img/s  ETA 0:28  (2 failed)`; the rate and ETA appear once an
    /// image is done.
    static func labelling(done: Int, total: Int, failed: Int, seconds: Double) -> String {
        var line = "\(done)/\(total) images"
        if total > 0 { line += "  \(done * 100 / total)%" }
        if done > 0, seconds > 0 {
            let rate = Double(done) / seconds
            line += "  " + self.rate(rate) + "  ETA " + clock(Double(total - done) / rate)
        }
        if failed > 0 { line += "  (\(failed) failed)" }
        return line
    }

    /// `downloading model.safetensors  45%  156.2 / 346.0 MB`, or `reading …` from disk.
    static func loading(_ progress: LoadingProgress) -> String {
        var line = "\(progress.stage.rawValue) \(progress.file)"
        if let fraction = progress.fractionCompleted { line += "  \(Int(fraction * 100))%" }
        line += "  " + megabytes(progress.completedBytes)
        if let total = progress.totalBytes { line += " / " + megabytes(total) }
        return line + " MB"
    }

    /// `4.2 img/s`, with more digits for slow rates.
    static func rate(_ imagesPerSecond: Double) -> String {
        let digits = imagesPerSecond < 10 ? 2 : 1
        return fixed(imagesPerSecond, digits: digits) + " img/s"
    }

    /// `0:28`, `12:05`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// `31 ms` below a second, `41.3 s` below a minute, else ``clock(_:)``.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return fixed(seconds * 1000, digits: 0) + " ms" }
        return seconds < 60 ? fixed(seconds, digits: 1) + " s" : clock(seconds)
    }

    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        guard digits > 0 else { return String(scaled) }
        let fraction = String(scaled % Int(scale))
        return "\(scaled / Int(scale))." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    private static func megabytes(_ bytes: Int64) -> String {
        fixed(Double(bytes) / 1_000_000, digits: 1)
    }
}

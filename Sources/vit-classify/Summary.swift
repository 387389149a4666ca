/// The closing line on a terminal.
enum Summary {
    /// `labelled 118, failed 2, skipped 3 (not images) in 41.3 s (2.91 img/s); 85 already in out.jsonl; shard 1/3`.
    static func text(_ counts: RunCounts, seconds: Double, output: String?, shard: Shard) -> String {
        var parts = ["labelled \(counts.labelled)", "failed \(counts.failed)"]
        if counts.skipped > 0 { parts.append("skipped \(counts.skipped) (not images)") }
        var text = parts.joined(separator: ", ") + " in " + ProgressText.duration(seconds)
        if counts.done > 0, seconds > 0 { text += " (" + ProgressText.rate(Double(counts.done) / seconds) + ")" }
        if counts.alreadyDone > 0, let output {
            text += "; \(counts.alreadyDone) already in \(output)"
            if counts.alreadyFailed > 0 { text += " (\(counts.alreadyFailed) of them errors)" }
        }
        if shard.count > 1 { text += "; shard \(shard): \(counts.otherShards) images left to other shards" }
        if counts.unreadableFolders > 0 { text += "; \(counts.unreadableFolders) folders unreadable" }
        return text
    }
}

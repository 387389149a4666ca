/// What a run did, for the progress line, the summary and the exit status.
struct RunCounts {
    /// Inputs this run set out to label (after `--shard` and `--resume` filtering).
    var total = 0
    /// Inputs labelled by this run.
    var labelled = 0
    /// Inputs that failed in this run.
    var failed = 0
    /// Files in folders that are not images.
    var skipped = 0
    /// Inputs already in the `--output` file (`--resume`), and how many of those are errors.
    var alreadyDone = 0
    var alreadyFailed = 0
    /// Inputs belonging to other shards.
    var otherShards = 0
    /// Folders that could not be read.
    var unreadableFolders = 0

    var done: Int { labelled + failed }

    /// 0 when every input was labelled, 1 when some failed (now or, with `--resume`, in the
    /// run that wrote them) or a folder could not be read.
    var exitStatus: Int32 { failed + alreadyFailed + unreadableFolders > 0 ? 1 : 0 }
}

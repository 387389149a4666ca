import ArgumentParser

/// How results are written.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Aligned columns for people: path, score, label.
    case table
    /// One JSON object per input and line, for programs.
    case jsonl
    /// `path,rank,label,index,score,logit,error`, one row per prediction, for spreadsheets and programs.
    case csv

    /// The format a file name suggests (`.csv` → CSV, `.jsonl`/`.json`/`.ndjson` → JSONL), if any.
    init?(fileName: String) {
        let lowercased = fileName.lowercased()
        if lowercased.hasSuffix(".csv") {
            self = .csv
        } else if [".jsonl", ".ndjson", ".json"].contains(where: lowercased.hasSuffix) {
            self = .jsonl
        } else {
            return nil
        }
    }
}

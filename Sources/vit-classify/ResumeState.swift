import Foundation
import StrictJSON

/// What an existing `--output` file already holds, read before a `--resume` run appends to it.
///
/// Every complete record names an input that is done — labelled or failed — and is not done
/// again. What follows the last complete record (a line cut short when the previous run was
/// killed) is cut off before appending. In CSV an image takes several rows, so the last image's
/// rows are kept only if they are complete — an error row, or ranks 1 through `--top-k` —
/// and are otherwise cut off too, and that image is done again.
///
/// A path with more than one record (two runs that wrote to the file at once, before runs locked
/// it, or files joined by hand) keeps one: its first labelled record, or its first error record
/// if it has no labelled one. A result is worth more than an error about the same file (which may
/// have been passing: a file still being copied), and among equals the first is the one that was
/// in the file first, which keeps the file in input order. The others are listed in
/// ``droppedRanges`` and removed when the run starts.
struct ResumeState {
    /// The file's format (detected from its content).
    var format: OutputFormat
    /// Paths with a record, labelled or failed.
    var donePaths: Set<String> = []
    /// Paths whose (kept) record is an error.
    var failedPaths: Set<String> = []
    /// How many bytes of the file to keep; the rest is cut off.
    var keptLength: Int
    /// Whether the kept part lacks the format's header (the file is new or empty).
    var needsHeader: Bool
    /// The byte ranges of duplicate records to remove, in file order (all below ``keptLength``).
    var droppedRanges: [Range<Int>] = []
    /// How many paths had more than one record.
    var duplicatedPathCount = 0

    /// The state of a file that does not exist yet or is empty.
    static func empty(_ format: OutputFormat) -> ResumeState {
        ResumeState(format: format, keptLength: 0, needsHeader: true)
    }

    /// The byte ranges of the file that are kept, in order: up to ``keptLength``, less ``droppedRanges``.
    var keptRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for dropped in droppedRanges {
            if dropped.lowerBound > start { ranges.append(start..<dropped.lowerBound) }
            start = dropped.upperBound
        }
        if keptLength > start { ranges.append(start..<keptLength) }
        return ranges
    }

    /// What `--resume` says about the duplicates it drops, if there are any.
    func duplicateReport(path: String) -> String? {
        guard !droppedRanges.isEmpty else { return nil }
        let records = droppedRanges.count == 1 ? "1 duplicate record" : "\(droppedRanges.count) duplicate records"
        let paths = duplicatedPathCount == 1 ? "1 path" : "\(duplicatedPathCount) paths"
        return "dropped \(records) for \(paths) from \(path) (each path keeps its first labelled record, or its "
            + "first error if it has none; were two runs writing to the file at once?)"
    }

    /// Reads the claimed output file `file`.
    ///
    /// - Parameters:
    ///   - format: the format asked for with `--format`, if any; it must match the file's.
    ///   - newFileFormat: the format of a file that does not exist yet or is empty.
    ///   - topK: the rows a complete CSV image has (fewer only if the model has fewer labels).
    /// - Throws: ``UsageError`` when the file is unreadable, is not JSONL or CSV written by this
    ///   command, or is in another format than the one asked for.
    static func read(_ file: OutputFile, format requested: OutputFormat?, newFileFormat: OutputFormat, topK: Int)
        throws(UsageError) -> ResumeState {
        let path = file.path
        let mapping: FileMapping
        do {
            mapping = try FileMapping(descriptor: file.descriptor, length: try file.size())
        } catch {
            throw UsageError("cannot read \(path) to resume from it: \(error.message)")
        }
        let bytes = mapping.bytes
        guard let first = bytes.first else { return .empty(newFileFormat) }
        let header = CSVFormatter().header!
        let detected: OutputFormat
        if first == UInt8(ascii: "{") {
            detected = .jsonl
        } else if bytes.starts(with: header.utf8.prefix(bytes.count)) {
            detected = .csv
        } else {
            throw UsageError("\(path) is not JSONL or CSV written by vit-classify, so --resume cannot continue it")
        }
        if let requested, requested != detected {
            throw UsageError("\(path) holds \(detected.rawValue.uppercased()), not \(requested.rawValue.uppercased()); "
                             + "resume it with --format \(detected.rawValue)")
        }
        return detected == .jsonl ? try readJSONLines(bytes, path: path)
                                  : try readCSV(bytes, path: path, header: header, topK: topK)
    }

    private static func readJSONLines(_ bytes: UnsafeRawBufferPointer, path: String) throws(UsageError) -> ResumeState {
        var records = RecordSet()
        var lineStart = 0
        var lineNumber = 0
        while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<newline])
            guard let record = try? JSONValueDecoder(dialect: .strict).decode(JSONLinesRecord.self, from: line) else {
                throw UsageError("\(path) line \(lineNumber) is not a vit-classify JSONL record, so --resume cannot "
                                 + "continue the file")
            }
            records.add(path: record.path, isError: record.isError, bytes: lineStart..<(newline + 1))
            lineStart = newline + 1
        }
        return records.state(format: .jsonl, keptLength: lineStart, needsHeader: false)
    }

    private static func readCSV(_ bytes: UnsafeRawBufferPointer, path: String, header: String, topK: Int)
        throws(UsageError) -> ResumeState {
        let rows = CSVRecordReader.records(in: bytes)
        guard let first = rows.first else { return .empty(.csv) }
        guard first.fields == CSVFormatter.columns else {
            throw UsageError("\(path) does not start with vit-classify's CSV header (\(header.dropLast()))")
        }
        var images = try CSVImageRecord.group(rows, path: path)
        // The last image's rows may be incomplete (a kill can cut a large record at a page
        // boundary, which may fall between rows): unless they are, drop them and redo the image.
        if let last = images.last, !last.isError, last.ranks != Array(1...topK) { images.removeLast() }
        var records = RecordSet()
        for image in images { records.add(path: image.path, isError: image.isError, bytes: image.bytes) }
        return records.state(format: .csv, keptLength: images.last?.bytes.upperBound ?? first.end, needsHeader: false)
    }
}

/// The records of a file by path, keeping one per path (see ``ResumeState``).
private struct RecordSet {
    private var kept: [String: (bytes: Range<Int>, isError: Bool)] = [:]
    private var dropped: [Range<Int>] = []
    private var duplicated: Set<String> = []

    mutating func add(path: String, isError: Bool, bytes: Range<Int>) {
        guard let earlier = kept[path] else {
            kept[path] = (bytes, isError)
            return
        }
        duplicated.insert(path)
        if earlier.isError && !isError {
            dropped.append(earlier.bytes)
            kept[path] = (bytes, isError)
        } else {
            dropped.append(bytes)
        }
    }

    func state(format: OutputFormat, keptLength: Int, needsHeader: Bool) -> ResumeState {
        var state = ResumeState(format: format, keptLength: keptLength, needsHeader: needsHeader)
        state.donePaths = Set(kept.keys)
        state.failedPaths = Set(kept.compactMap { $0.value.isError ? $0.key : nil })
        state.droppedRanges = dropped.sorted { $0.lowerBound < $1.lowerBound }
        state.duplicatedPathCount = duplicated.count
        return state
    }
}

/// What `--resume` needs of a JSONL record: its path, and whether it is an error. A record is one
/// ``JSONLinesFormatter`` wrote: an object with a string `path` and `predictions` or `error`.
///
/// Read in the strict dialect because these are our own records: anything RFC 8259 rejects, or a
/// repeated key, was not written by vit-classify, and guessing what such a line means could skip an
/// image or label it twice.
private struct JSONLinesRecord: Decodable {
    enum CodingKeys: String, CodingKey {
        case path, predictions, error
    }

    let path: String
    let isError: Bool

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        path = try fields.decode(String.self, forKey: .path)
        isError = fields.contains(.error)
        guard isError || fields.contains(.predictions) else { throw decoder.invalidValue("has no predictions or error") }
    }
}

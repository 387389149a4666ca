import Foundation
import StrictJSON

/// What an existing `--output` file already holds, read before a `--resume` run appends to it.
///
/// Every complete record names an input that is done — labelled or failed — and is not done
/// again. What follows the last complete record (a line cut short when the previous run was
/// killed) is cut off before appending. In CSV an image takes several rows, so the last image's
/// rows are kept only if they are complete — an error row, or ranks 1 through `--top-k` —
/// and are otherwise cut off too, and that image is done again.
struct ResumeState {
    /// The file's format (detected from its content).
    var format: OutputFormat
    /// Paths with a record, labelled or failed.
    var donePaths: Set<String> = []
    /// Paths whose record is an error.
    var failedPaths: Set<String> = []
    /// How many bytes of the file to keep; the rest is cut off.
    var keptLength: Int
    /// Whether the kept part lacks the format's header (the file is new or empty).
    var needsHeader: Bool

    /// The state of a file that does not exist yet or is empty.
    static func empty(_ format: OutputFormat) -> ResumeState {
        ResumeState(format: format, keptLength: 0, needsHeader: true)
    }

    /// Reads the file at `path`.
    ///
    /// - Parameters:
    ///   - format: the format asked for with `--format`, if any; it must match the file's.
    ///   - newFileFormat: the format of a file that does not exist yet or is empty.
    ///   - topK: the rows a complete CSV image has (fewer only if the model has fewer labels).
    /// - Throws: ``UsageError`` when the file is unreadable, is not JSONL or CSV written by this
    ///   command, or is in another format than the one asked for.
    static func read(_ path: String, format requested: OutputFormat?, newFileFormat: OutputFormat, topK: Int)
        throws(UsageError) -> ResumeState {
        guard FileManager.default.fileExists(atPath: path) else { return .empty(newFileFormat) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw UsageError("cannot read \(path) to resume from it: \(error.localizedDescription)")
        }
        guard let first = data.first else { return .empty(newFileFormat) }
        let header = CSVFormatter().header!
        let detected: OutputFormat
        if first == UInt8(ascii: "{") {
            detected = .jsonl
        } else if data.starts(with: Array(header.utf8.prefix(data.count))) {
            detected = .csv
        } else {
            throw UsageError("\(path) is not JSONL or CSV written by vit-classify, so --resume cannot continue it")
        }
        if let requested, requested != detected {
            throw UsageError("\(path) holds \(detected.rawValue.uppercased()), not \(requested.rawValue.uppercased()); "
                             + "resume it with --format \(detected.rawValue)")
        }
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(UsageError) -> ResumeState in
                detected == .jsonl ? try readJSONLines(bytes, path: path) : try readCSV(bytes, path: path, header: header, topK: topK)
            }
        }
        return try result.get()
    }

    private static func readJSONLines(_ bytes: UnsafeRawBufferPointer, path: String) throws(UsageError) -> ResumeState {
        var state = ResumeState(format: .jsonl, keptLength: 0, needsHeader: false)
        var lineStart = 0
        var lineNumber = 0
        while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<newline])
            guard let record = try? JSONValueDecoder(dialect: .strict).decode(JSONLinesRecord.self, from: line) else {
                throw UsageError("\(path) line \(lineNumber) is not a vit-classify JSONL record, so --resume cannot "
                                 + "continue the file")
            }
            state.donePaths.insert(record.path)
            if record.isError { state.failedPaths.insert(record.path) }
            lineStart = newline + 1
            state.keptLength = lineStart
        }
        return state
    }

    private static func readCSV(_ bytes: UnsafeRawBufferPointer, path: String, header: String, topK: Int)
        throws(UsageError) -> ResumeState {
        var records = CSVRecordReader.records(in: bytes)
        guard let first = records.first else { return .empty(.csv) }
        guard first.fields == CSVFormatter.columns else {
            throw UsageError("\(path) does not start with vit-classify's CSV header (\(header.dropLast()))")
        }
        // The last image's rows may be incomplete (a kill can cut a large record at a page
        // boundary, which may fall between rows): unless they are, drop them and redo the image.
        if records.count > 1, let lastPath = records.last?.fields.first {
            let group = records.reversed().prefix { $0.fields.first == lastPath && $0.fields.count > 1 }
            let ranks = group.reversed().map { $0.fields[1] }
            let isError = group.count == 1 && group.first!.fields.count == CSVFormatter.columns.count
                && !group.first!.fields[6].isEmpty
            if !isError && ranks != (1...topK).map(String.init) {
                records.removeLast(min(group.count, records.count - 1))
            }
        }
        var state = ResumeState(format: .csv, keptLength: records.last!.end, needsHeader: false)
        for (number, record) in records.enumerated().dropFirst() {
            guard record.fields.count == CSVFormatter.columns.count else {
                throw UsageError("\(path) record \(number + 1) does not have the \(CSVFormatter.columns.count) columns "
                                 + "of vit-classify's CSV, so --resume cannot continue the file")
            }
            state.donePaths.insert(record.fields[0])
            if !record.fields[6].isEmpty { state.failedPaths.insert(record.fields[0]) }
        }
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


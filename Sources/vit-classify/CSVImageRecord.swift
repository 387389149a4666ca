/// One image's rows in a CSV output file: ranks 1, 2, … of one path, or a single error row.
///
/// Each image's rows are written with one `write(2)`, so they are contiguous; a new image starts
/// where the path changes, at an error row, or where the rank starts again (the same path written
/// twice in a row, by two runs at once, is two images).
struct CSVImageRecord {
    var path: String
    var isError: Bool
    /// The ranks of its rows, in file order (empty for an error).
    var ranks: [Int]
    /// The rows' bytes in the file.
    var bytes: Range<Int>

    /// Groups the rows after the header into images.
    /// - Throws: ``UsageError`` for a row without vit-classify's columns, or with a rank that is
    ///   neither a number nor empty.
    static func group(_ rows: [CSVRecordReader.Record], path file: String) throws(UsageError) -> [CSVImageRecord] {
        var images: [CSVImageRecord] = []
        for (number, row) in rows.enumerated().dropFirst() {
            let fields = row.fields
            let start = rows[number - 1].end
            guard fields.count == CSVFormatter.columns.count else {
                throw UsageError("\(file) record \(number + 1) does not have the \(CSVFormatter.columns.count) columns "
                                 + "of vit-classify's CSV, so --resume cannot continue the file")
            }
            let isError = !fields[6].isEmpty
            let rank = Int(fields[1])
            guard isError || rank != nil else {
                throw UsageError("\(file) record \(number + 1) has neither a rank nor an error, so --resume cannot "
                                 + "continue the file")
            }
            if !isError, let rank, let last = images.last, !last.isError, last.path == fields[0],
               rank > last.ranks.last! {
                images[images.count - 1].ranks.append(rank)
                images[images.count - 1].bytes = last.bytes.lowerBound..<row.end
            } else {
                images.append(CSVImageRecord(path: fields[0], isError: isError, ranks: rank.map { [$0] } ?? [],
                                             bytes: start..<row.end))
            }
        }
        return images
    }
}

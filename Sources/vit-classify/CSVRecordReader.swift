/// Splits CSV bytes (RFC 4180, `\n` or `\r\n` line ends, quoted fields that may span lines) into
/// records, noting where each complete record ends. Bytes after the last record end — an
/// unfinished record — are left out.
struct CSVRecordReader {
    /// One complete record: its fields and the byte offset just past its line end.
    struct Record {
        var fields: [String]
        var end: Int
    }

    static func records(in bytes: UnsafeRawBufferPointer) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inQuotes = true
                case UInt8(ascii: ","):
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                case UInt8(ascii: "\n"):
                    if field.last == UInt8(ascii: "\r") { field.removeLast() }
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                    records.append(Record(fields: fields, end: index + 1))
                    fields.removeAll(keepingCapacity: true)
                default:
                    field.append(byte)
                }
            }
            index += 1
        }
        return records
    }
}

// TFRecord.swift: the record framing of TensorFlow event files: length, masked CRC of the length, data, masked CRC.
import Foundation

/// One record is `uint64 length (LE) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)`.
enum TFRecord {
    /// The framed bytes of one record.
    static func frame(_ data: Data) -> Data {
        var out = Data(capacity: data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        out.append(contentsOf: length)
        out.append(contentsOf: littleEndianBytes(CRC32C.masked(length)))
        out.append(data)
        out.append(contentsOf: littleEndianBytes(CRC32C.masked(data)))
        return out
    }

    /// Every record's data in `file`, each CRC checked; `path` names the file in errors.
    static func records(in file: Data, path: String) throws -> [Data] {
        let bytes = [UInt8](file)
        var records: [Data] = []
        var at = 0
        while at < bytes.count {
            guard bytes.count - at >= 12 else {
                throw TensorBoardError.corrupt(path: path, offset: at, detail: "a record header needs 12 bytes, \(bytes.count - at) left")
            }
            let lengthBytes = bytes[at..<(at + 8)]
            guard CRC32C.masked(lengthBytes) == readUInt32(bytes, at + 8) else {
                throw TensorBoardError.corrupt(path: path, offset: at, detail: "the length's CRC does not match")
            }
            let length = readUInt64(bytes, at)
            let start = at + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
                throw TensorBoardError.corrupt(path: path, offset: at,
                                               detail: "a record of \(length) bytes does not fit in the \(bytes.count - start) left")
            }
            let end = start + Int(length)
            guard CRC32C.masked(bytes[start..<end]) == readUInt32(bytes, end) else {
                throw TensorBoardError.corrupt(path: path, offset: at, detail: "the data's CRC does not match")
            }
            records.append(Data(bytes[start..<end]))
            at = end + 4
        }
        return records
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }

    private static func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) }
    }

    private static func readUInt64(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * $1) }
    }
}

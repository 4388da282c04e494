// IDXReader.swift: MNIST-style IDX files (uint8 images and labels), raw or gzipped, with every header field checked.
import Foundation

/// An IDX array of unsigned bytes: `dimensions` as declared (e.g. [N, 28, 28]) and the payload, row-major.
public struct IDXArray: Sendable, Equatable {
    public let dimensions: [Int]
    public let data: [UInt8]
}

/// Reads IDX files (LeCun's MNIST format): a 4-byte magic `00 00 type ndim`, `ndim` big-endian UInt32
/// dimensions, then the data. Only type 0x08 (unsigned byte) is supported, which is what MNIST and
/// Fashion-MNIST use. Gzipped files (magic 1f 8b) are inflated on the fly.
///
/// Checked, each with a `DataError` naming the file: the magic, each dimension > 0, the payload size
/// (product of dimensions) against `maxBytes` before anything is allocated, and the data length against
/// the header (short → `truncated`, trailing bytes → `sizeMismatch`).
public enum IDXReader {
    /// Magic of an IDX uint8 array with 3 dimensions: [N, H, W] images.
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic of an IDX uint8 array with 1 dimension: [N] labels.
    public static let labelsMagic: UInt32 = 0x0000_0801
    /// Largest payload read by default: 2^31 bytes.
    public static let defaultMaxBytes = 1 << 31

    /// Reads any uint8 IDX file; `expectedMagic` (e.g. `imagesMagic`) also pins the number of dimensions.
    public static func read(_ path: String, expectedMagic: UInt32? = nil,
                            maxBytes: Int = defaultMaxBytes) throws -> IDXArray {
        let file = try GzipReader(path: path)
        let head = try file.read(count: 4)
        guard head.count == 4 else {
            throw DataError.truncated(path: path, detail: "\(head.count) bytes, shorter than the 4-byte IDX magic")
        }
        let magic = head.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let hex = "0x" + String(magic, radix: 16, uppercase: true).leftPadded(to: 8)
        if let expectedMagic, magic != expectedMagic {
            let want = "0x" + String(expectedMagic, radix: 16, uppercase: true).leftPadded(to: 8)
            let rankNote = magic >> 8 == expectedMagic >> 8
                ? " (\(head[3]) dimensions where \(expectedMagic & 0xFF) are expected)" : ""
            throw DataError.badMagic(path: path, detail: "IDX magic \(hex), expected \(want)\(rankNote)")
        }
        guard head[0] == 0, head[1] == 0 else {
            throw DataError.badMagic(path: path, detail: "IDX magic \(hex) does not start with two zero bytes")
        }
        guard head[2] == 0x08 else {
            throw DataError.badMagic(path: path, detail: "IDX magic \(hex): element type 0x\(String(head[2], radix: 16)) is not 0x08 (unsigned byte)")
        }
        let rank = Int(head[3])
        guard rank > 0 else { throw DataError.badMagic(path: path, detail: "IDX magic \(hex) declares 0 dimensions") }

        let dimBytes = try file.read(count: 4 * rank)
        guard dimBytes.count == 4 * rank else {
            throw DataError.truncated(path: path, detail: "header ends inside the \(rank) dimension fields")
        }
        var dimensions: [Int] = []
        var total = 1
        for d in 0..<rank {
            let value = Int(dimBytes[4 * d..<4 * d + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard value > 0 else { throw DataError.zeroSize(path: path) }
            dimensions.append(value)
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            guard !overflow, product <= maxBytes else {
                throw DataError.tooLarge(path: path, detail: "dimensions \(dimensions.map(String.init).joined(separator: "x"))\(d + 1 < rank ? "x…" : "") exceed the \(maxBytes)-byte limit")
            }
            total = product
        }

        // A plain file's length is known up front: compare before allocating.
        if !file.isCompressed, let size = fileSize(path) {
            let payload = size - 4 - 4 * rank
            if payload < total {
                throw DataError.truncated(path: path, detail: "the header declares \(total) bytes of data, the file holds \(payload)")
            }
            if payload > total { throw DataError.sizeMismatch(path: path, expected: total, actual: payload) }
        }
        // A gzipped payload's length is unknown until inflated: it is read in pieces, so a 40-byte file declaring
        // maxBytes of data does not allocate maxBytes first.
        let data = try file.isCompressed ? file.read(upTo: total) : file.read(count: total)
        let got = data.count
        guard got == total else {
            throw DataError.truncated(path: path, detail: "the header declares \(total) bytes of data, the file holds \(got)")
        }
        let extra = try file.countRemaining()
        guard extra == 0 else { throw DataError.sizeMismatch(path: path, expected: total, actual: total + extra) }
        return IDXArray(dimensions: dimensions, data: data)
    }

    /// Reads an images file (magic 0x00000803, [N, H, W]) as [N, 1, H, W] floats, value / 255; with `limit`, only
    /// the first `limit` images become floats (the bytes of all are read and checked, the floats of the rest never made).
    public static func readImages(_ path: String, maxBytes: Int = defaultMaxBytes, limit: Int? = nil) throws -> Dataset {
        let array = try read(path, expectedMagic: imagesMagic, maxBytes: maxBytes)
        let d = array.dimensions
        let n = min(d[0], max(limit ?? d[0], 0))
        let floats = array.data.prefix(n * d[1] * d[2]).map { Float($0) / 255 }
        return Dataset(count: n, channels: 1, height: d[1], width: d[2], images: floats)
    }

    /// Reads a labels file (magic 0x00000801, [N]).
    public static func readLabels(_ path: String, maxBytes: Int = defaultMaxBytes) throws -> [UInt8] {
        try read(path, expectedMagic: labelsMagic, maxBytes: maxBytes).data
    }
}

/// The length of a file in bytes, or nil if it cannot be stat'ed.
func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

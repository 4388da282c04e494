// GzipReader.swift: sequential reads through zlib's gz* functions, so gzipped and plain files read the same way.
import CZlib
import Foundation

/// A file opened with `gzopen`: gzip streams are inflated, other files are read as they are (zlib's
/// transparent mode). Short reads at end of file are returned; zlib errors (bad CRC, stream cut short) throw.
final class GzipReader {
    let path: String
    private let file: gzFile
    /// True when the file starts with the gzip magic 1f 8b and is being inflated.
    let isCompressed: Bool

    init(path: String) throws {
        self.path = path
        guard let file = gzopen(path, "rb") else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
        gzbuffer(file, 1 << 17)
        isCompressed = gzdirect(file) == 0
    }

    deinit { gzclose(file) }

    /// Fills `buffer` as far as the file goes; returns the byte count (less than buffer.count only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let chunk = UInt32(min(buffer.count - done, 1 << 30))
            let got = Int(gzread(file, buffer.baseAddress! + done, chunk))
            if got < 0 { try throwZlibError() }
            if got == 0 { break }
            done += got
        }
        if done < buffer.count { try throwZlibError(ifAny: true) }
        return done
    }

    /// Reads up to `count` bytes in pieces of at most `chunk`, growing the array as data arrives: memory follows
    /// what the stream holds, not what a header declares (a gzip stream's length is known only by inflating it).
    func read(upTo count: Int, chunk: Int = 1 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: min(count, chunk))
        while out.count < count {
            let want = min(piece.count, count - out.count)
            let got = try piece.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<want])) }
            out.append(contentsOf: piece[..<got])
            if got < want { break }
        }
        return out
    }

    /// Reads up to `count` bytes.
    func read(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try read(into: $0) }
        return Array(bytes.prefix(got))
    }

    /// Bytes left until end of file, read and discarded (for size-mismatch messages).
    func countRemaining() throws -> Int {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let got = try scratch.withUnsafeMutableBytes { try read(into: $0) }
            total += got
            if got < scratch.count { return total }
        }
    }

    private func throwZlibError(ifAny: Bool = false) throws {
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
        if code == Z_OK || code == Z_STREAM_END { if ifAny { return } }
        if code == Z_BUF_ERROR {
            throw DataError.truncated(path: path, detail: "gzip stream ends early (\(message))")
        }
        if code == Z_ERRNO {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        throw DataError.decodeFailed(path: path, detail: "zlib: \(message)")
    }
}

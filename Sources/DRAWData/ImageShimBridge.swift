// ImageShimBridge.swift: the one place a CImageShims status becomes a DataError, and C pixel buffers become floats.
import CImageShims
import Foundation

/// Default limit on a decoded image's bytes, checked before allocating: 2^26 (a 4096 × 4096 RGBA 8-bit image).
public let defaultMaxImageBytes = 1 << 26
/// What the parallel folder decoders may hold at once, whatever the core count.
public let decodeBudgetBytes = 4 << 30
/// Decoded bytes per file byte beyond which a header is not believed: deflate tops out near 1032:1, and even a
/// blank progressive JPEG stays well below this.
public let maxCompressionRatio = 4096

enum ImageShim {
    static let messageCapacity = 512

    /// Runs a shim call with a message buffer; a status other than CIS_OK throws a DataError naming `path`.
    static func check(path: String, _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var message = [CChar](repeating: 0, count: messageCapacity)
        let status = message.withUnsafeMutableBufferPointer { call($0.baseAddress!, messageCapacity) }
        guard status != Int32(CIS_OK) else { return }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw error(status: status, path: path, message: text)
    }

    static func error(status: Int32, path: String, message: String) -> DataError {
        switch Int(status) {
        case Int(CIS_OPEN_FAILED): return .unreadable(path: path, reason: message)
        case Int(CIS_NOT_FORMAT): return .badMagic(path: path, detail: message)
        case Int(CIS_TRUNCATED): return .truncated(path: path, detail: message)
        case Int(CIS_TOO_LARGE): return .tooLarge(path: path, detail: message)
        case Int(CIS_ZERO_SIZE): return .zeroSize(path: path)
        case Int(CIS_ENCODE_FAILED): return .writeFailed(path: path, detail: message)
        case Int(CIS_BAD_ARGUMENT): return .invalidArgument("\(path): \(message)")
        default: return .decodeFailed(path: path, detail: message)
        }
    }

    /// Calls a shim reader and converts its malloc'd buffer into a DecodedImage (samples / 255 or / 65535).
    /// Only regular files are read (a FIFO or device would block or never end), and the decoder's limit on the
    /// declared pixel bytes is `maxCompressionRatio` times the file's size: an 857-byte JPEG declaring 9000×9000
    /// is refused from its header instead of allocating gigabytes.
    static func read(path: String, maxBytes: Int,
                     _ reader: (Int, UnsafeMutablePointer<cis_image_info>, UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                                UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> DecodedImage {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw DataError.unreadable(path: path, reason: "not a regular file (a FIFO, device or socket is not read)")
        }
        let (capped, overflow) = Int(st.st_size).multipliedReportingOverflow(by: maxCompressionRatio)
        let limit = overflow ? maxBytes : min(maxBytes, max(capped, 1 << 16))
        var info = cis_image_info()
        var buffer: UnsafeMutableRawPointer? = nil
        defer { cis_free(buffer) }
        try check(path: path) { msg, cap in reader(limit, &info, &buffer, msg, cap) }
        guard let buffer else { throw DataError.decodeFailed(path: path, detail: "decoder returned no pixels") }
        let (w, h, c) = (Int(info.width), Int(info.height), Int(info.channels))
        guard w > 0, h > 0 else { throw DataError.zeroSize(path: path) }
        let n = w * h * c
        var samples = [Float](repeating: 0, count: n)
        if info.bit_depth == 16 {
            let src = buffer.assumingMemoryBound(to: UInt16.self)
            for i in 0..<n { samples[i] = Float(src[i]) / 65535 }
        } else {
            let src = buffer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { samples[i] = Float(src[i]) / 255 }
        }
        return DecodedImage(width: w, height: h, channels: c, bitDepth: Int(info.bit_depth), samples: samples)
    }
}

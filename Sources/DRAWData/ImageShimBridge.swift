// ImageShimBridge.swift: the one place a CImageShims status becomes a DataError, and C pixel buffers become floats.
import CImageShims

/// Default limit on a decoded image's bytes, checked before allocating: 2^28 (a 8192 × 8192 RGBA 16-bit image).
public let defaultMaxImageBytes = 1 << 28

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
    static func read(path: String, maxBytes: Int,
                     _ reader: (UnsafeMutablePointer<cis_image_info>, UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                                UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> DecodedImage {
        var info = cis_image_info()
        var buffer: UnsafeMutableRawPointer? = nil
        defer { cis_free(buffer) }
        try check(path: path) { msg, cap in reader(&info, &buffer, msg, cap) }
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

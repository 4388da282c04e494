// TestFiles.swift: what the data tests share: gzip and IDX writers, byte patching, error checks.
import CZlib
import DRAWData
import Foundation
import Testing

/// Gzip-compresses `bytes` into `path` through zlib's gzwrite.
func writeGzip(_ path: String, _ bytes: [UInt8]) {
    let file = gzopen(path, "wb")!
    _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    gzclose(file)
}

/// An IDX uint8 file's bytes: magic 00 00 08 rank, big-endian dimensions, then `data`.
func idxBytes(dimensions: [Int], data: [UInt8], typeByte: UInt8 = 0x08) -> [UInt8] {
    var out: [UInt8] = [0, 0, typeByte, UInt8(dimensions.count)]
    for d in dimensions { out += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return out + data
}

/// Runs `body`, expecting a DataError whose message contains every string in `parts`.
func expectDataError(_ parts: String..., sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a DataError mentioning \(parts)", sourceLocation: sourceLocation)
    } catch let error as DataError {
        for part in parts {
            #expect(error.description.contains(part), "\(error.description) lacks \"\(part)\"",
                    sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A raster whose pixels follow `f(c, x, y)`.
func pattern(channels: Int, height: Int, width: Int, _ f: (Int, Int, Int) -> Float) -> Raster {
    var pixels: [Float] = []
    for c in 0..<channels { for y in 0..<height { for x in 0..<width { pixels.append(f(c, x, y)) } } }
    return Raster(channels: channels, height: height, width: width, pixels: pixels)
}

/// Big-endian UInt32 bytes.
func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

/// zlib's CRC-32 of `bytes`, for re-signing a patched PNG chunk.
func crc32Of(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    let array = Array(bytes)
    return UInt32(array.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
}

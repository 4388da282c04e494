// PNGEncoder.swift: 8-bit grey/RGB/RGBA pixels to PNG bytes in memory (zlib), for image summaries.
import CZlib
import Foundation

/// A minimal PNG writer: IHDR, one IDAT (zlib level 6, filter "none" on every row), IEND.
/// Event files want the PNG's bytes, not a file, so this does not go through libpng's file API.
public enum PNGEncoder {
    /// `pixels` interleaved (height, width, channels), channels 1 (grey), 3 (RGB) or 4 (RGBA).
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        let colourType: UInt8
        switch channels {
        case 1: colourType = 0
        case 3: colourType = 2
        case 4: colourType = 6
        default: throw TensorBoardError.invalidArgument("PNG: \(channels) channels (1, 3 or 4 expected)")
        }
        guard width >= 1, height >= 1, width <= 1 << 24, height <= 1 << 24 else {
            throw TensorBoardError.invalidArgument("PNG: size \(width)x\(height) is not within 1...2^24")
        }
        guard pixels.count == width * height * channels else {
            throw TensorBoardError.invalidArgument(
                "PNG: \(pixels.count) bytes for \(width)x\(height)x\(channels) = \(width * height * channels)")
        }
        let row = width * channels
        var raw = [UInt8](repeating: 0, count: height * (row + 1))   // each row: filter byte 0, then the samples
        for y in 0..<height {
            raw.replaceSubrange((y * (row + 1) + 1)...(y * (row + 1) + row), with: pixels[(y * row)..<((y + 1) * row)])
        }
        var size = compressBound(uLong(raw.count))
        var deflated = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&deflated, &size, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw TensorBoardError.invalidArgument("PNG: zlib compress2 failed (\(status))") }
        deflated.removeSubrange(Int(size)...)

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, colourType, 0, 0, 0]   // bit depth, colour type, deflate, adaptive filtering, no interlace
        chunk("IHDR", header, into: &png)
        chunk("IDAT", deflated, into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func chunk(_ type: String, _ body: [UInt8], into png: inout Data) {
        let typed = Array(type.utf8) + body
        png.append(contentsOf: bigEndian(UInt32(body.count)))
        png.append(contentsOf: typed)
        png.append(contentsOf: bigEndian(UInt32(crc32(0, typed, uInt(typed.count)))))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
}

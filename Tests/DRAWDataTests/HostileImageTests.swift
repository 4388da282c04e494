// HostileImageTests.swift: decoders believe no header that outgrows its file, read no FIFO, and fail on corrupt JPEG data.
import DRAWData
import DRAWTestSupport
import Foundation
import Testing

@Suite struct HostileImageTests {
    /// A real small JPEG with its frame header (SOF0) rewritten to declare `width × height`.
    func jpegDeclaring(width: Int, height: Int, in folder: TempFolder) throws -> String {
        let path = folder.file("real.jpg")
        try JPEGCodec.write(pattern(channels: 3, height: 16, width: 16) { c, x, y in Float((x + y + c) % 7) / 7 }, to: path)
        var bytes = readBytes(path)
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = UInt8(height >> 8); bytes[sof + 6] = UInt8(height & 255)
        bytes[sof + 7] = UInt8(width >> 8); bytes[sof + 8] = UInt8(width & 255)
        return folder.write("liar.jpg", bytes)
    }

    /// An 800-byte JPEG declaring 9000 × 9000 (243 MB of pixels) is refused from its header, before decoding.
    @Test func smallJPEGDeclaringAHugeImageIsRefused() throws {
        let folder = TempFolder()
        let path = try jpegDeclaring(width: 9000, height: 9000, in: folder)
        #expect(readBytes(path).count < 2000)
        expectDataError(path, "limit") { _ = try JPEGCodec.read(path) }
    }

    /// A corrupt-data warning (here: the entropy-coded data damaged) is an error, not a silently grey image.
    @Test func corruptJPEGDataIsAnError() throws {
        let folder = TempFolder()
        let good = folder.file("good.jpg")
        try JPEGCodec.write(pattern(channels: 3, height: 32, width: 32) { c, x, y in Float((x * y + c) % 11) / 11 }, to: good)
        var bytes = readBytes(good)
        // Markers (0xFF followed by a non-zero byte) inside the scan make libjpeg warn "Corrupt JPEG data".
        let sos = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        for k in stride(from: sos + 20, to: bytes.count - 4, by: 9) { bytes[k] = 0xFF; bytes[k + 1] = 0xD3 }
        let bad = folder.write("bad.jpg", bytes)
        expectDataError(bad) { _ = try JPEGCodec.read(bad) }
    }

    /// A FIFO (or a device) named as an image is refused at once instead of blocking forever.
    @Test func fifoIsRefused() throws {
        let folder = TempFolder()
        let path = folder.file("pipe.png")
        #expect(mkfifo(path, 0o644) == 0)
        expectDataError(path, "not a regular file") { _ = try PNGCodec.read(path) }
        expectDataError("/dev/zero", "not a regular file") { _ = try JPEGCodec.read("/dev/zero") }
    }

    /// `limit` applies before the IDX bytes become floats: the data set holds only the first `limit` images.
    @Test func idxLimitAppliesBeforeConversion() throws {
        let folder = TempFolder()
        let path = folder.write("tiny.idx", idxBytes(dimensions: [5, 2, 3], data: (0..<30).map(UInt8.init)))
        let set = try IDXReader.loadImages(path, limit: 2)
        #expect(set.count == 2)
        #expect(set.images.count == 2 * 6)
        #expect(set.images[11] == Float(11) / 255)
    }
}

// JPEGTests.swift: JPEGs written with libjpeg read back close to the original; broken JPEGs rejected by name.
import DRAWData
import DRAWTestSupport
import Testing

@Suite struct JPEGTests {
    /// A smooth 24 × 16 image that JPEG keeps within a few levels at quality 100.
    func smooth(channels: Int) -> Raster {
        pattern(channels: channels, height: 16, width: 24) { c, x, y in
            0.2 + 0.6 * Float(x + y + 4 * c) / Float(24 + 16 + 8)
        }
    }

    @Test(arguments: [1, 3])
    func roundTripIsCloseAtHighQuality(channels: Int) throws {
        let dir = TempFolder()
        let path = dir.file("s.jpg")
        let raster = smooth(channels: channels)
        try JPEGCodec.write(raster, to: path, quality: 100)
        let image = try JPEGCodec.read(path)
        #expect(image.channels == channels && image.width == 24 && image.height == 16 && image.bitDepth == 8)
        let back = image.raster(channels: channels)
        let worst = zip(back.pixels, raster.pixels).map { abs($0 - $1) }.max()!
        #expect(worst < 4 / 255, "max error \(worst * 255) levels")
    }

    /// A 64 × 64 JPEG of varied pixels (bigger than libjpeg's input buffer would hide).
    func noisyJPEG(_ dir: TempFolder) throws -> [UInt8] {
        let path = dir.file("noisy.jpg")
        let raster = pattern(channels: 3, height: 64, width: 64) { c, x, y in Float((x * 31 + y * 17 + c * 101) * 2_654_435_761 >> 9 & 255) / 255 }
        try JPEGCodec.write(raster, to: path, quality: 90)
        return readBytes(path)
    }

    @Test func truncatedFileIsReportedAsTruncated() throws {
        let dir = TempFolder()
        let bytes = try noisyJPEG(dir)
        let path = dir.write("cut.jpg", Array(bytes.prefix(bytes.count * 2 / 3)))
        expectDataError(path, "truncated") { _ = try JPEGCodec.read(path) }
        let empty = dir.write("empty.jpg", [])
        expectDataError(empty, "empty") { _ = try JPEGCodec.read(empty) }
    }

    @Test func badMagicAndCorruptHeaderAreRejected() throws {
        let dir = TempFolder()
        let notJPEG = dir.write("x.jpg", Array("GIF89a, not a JPEG".utf8))
        expectDataError(notJPEG, "bad magic") { _ = try JPEGCodec.read(notJPEG) }
        // A sample precision of 3 bits in the frame header: libjpeg's own error, caught, with the path.
        var bytes = try noisyJPEG(dir)
        let at = try #require(sofHeightOffset(bytes))
        bytes[at - 1] = 3
        let bogus = dir.write("p.jpg", bytes)
        expectDataError(bogus, "libjpeg", "precision") { _ = try JPEGCodec.read(bogus) }
        // SOI then garbage: libjpeg hunts for a marker to the end of the file.
        let garbage = dir.write("g.jpg", [0xFF, 0xD8] + Array(repeating: 0x11, count: 64))
        expectDataError(garbage, "truncated") { _ = try JPEGCodec.read(garbage) }
    }

    /// The offset of the SOF0 marker's height field.
    func sofHeightOffset(_ bytes: [UInt8]) -> Int? {
        for i in 0..<(bytes.count - 8) where bytes[i] == 0xFF && bytes[i + 1] == 0xC0 { return i + 5 }
        return nil
    }

    @Test func hugeDeclaredSizeIsRefusedBeforeAllocating() throws {
        let dir = TempFolder()
        var bytes = try noisyJPEG(dir)
        let at = try #require(sofHeightOffset(bytes))
        bytes.replaceSubrange(at..<at + 4, with: [0xFF, 0x00, 0xFF, 0x00])  // 65280 × 65280
        let path = dir.write("huge.jpg", bytes)
        expectDataError(path, "too large") { _ = try JPEGCodec.read(path) }
    }

    @Test func zeroHeightIsRejected() throws {
        let dir = TempFolder()
        var bytes = try noisyJPEG(dir)
        let at = try #require(sofHeightOffset(bytes))
        bytes.replaceSubrange(at..<at + 2, with: [0, 0])
        let path = dir.write("zero.jpg", bytes)
        expectDataError(path) { _ = try JPEGCodec.read(path) }
    }
}

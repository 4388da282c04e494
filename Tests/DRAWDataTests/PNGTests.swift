// PNGTests.swift: PNGs of every colour type and bit depth written with libpng read back exactly; broken PNGs rejected.
import DRAWData
import DRAWTestSupport
import Testing

@Suite struct PNGTests {
    let width = 5, height = 3

    /// Samples 0 ... 2^depth − 1 cycling through every value, (height, width, spp).
    func samples(spp: Int, depth: Int) -> [Int] {
        (0..<(width * height * spp)).map { ($0 * 7 + 3) % (1 << depth) }
    }

    @Test(arguments: [1, 2, 4, 8])
    func greyLowDepthsReadAsScaledValues(depth: Int) throws {
        let dir = TempFolder()
        let path = dir.file("g\(depth).png")
        let s = samples(spp: 1, depth: depth)
        try PNGCodec.writeSamples(s.map(UInt8.init), width: width, height: height, bitDepth: depth, colorType: .grey, to: path)
        let image = try PNGCodec.read(path)
        #expect(image.channels == 1 && image.width == width && image.height == height)
        let want = s.map { Float($0) / Float((1 << depth) - 1) }
        #expect(zip(image.samples, want).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test(arguments: [1, 2, 4, 8])
    func paletteExpandsToRGBWithTransparency(depth: Int) throws {
        let dir = TempFolder()
        let path = dir.file("p\(depth).png")
        let colours = 1 << depth
        var palette: [UInt8] = []
        for k in 0..<colours { palette += [UInt8(k * 37 % 256), UInt8(255 - k * 11 % 256), UInt8(k * 5 % 256)] }
        let alpha = (0..<colours).map { UInt8($0 == 0 ? 0 : 255) }
        let s = samples(spp: 1, depth: depth)
        try PNGCodec.writeSamples(s.map(UInt8.init), width: width, height: height, bitDepth: depth, colorType: .palette,
                                  palette: palette, transparency: alpha, to: path)
        let image = try PNGCodec.read(path)
        #expect(image.channels == 4)
        for (p, index) in s.enumerated() {
            for c in 0..<3 { #expect(image.samples[4 * p + c] == Float(palette[3 * index + c]) / 255) }
            #expect(image.samples[4 * p + 3] == (index == 0 ? 0 : 1))
        }
    }

    @Test(arguments: [(PNGColorType.rgb, 8), (.rgba, 8), (.greyAlpha, 8)])
    func eightBitColourTypesRoundTrip(type: PNGColorType, depth: Int) throws {
        let dir = TempFolder()
        let path = dir.file("c.png")
        let s = samples(spp: type.samplesPerPixel, depth: 8)
        try PNGCodec.writeSamples(s.map(UInt8.init), width: width, height: height, bitDepth: 8, colorType: type,
                                  interlaced: true, to: path)
        let image = try PNGCodec.read(path)
        #expect(image.channels == type.samplesPerPixel && image.bitDepth == 8)
        #expect(image.samples == s.map { Float($0) / 255 })
    }

    @Test(arguments: [PNGColorType.grey, .rgb, .rgba, .greyAlpha])
    func sixteenBitKeepsFullPrecision(type: PNGColorType) throws {
        let dir = TempFolder()
        let path = dir.file("s.png")
        let s = (0..<(width * height * type.samplesPerPixel)).map { UInt16(($0 * 4099 + 1) % 65536) }
        try PNGCodec.writeSamples16(s, width: width, height: height, colorType: type, to: path)
        let image = try PNGCodec.read(path)
        #expect(image.bitDepth == 16 && image.channels == type.samplesPerPixel)
        #expect(image.samples == s.map { Float($0) / 65535 })
    }

    @Test func greyTransparentColourBecomesAlpha() throws {
        let dir = TempFolder()
        let path = dir.file("t.png")
        try PNGCodec.writeSamples([0, 100, 200, 100], width: 2, height: 2, bitDepth: 8, colorType: .grey,
                                  transparency: [100], to: path)
        let image = try PNGCodec.read(path)
        #expect(image.channels == 2)
        let (key, other): (Float, Float) = (100, 200)
        let want: [Float] = [0, 1, key / 255, 0, other / 255, 1, key / 255, 0]
        #expect(image.samples == want)
    }

    @Test func alphaIsCompositedOnTheChosenBackground() throws {
        let dir = TempFolder()
        let path = dir.file("a.png")
        // One red pixel at alpha 0.4 (102/255) and one opaque blue pixel.
        try PNGCodec.writeSamples([255, 0, 0, 102, 0, 0, 255, 255], width: 2, height: 1, bitDepth: 8, colorType: .rgba,
                                  to: path)
        let image = try PNGCodec.read(path)
        let a: Float = 102 / 255
        let onGreen = image.raster(channels: 3, background: Color(r: 0, g: 1, b: 0))
        #expect(onGreen.pixels == [a, 0, (1 - a), 0, 0, 1])
        let grey = image.raster(channels: 1, background: .white)
        #expect(abs(grey.pixels[0] - (a * 0.299 + (1 - a))) < 1e-6)
        #expect(abs(grey.pixels[1] - 0.114) < 1e-6)
        // Grey + alpha over a coloured background, as RGB, shows the background's colour.
        let path2 = dir.file("ga.png")
        try PNGCodec.writeSamples([255, 0], width: 1, height: 1, bitDepth: 8, colorType: .greyAlpha, to: path2)
        #expect(try PNGCodec.read(path2).raster(channels: 3, background: Color(r: 0, g: 1, b: 0)).pixels == [0, 1, 0])
        #expect(try PNGCodec.read(path2).raster(channels: 1, background: Color(r: 0, g: 1, b: 0)).pixels == [0.587])
    }

    @Test func eightBitRasterWriteReadsBackEqual() throws {
        let dir = TempFolder()
        let path = dir.file("r.png")
        let raster = pattern(channels: 3, height: 4, width: 6) { c, x, y in Float((c * 50 + x * 20 + y * 30) % 256) / 255 }
        try raster.writePNG(to: path)
        #expect(try PNGCodec.read(path).raster(channels: 3) == raster)
        let grey = pattern(channels: 1, height: 4, width: 6) { _, x, y in Float(x * 40 + y) / 255 }
        try grey.writePNG(to: path)
        #expect(try PNGCodec.read(path).raster(channels: 1) == grey)
    }

    /// A 16 × 16 RGB PNG of varied pixels, so its compressed data is a few hundred bytes.
    func noisyPNG(_ dir: TempFolder) throws -> [UInt8] {
        let path = dir.file("noisy.png")
        let s: [UInt8] = (0..<(16 * 16 * 3)).map { (k: Int) -> UInt8 in UInt8(truncatingIfNeeded: (k * 2_654_435_761) >> 7) }
        try PNGCodec.writeSamples(s, width: 16, height: 16, bitDepth: 8, colorType: .rgb, to: path)
        return readBytes(path)
    }

    @Test func truncatedFileIsReportedAsTruncated() throws {
        let dir = TempFolder()
        let bytes = try noisyPNG(dir)
        let path = dir.write("cut.png", Array(bytes.prefix(bytes.count / 2)))
        expectDataError(path, "truncated") { _ = try PNGCodec.read(path) }
        let tiny = dir.write("sig.png", Array(bytes.prefix(5)))
        expectDataError(tiny, "truncated") { _ = try PNGCodec.read(tiny) }
        let empty = dir.write("empty.png", [])
        expectDataError(empty, "empty") { _ = try PNGCodec.read(empty) }
    }

    @Test func badSignatureAndCorruptDataAreRejected() throws {
        let dir = TempFolder()
        let notPNG = dir.write("text.png", Array("hello, this is not a PNG".utf8))
        expectDataError(notPNG, "bad magic", "signature") { _ = try PNGCodec.read(notPNG) }
        var bytes = try noisyPNG(dir)
        bytes[bytes.count - 40] ^= 0xFF  // inside IDAT: the chunk CRC no longer matches
        let corrupt = dir.write("crc.png", bytes)
        expectDataError(corrupt, "libpng") { _ = try PNGCodec.read(corrupt) }
        let missing = dir.file("missing.png")
        expectDataError(missing, "cannot read") { _ = try PNGCodec.read(missing) }
    }

    /// The PNG with its IHDR width and height replaced (and the chunk's CRC recomputed).
    func withDimensions(_ bytes: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
        var out = bytes
        out.replaceSubrange(16..<20, with: bigEndian(width))
        out.replaceSubrange(20..<24, with: bigEndian(height))
        out.replaceSubrange(29..<33, with: bigEndian(crc32Of(out[12..<29])))
        return out
    }

    @Test func hugeDeclaredSizeIsRefusedBeforeAllocating() throws {
        let dir = TempFolder()
        let bytes = try noisyPNG(dir)
        let path = dir.write("huge.png", withDimensions(bytes, width: 60000, height: 60000))
        expectDataError(path, "too large", "limit") { _ = try PNGCodec.read(path) }
        // A small limit applies too.
        let ok = dir.write("ok.png", bytes)
        expectDataError(ok, "too large") { _ = try PNGCodec.read(ok, maxBytes: 100) }
    }

    @Test func zeroWidthIsRejected() throws {
        let dir = TempFolder()
        let path = dir.write("zero.png", withDimensions(try noisyPNG(dir), width: 0, height: 16))
        expectDataError(path, "zero") { _ = try PNGCodec.read(path) }
    }

    /// A PNG chunk: big-endian length, type, data, CRC-32 of type and data.
    func chunk(_ type: String, _ data: [UInt8], declaredLength: UInt32? = nil) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(declaredLength ?? UInt32(data.count)) + body + bigEndian(crc32Of(body[...]))
    }

    /// Found by FuzzPNG (Fuzz/Corpus/png/oom-sPLT-declares-1.7GB): a 60-byte file whose sPLT chunk declares 1.7 GB
    /// made libpng malloc that much before reading it. Ancillary chunks are now skipped unread and chunk buffers
    /// capped at 8 MiB. This test pins the outcome (a truncation error); the allocation itself is checked by the
    /// fuzzer's -malloc_limit_mb on that corpus file, as an untouched malloc does not show in this process's RSS.
    @Test func ancillaryChunkDeclaringGigabytesIsSkippedUnread() throws {
        let dir = TempFolder()
        let ihdr = chunk("IHDR", bigEndian(2) + bigEndian(2) + [8, 2, 0, 0, 0])
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let path = dir.write("splt.png", signature + ihdr + chunk("sPLT", [0x82, 0, 1], declaredLength: 0x6A00_0000))
        expectDataError(path, "truncated") { _ = try PNGCodec.read(path) }
    }

    /// Skipping ancillary chunks loses nothing the reader uses: text, ICC and palette-suggestion chunks (one above
    /// the 8 MiB chunk cap) around the image data leave the pixels as written, and tRNS still becomes alpha.
    @Test func ancillaryChunksDoNotChangeThePixels() throws {
        let dir = TempFolder()
        let plain = dir.file("plain.png")
        try PNGCodec.writeSamples([0, 1, 2, 3, 1, 0], width: 3, height: 2, bitDepth: 8, colorType: .palette,
                                  palette: [10, 20, 30, 40, 50, 60, 70, 80, 90, 200, 210, 220], transparency: [0, 255, 128],
                                  to: plain)
        let bytes = readBytes(plain)
        let afterIHDR = 8 + 25
        let extra = chunk("tEXt", Array("Comment\0fuzz".utf8)) + chunk("iCCP", Array("p\0\0".utf8) + [1, 2, 3])
            + chunk("sPLT", [UInt8](repeating: 7, count: 9 << 20))
        let path = dir.write("extra.png", Array(bytes[..<afterIHDR]) + extra + Array(bytes[afterIHDR...]))
        let image = try PNGCodec.read(path)
        #expect(image == (try PNGCodec.read(plain)))
        #expect(image.channels == 4)
    }
}

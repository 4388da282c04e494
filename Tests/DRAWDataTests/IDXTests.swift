// IDXTests.swift: IDX files written by hand, raw and gzipped, read back; every header problem rejected by name.
import DRAWData
import DRAWTestSupport
import Foundation
import Testing

@Suite struct IDXTests {
    let pixels: [UInt8] = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }

    @Test(arguments: [false, true])
    func imagesReadBackRawAndGzipped(gzipped: Bool) throws {
        let dir = TempFolder()
        let bytes = idxBytes(dimensions: [3, 4, 5], data: pixels)
        let path = dir.file("images.idx")
        if gzipped { writeGzip(path, bytes) } else { dir.write("images.idx", bytes) }
        let set = try IDXReader.readImages(path)
        #expect(set.count == 3 && set.channels == 1 && set.height == 4 && set.width == 5)
        #expect(set.images == pixels.map { Float($0) / 255 })
        #expect(set.names.isEmpty)
    }

    @Test func labelsRead() throws {
        let dir = TempFolder()
        let path = dir.file("labels.gz")
        writeGzip(path, idxBytes(dimensions: [4], data: [9, 0, 3, 7]))
        #expect(try IDXReader.readLabels(path) == [9, 0, 3, 7])
    }

    @Test func loadImagesResizesColoursAndBinarizes() throws {
        let dir = TempFolder()
        // Two 2 × 2 images: [0, 255; 255, 0] and all 100.
        let path = dir.write("i.idx", idxBytes(dimensions: [2, 2, 2], data: [0, 255, 255, 0, 100, 100, 100, 100]))
        let small = try IDXReader.loadImages(path, options: ImageOptions(channels: 3, height: 1, width: 1))
        #expect(small.channels == 3 && small.height == 1 && small.width == 1)
        #expect(small.images.map { abs($0 - 0.5) < 1e-6 }.prefix(3) == [true, true, true])
        let binary = try IDXReader.loadImages(path, options: ImageOptions(channels: 1, binarization: .threshold(0.5)))
        #expect(binary.images == [0, 1, 1, 0, 0, 0, 0, 0])
        #expect(try IDXReader.loadImages(path, limit: 1).count == 1)
    }

    @Test func wrongMagicAndWrongRankAreRejected() throws {
        let dir = TempFolder()
        let labels = dir.write("labels.idx", idxBytes(dimensions: [60], data: Array(repeating: 0, count: 60)))
        expectDataError(labels, "magic", "0x00000801", "expected 0x00000803") { _ = try IDXReader.readImages(labels) }
        let floats = dir.write("f.idx", idxBytes(dimensions: [1, 1, 1], data: [0, 0, 0, 0], typeByte: 0x0D))
        expectDataError(floats, "element type") { _ = try IDXReader.read(floats) }
        let text = dir.write("t.idx", Array("not an idx file at all".utf8))
        expectDataError(text, "bad magic") { _ = try IDXReader.read(text) }
    }

    @Test(arguments: [false, true])
    func truncatedDataIsRejected(gzipped: Bool) throws {
        let dir = TempFolder()
        let bytes = Array(idxBytes(dimensions: [3, 4, 5], data: pixels).dropLast(7))
        let path = dir.file("cut.idx")
        if gzipped { writeGzip(path, bytes) } else { dir.write("cut.idx", bytes) }
        expectDataError(path, "truncated", "60") { _ = try IDXReader.readImages(path) }
        let header = dir.write("h.idx", [0, 0, 8, 3, 0, 0])
        expectDataError(header, "truncated", "dimension") { _ = try IDXReader.readImages(header) }
    }

    @Test func trailingBytesAreASizeMismatch() throws {
        let dir = TempFolder()
        let path = dir.write("long.idx", idxBytes(dimensions: [3, 4, 5], data: pixels + [1, 2]))
        expectDataError(path, "size mismatch", "60", "62") { _ = try IDXReader.readImages(path) }
    }

    @Test func gzipStreamCutShortOrCorruptIsRejected() throws {
        let dir = TempFolder()
        let plain = dir.file("whole.gz")
        writeGzip(plain, idxBytes(dimensions: [3, 4, 5], data: pixels))
        let whole = readBytes(plain)
        let cut = dir.write("cut.gz", Array(whole.prefix(whole.count - 12)))
        expectDataError(cut) { _ = try IDXReader.readImages(cut) }
        var flipped = whole
        flipped[flipped.count - 6] ^= 0xFF  // the CRC-32 in the gzip trailer
        let bad = dir.write("crc.gz", flipped)
        expectDataError(bad) { _ = try IDXReader.readImages(bad) }
    }

    @Test func zeroAndHugeDimensionsAreRejected() throws {
        let dir = TempFolder()
        let zero = dir.write("zero.idx", idxBytes(dimensions: [0, 28, 28], data: []))
        expectDataError(zero, "zero-size") { _ = try IDXReader.readImages(zero) }
        // 4e9 images of 28 × 28 declared in a 16-byte file: refused from the header.
        let huge = dir.write("huge.idx", idxBytes(dimensions: [4_000_000_000, 28, 28], data: []))
        expectDataError(huge, "too large") { _ = try IDXReader.readImages(huge) }
    }

    @Test func realFashionMNISTTestSetHasTheDocumentedShape() throws {
        let path = FashionMNIST.path(FashionMNIST.testImages)
        guard FileManager.default.fileExists(atPath: path) else { return }  // dataset-fashion-mnist not installed
        let set = try IDXReader.readImages(path)
        #expect(set.count == 10000 && set.height == 28 && set.width == 28)
        #expect(set.images.min()! >= 0 && set.images.max()! <= 1)
        #expect(try IDXReader.readLabels(FashionMNIST.path(FashionMNIST.testLabels)).count == 10000)
    }

    /// A 40-byte gzip file declaring 2^31 − 1 bytes of data (the default limit) is truncated, and the payload is
    /// read in pieces, so the reader does not first allocate (and zero) the 2 GiB the header declares.
    @Test func gzippedHeaderDeclaringHugePayloadDoesNotAllocateIt() throws {
        let dir = TempFolder()
        let path = dir.file("bomb.idx.gz")
        writeGzip(path, idxBytes(dimensions: [0x7FFF_FFFF], data: [1, 2, 3]))
        let before = peakResidentBytes()
        expectDataError(path, "truncated") { _ = try IDXReader.read(path) }
        let grown = peakResidentBytes() - before
        #expect(grown < 1 << 30, "peak RSS grew by \(grown) bytes reading a 40-byte file")
    }
}

/// The process's peak resident set size in bytes (getrusage's ru_maxrss is in KiB on Linux).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

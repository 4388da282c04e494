// FolderLoaderTests.swift: folders of PNG and JPEG files (nested, mixed, with other files), celebA layout, errors.
import DRAWData
import DRAWTestSupport
import Testing

@Suite struct FolderLoaderTests {
    /// A 4 × 4 PNG filled with one 8-bit grey level.
    func greyPNG(_ path: String, level: UInt8) throws {
        try PNGCodec.writeSamples(Array(repeating: level, count: 16), width: 4, height: 4, bitDepth: 8, colorType: .grey,
                                  to: path)
    }

    @Test func mixedNestedFolderLoadsSortedAndCountsOtherFiles() throws {
        let dir = TempFolder()
        try greyPNG(dir.file("b/2.png"), level: 51)
        try greyPNG(dir.file("a.png"), level: 102)
        try PNGCodec.writeSamples16(Array(repeating: 65535, count: 32), width: 8, height: 4, colorType: .grey,
                                    to: dir.file("c/d/deep.PNG"))
        let flat = Raster(height: 8, width: 8, fill: [0.2, 0.6, 1.0])
        try JPEGCodec.write(flat, to: dir.file("b/photo.jpeg"), quality: 100)
        dir.write("notes.txt", Array("hello".utf8))
        dir.write("b/labels.csv", Array("1,2".utf8))

        let result = try ImageFolderLoader.load(folder: dir.path, options: ImageOptions(channels: 3, height: 4, width: 4))
        let set = result.dataset
        #expect(set.count == 4 && set.channels == 3 && set.height == 4 && set.width == 4)
        #expect(set.names.map { String($0.dropFirst(dir.path.count + 1)) } == ["a.png", "b/2.png", "b/photo.jpeg", "c/d/deep.PNG"])
        #expect(result.skipped.count == 2)
        #expect(result.summary.contains("4 images") && result.summary.contains("2 other files skipped"))
        #expect(set.image(0).pixels.allSatisfy { $0 == 102 / 255 })
        #expect(set.image(1).pixels.allSatisfy { $0 == 51 / 255 })
        let photo = set.image(2)
        #expect(abs(photo[channel: 0, x: 1, y: 1] - 0.2) < 3 / 255 && abs(photo[channel: 2, x: 1, y: 1] - 1) < 3 / 255)
        #expect(set.image(3).pixels.allSatisfy { $0 == 1 })  // 8 × 4 white, shrunk to 4 × 4
    }

    @Test func sizeDefaultsToTheFirstImageAndGreyUsesLuma() throws {
        let dir = TempFolder()
        try PNGCodec.writeSamples([255, 0, 0, 0, 255, 0], width: 2, height: 1, bitDepth: 8, colorType: .rgb,
                                  to: dir.file("rgb.png"))
        let set = try ImageFolderLoader.load(folder: dir.path, options: ImageOptions(channels: 1)).dataset
        #expect(set.height == 1 && set.width == 2)
        #expect(abs(set.images[0] - 0.299) < 1e-6 && abs(set.images[1] - 0.587) < 1e-6)
    }

    @Test func emptyAndMissingFoldersAreClearErrors() throws {
        let dir = TempFolder()
        dir.write("readme.md", Array("x".utf8))
        expectDataError(dir.path, "no readable", "1 other file") {
            _ = try ImageFolderLoader.load(folder: dir.path, options: ImageOptions())
        }
        let missing = dir.path + "/nope"
        expectDataError(missing, "no such folder") { _ = try ImageFolderLoader.load(folder: missing, options: ImageOptions()) }
    }

    @Test func aCorruptImageStopsTheLoadNamingIt() throws {
        let dir = TempFolder()
        for i in 0..<5 { try greyPNG(dir.file("\(i).png"), level: 9) }
        let bad = dir.write("3b.jpg", [0xFF, 0xD8, 0xFF, 0x00, 0x01])
        expectDataError(bad) { _ = try ImageFolderLoader.load(folder: dir.path, options: ImageOptions(channels: 1)) }
        let fake = dir.write("4b.png", Array("GIF89a".utf8))
        expectDataError(fake, "bad magic") { _ = try ImageFolderLoader.decode(fake) }
    }

    @Test func limitAndBinarizationApply() throws {
        let dir = TempFolder()
        for (i, level) in [UInt8(10), 200, 90].enumerated() { try greyPNG(dir.file("\(i).png"), level: level) }
        let result = try ImageFolderLoader.load(folder: dir.path,
                                                options: ImageOptions(channels: 1, binarization: .threshold(0.5)), limit: 2)
        #expect(result.dataset.count == 2)
        #expect(result.dataset.images == Array(repeating: 0, count: 16) + Array(repeating: 1, count: 16))
    }

    @Test func celebALayoutIsCentreCroppedThenShrunk() throws {
        let dir = TempFolder()
        // A 178 × 218 image: white inside the central 108 × 108 square (x 35..<143, y 55..<163), black outside.
        let image = pattern(channels: 3, height: 218, width: 178) { _, x, y in
            (35..<143).contains(x) && (55..<163).contains(y) ? 1 : 0
        }
        try image.writePNG(to: dir.file("img_align_celeba/000001.png"))
        let result = try CelebALoader.load(folder: dir.path, options: ImageOptions(channels: 3))
        #expect(result.dataset.height == 64 && result.dataset.width == 64 && result.dataset.count == 1)
        #expect(result.dataset.images.allSatisfy { $0 == 1 })
        // Shifting the square by one pixel puts black in the crop's first column.
        let shifted = pattern(channels: 1, height: 218, width: 178) { _, x, y in
            (36..<144).contains(x) && (55..<163).contains(y) ? 1 : 0
        }
        try shifted.writePNG(to: dir.file("direct/a.png"))
        let direct = try CelebALoader.load(folder: dir.path + "/direct", options: ImageOptions(channels: 1)).dataset
        #expect(direct.images[0] < 1 && direct.images[63] == 1)
        #expect(abs(direct.images[0] - (1 - 64.0 / 108)) < 1e-5)  // 1 of the 1.6875 columns under it is black
    }

    @Test func imagesSmallerThanTheCropAreRejected() throws {
        let dir = TempFolder()
        try greyPNG(dir.file("small.png"), level: 1)
        expectDataError("small.png", "smaller than the 108x108 crop") {
            _ = try CelebALoader.load(folder: dir.path)
        }
    }
}

// FolderDeduplicationTests.swift: folders load each file once (links, copies), keep their images' size when it agrees, and celebA's own folder.
import DRAWData
import DRAWTestSupport
import Foundation
import Testing

@Suite struct FolderDeduplicationTests {
    func png(_ path: String, level: UInt8, width: Int = 4, height: Int = 4) throws {
        try PNGCodec.writeSamples(Array(repeating: level, count: width * height), width: width, height: height, bitDepth: 8,
                                  colorType: .grey, to: path)
    }

    @Test func linksAndCopiesAreLoadedOnce() throws {
        let dir = TempFolder()
        try png(dir.file("a.png"), level: 10)
        try png(dir.file("b.png"), level: 20)
        try png(dir.file("sub/copy-of-a.png"), level: 10)   // same bytes, another file
        try FileManager.default.createSymbolicLink(atPath: dir.file("link-to-b.png"), withDestinationPath: dir.file("b.png"))
        // A link listed first (kept) to a copy of a.png: compared by the copy's size and bytes, so a.png goes.
        try FileManager.default.createSymbolicLink(atPath: dir.file("a-link-to-the-copy.png"),
                                                   withDestinationPath: dir.file("sub/copy-of-a.png"))
        let result = try ImageFolderLoader.load(folder: dir.path, options: ImageOptions(channels: 1))
        #expect(result.dataset.count == 2, "\(result.dataset.names)")
        let names = result.duplicates.map { ($0.dropped as NSString).lastPathComponent }
        #expect(Set(names) == ["link-to-b.png", "copy-of-a.png", "a.png"] && result.duplicates.count == 3,
                "\(result.duplicates)")
        #expect(result.summary.contains("3 duplicates dropped"), "\(result.summary)")
    }

    @Test func aFolderKeepsItsImagesSizeWhenTheyAgree() throws {
        let same = TempFolder()
        for k in 0..<3 { try png(same.file("\(k).png"), level: UInt8(k), width: 7, height: 5) }
        let (set, _) = try DataSource.folder(path: same.path).load(options: ImageOptions(channels: 1))
        #expect(set.height == 5 && set.width == 7)
        let mixed = TempFolder()
        try png(mixed.file("0.png"), level: 1, width: 7, height: 5)
        try png(mixed.file("1.png"), level: 2, width: 9, height: 5)
        let (resized, summary) = try DataSource.folder(path: mixed.path).load(options: ImageOptions(channels: 1))
        #expect(resized.height == 64 && resized.width == 64 && summary.contains("resized to 64x64"), "\(summary)")
        let (asked, _) = try DataSource.folder(path: mixed.path).load(options: ImageOptions(channels: 1, height: 8, width: 8))
        #expect(asked.height == 8 && asked.width == 8)
    }

    @Test func celebAsOwnFolderIsCelebA() throws {
        let dir = TempFolder()
        try png(dir.file("img_align_celeba/000001.png"), level: 1)
        #expect(try DataSource.parse(dir.path) == .celebA(folder: dir.path))
        #expect(try DataSource.parse(dir.path + "/img_align_celeba") == .celebA(folder: dir.path + "/img_align_celeba"))
        #expect(try DataSource.parse(dir.path + "/img_align_celeba/") == .celebA(folder: dir.path + "/img_align_celeba/"))
    }
}

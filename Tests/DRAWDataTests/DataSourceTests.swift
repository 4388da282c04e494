// DataSourceTests.swift: dataset strings parse to the right source and load with the caller's options.
import DRAWData
import DRAWTestSupport
import Foundation
import Testing

@Suite struct DataSourceTests {
    @Test func stringsParse() throws {
        #expect(try DataSource.parse("faces") == .faces(count: 10_000))
        #expect(try DataSource.parse("faces:64") == .faces(count: 64))
        #expect(try DataSource.parse("fashion-mnist") == .fashionMNIST(train: true))
        #expect(try DataSource.parse("Fashion-MNIST:test") == .fashionMNIST(train: false))
        #expect(try DataSource.parse("celeba:/data/celeba") == .celebA(folder: "/data/celeba"))
        let dir = TempFolder()
        let idx = dir.write("x.idx", idxBytes(dimensions: [1, 2, 2], data: [0, 1, 2, 3]))
        #expect(try DataSource.parse(idx) == .idx(path: idx))
        #expect(try DataSource.parse(dir.path) == .folder(path: dir.path))
        _ = dir.file("img_align_celeba/x")
        #expect(try DataSource.parse(dir.path) == .celebA(folder: dir.path))
        expectDataError("faces:0", "positive") { _ = try DataSource.parse("faces:0") }
        expectDataError("/no/such/place", "no such file") { _ = try DataSource.parse("/no/such/place") }
    }

    @Test func sourcesLoadWithOptions() throws {
        let faces = try DataSource.faces(count: 5).load(options: ImageOptions(channels: 1, height: 12, width: 10), seed: 4)
        #expect(faces.dataset.count == 5 && faces.dataset.channels == 1 && faces.dataset.height == 12 && faces.dataset.width == 10)
        #expect(faces.summary.contains("5 procedural faces"))
        let limited = try DataSource.faces(count: 50).load(options: ImageOptions(binarization: .threshold(0.5)), limit: 3)
        #expect(limited.dataset.count == 3 && limited.dataset.images.allSatisfy { $0 == 0 || $0 == 1 })
        let dir = TempFolder()
        let idx = dir.write("x.idx", idxBytes(dimensions: [2, 2, 2], data: [0, 255, 0, 255, 9, 9, 9, 9]))
        let loaded = try DataSource.idx(path: idx).load(options: ImageOptions(channels: 3, height: 4, width: 4))
        #expect(loaded.dataset.count == 2 && loaded.dataset.channels == 3 && loaded.dataset.width == 4)
    }

    @Test func fashionMNISTTestImagesLoadWhenInstalled() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.path(FashionMNIST.testImages)) else { return }
        let set = try DataSource.fashionMNIST(train: false).load(options: ImageOptions(channels: 1), limit: 100).dataset
        #expect(set.count == 100 && set.height == 28 && set.width == 28)
    }
}

// DataSource.swift: one string names a dataset (built-in faces, Fashion-MNIST, an IDX file, celebA, a folder); load it.
import Foundation

/// Where training images come from, parsed from a command-line string:
///
/// | string                                   | source                                                        |
/// |------------------------------------------|---------------------------------------------------------------|
/// | `faces` or `faces:N`                     | N (default `ProceduralFaces.defaultCount`) colour faces, no files |
/// | `fashion-mnist`, `fashion-mnist:train`   | Fashion-MNIST training images from `FashionMNIST.defaultFolder` |
/// | `fashion-mnist:test`                     | Fashion-MNIST's 10 000 test images                             |
/// | `celeba:FOLDER`                          | celebA, cropped 108 × 108 and resized (see `CelebALoader`)     |
/// | a file path                              | an IDX images file, raw or gzipped                             |
/// | a folder path                            | celebA if it is or holds `img_align_celeba/`, else every PNG / JPEG |
public enum DataSource: Sendable, Equatable {
    case faces(count: Int)
    case fashionMNIST(train: Bool)
    case idx(path: String)
    case celebA(folder: String)
    case folder(path: String)

    /// Parses `text` as in the table above; a path that does not exist is an `unreadable` error.
    public static func parse(_ text: String) throws -> DataSource {
        let lower = text.lowercased()
        if lower == "faces" { return .faces(count: ProceduralFaces.defaultCount) }
        if lower.hasPrefix("faces:") {
            guard let n = Int(text.dropFirst(6)), n > 0 else {
                throw DataError.invalidArgument("dataset \"\(text)\": faces:N needs a positive count")
            }
            return .faces(count: n)
        }
        if lower == "fashion-mnist" || lower == "fashion-mnist:train" { return .fashionMNIST(train: true) }
        if lower == "fashion-mnist:test" { return .fashionMNIST(train: false) }
        if lower.hasPrefix("celeba:") { return .celebA(folder: String(text.dropFirst(7))) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
            throw DataError.unreadable(path: text, reason:
                "no such file or folder (datasets: faces[:N], fashion-mnist[:train|:test], celeba:FOLDER, an IDX file, a folder of images)")
        }
        if !isDirectory.boolValue { return .idx(path: text) }
        // The folder that holds img_align_celeba/, or img_align_celeba/ itself.
        if URL(fileURLWithPath: text).standardized.lastPathComponent == "img_align_celeba" { return .celebA(folder: text) }
        return CelebALoader.imageFolder(text) != text ? .celebA(folder: text) : .folder(path: text)
    }

    /// Loads the images. `options` gives channels, size and binarization; where it leaves the size open,
    /// faces are `ProceduralFaces.defaultSide` square, celebA 64 × 64, IDX files keep their size, folders keep the images' size when they all
    /// have the same and are resized to 64 × 64 when they differ. `seed` drives the procedural
    /// faces. `limit` keeps the first images. The summary is one line for the log.
    public func load(options: ImageOptions, seed: UInt64 = 0, limit: Int? = nil) throws -> (dataset: Dataset, summary: String) {
        switch self {
        case let .faces(count):
            let n = min(count, limit ?? count)
            var set = try ProceduralFaces.generate(count: n, channels: options.channels, height: options.height ?? ProceduralFaces.defaultSide,
                                                   width: options.width ?? ProceduralFaces.defaultSide, seed: seed)
            if options.binarization != .none { set = set.binarized(options.binarization) }
            return (set, "\(n) procedural faces \(set.channels)x\(set.height)x\(set.width) (seed \(seed))")
        case let .fashionMNIST(train):
            let path = FashionMNIST.path(train ? FashionMNIST.trainImages : FashionMNIST.testImages)
            let set = try IDXReader.loadImages(path, options: options, limit: limit)
            return (set, "\(set.count) Fashion-MNIST \(train ? "training" : "test") images from \(path)")
        case let .idx(path):
            let set = try IDXReader.loadImages(path, options: options, limit: limit)
            return (set, "\(set.count) images \(set.height)x\(set.width) from \(path)")
        case let .celebA(folder):
            let result = try CelebALoader.load(folder: folder, options: options, limit: limit)
            return (result.dataset, "celebA: " + result.summary)
        case let .folder(path):
            let result = try ImageFolderLoader.load(folder: path, options: options, limit: limit, mixedSize: (64, 64))
            return (result.dataset, result.summary)
        }
    }
}

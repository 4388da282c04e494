// CelebALoader.swift: the aligned celebA faces (178 × 218 JPEGs), centre-cropped to 108 × 108 and shrunk to 64 × 64.
import Foundation

/// celebA's `img_align_celeba` images prepared the usual way for 64 × 64 generative models: a centred
/// 108 × 108 crop (top-left at (35, 55) in a 178 × 218 image, i.e. the face without most of the background),
/// then resized to `height` × `width` (default 64 × 64) by **area averaging** (box filter: each output pixel is
/// the coverage-weighted mean of the 1.6875 × 1.6875 source pixels under it; see `Raster.resized`).
public enum CelebALoader {
    public static let cropSize = 108
    public static let imageWidth = 178
    public static let imageHeight = 218

    /// The folder holding the JPEGs: `<folder>/img_align_celeba` when it exists, else `folder` itself.
    public static func imageFolder(_ folder: String) -> String {
        let inner = folder.hasSuffix("/") ? folder + "img_align_celeba" : folder + "/img_align_celeba"
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: inner, isDirectory: &isDirectory) && isDirectory.boolValue
            ? inner : folder
    }

    /// Loads celebA from `folder` (see `imageFolder`). `options.centreCrop` is set to 108 × 108 and the size
    /// defaults to 64 × 64; channels, binarization and the rest are the caller's. `limit` keeps the first images
    /// in file-name order (000001.jpg, ...). Images smaller than the crop are rejected with their path.
    public static func load(folder: String, options: ImageOptions = ImageOptions(channels: 3),
                            limit: Int? = nil) throws -> FolderLoadResult {
        var opts = options
        opts.centreCrop = (cropSize, cropSize)
        opts.height = options.height ?? 64
        opts.width = options.width ?? 64
        return try ImageFolderLoader.load(folder: imageFolder(folder), options: opts, limit: limit)
    }
}

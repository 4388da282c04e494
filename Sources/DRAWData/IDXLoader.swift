// IDXLoader.swift: IDX image files (MNIST, Fashion-MNIST) as a Dataset, resized / coloured / binarized on request.

/// Where Debian's `dataset-fashion-mnist` package puts Fashion-MNIST, and its four file names.
public enum FashionMNIST {
    public static let defaultFolder = "/usr/share/datasets/fashion-mnist"
    public static let trainImages = "train-images-idx3-ubyte.gz"
    public static let trainLabels = "train-labels-idx1-ubyte.gz"
    public static let testImages = "t10k-images-idx3-ubyte.gz"
    public static let testLabels = "t10k-labels-idx1-ubyte.gz"

    /// The path of `file` in `folder`.
    public static func path(_ file: String, in folder: String = defaultFolder) -> String {
        folder.hasSuffix("/") ? folder + file : folder + "/" + file
    }
}

extension IDXReader {
    /// Reads an IDX images file (raw or gzipped, magic 0x00000803) and applies `options`: resize to
    /// options.height × options.width when set (area averaging / bilinear, see `Raster.resized`), grey → RGB
    /// replication when options.channels is 3, then binarization. `centreCrop` and `background` are ignored.
    /// `limit` keeps the first images.
    public static func loadImages(_ path: String, options: ImageOptions = ImageOptions(channels: 1),
                                  limit: Int? = nil) throws -> Dataset {
        try options.validate()
        var set = try readImages(path, limit: limit)
        let (h, w) = (options.height ?? set.height, options.width ?? set.width)
        if h != set.height || w != set.width || options.channels != 1 {
            var out = [Float](repeating: 0, count: set.count * options.channels * h * w)
            let size = options.channels * h * w
            for i in 0..<set.count {
                let r = set.image(i).resized(height: h, width: w).converted(toChannels: options.channels)
                for k in 0..<size { out[i * size + k] = r.pixels[k] }
            }
            set = Dataset(count: set.count, channels: options.channels, height: h, width: w, images: out)
        }
        return options.binarization == .none ? set : set.binarized(options.binarization)
    }
}

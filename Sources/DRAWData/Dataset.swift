// Dataset.swift: N images as one contiguous planar float slab [N, C, H, W] in [0, 1], the type every loader returns.
/// `count` images of `channels` × `height` × `width`, planar and row-major (w fastest, then h, then c, then n),
/// values in [0, 1]. This is the layout the model reads (SPEC.md "Shapes and layout").
/// A value type: subsets, splits and shuffles copy the images they keep.
public struct Dataset: Sendable, Equatable {
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    /// count × channels × height × width floats.
    public var images: [Float]
    /// One name per image for file-based sets (the path the image was read from), empty otherwise
    /// (IDX files, the procedural set).
    public var names: [String]

    /// Floats in one image: C·H·W.
    public var imageSize: Int { channels * height * width }

    public init(count: Int, channels: Int, height: Int, width: Int, images: [Float], names: [String] = []) {
        precondition(count >= 0 && channels > 0 && height > 0 && width > 0, "bad shape \(count)x\(channels)x\(height)x\(width)")
        precondition(images.count == count * channels * height * width,
                     "images.count \(images.count) != \(count)x\(channels)x\(height)x\(width)")
        precondition(names.isEmpty || names.count == count, "\(names.count) names for \(count) images")
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.images = images
        self.names = names
    }

    /// All-zero images.
    public init(count: Int, channels: Int, height: Int, width: Int) {
        self.init(count: count, channels: channels, height: height, width: width,
                  images: [Float](repeating: 0, count: count * channels * height * width))
    }

    /// Image `index` as a raster of its own.
    public func image(_ index: Int) -> Raster {
        precondition(index >= 0 && index < count, "image \(index) of \(count)")
        let start = index * imageSize
        return Raster(channels: channels, height: height, width: width,
                      pixels: Array(images[start..<start + imageSize]))
    }

    /// The images at `indices`, in that order, as a new contiguous set (names follow their images).
    public func subset(_ indices: [Int]) -> Dataset {
        var out = [Float](repeating: 0, count: indices.count * imageSize)
        copyImages(indices, into: &out)
        return Dataset(count: indices.count, channels: channels, height: height, width: width, images: out,
                       names: names.isEmpty ? [] : indices.map { names[$0] })
    }

    /// Copies the images at `indices` into `out[0 ..< indices.count · imageSize]`.
    public func copyImages(_ indices: [Int], into out: inout [Float]) {
        precondition(out.count >= indices.count * imageSize, "output too small")
        out.withUnsafeMutableBufferPointer { copyImages(indices, into: $0.baseAddress!) }
    }

    /// Copies the images at `indices` to `out`, which holds indices.count · imageSize floats.
    public func copyImages(_ indices: [Int], into out: UnsafeMutablePointer<Float>) {
        let size = imageSize
        images.withUnsafeBufferPointer { src in
            for (k, i) in indices.enumerated() {
                precondition(i >= 0 && i < count, "image \(i) of \(count)")
                out.advanced(by: k * size).update(from: src.baseAddress!.advanced(by: i * size), count: size)
            }
        }
    }

    /// The same images in a seeded random order (Fisher-Yates with `SplitMix64(seed:)`).
    public func shuffled(seed: UInt64) -> Dataset {
        subset(Dataset.permutation(count: count, seed: seed))
    }

    /// A seeded permutation of 0..<count, identical on every platform for a seed.
    public static func permutation(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&order)
        return order
    }

    /// A seeded random split: `test` holds round(count · testFraction) images, `train` the rest, each in the
    /// shuffled order. The same seed gives the same split. `testFraction` must be in [0, 1).
    public func split(testFraction: Double, seed: UInt64) throws -> (train: Dataset, test: Dataset) {
        guard testFraction >= 0, testFraction < 1 else {
            throw DataError.invalidArgument("split: testFraction \(testFraction) is not in [0, 1)")
        }
        let order = Dataset.permutation(count: count, seed: seed)
        let nTest = Int((Double(count) * testFraction).rounded())
        return (subset(Array(order[nTest...])), subset(Array(order[..<nTest])))
    }

    /// The first `n` images (all of them when n ≥ count).
    public func prefix(_ n: Int) -> Dataset { subset(Array(0..<min(max(n, 0), count))) }

    /// Sets stacked along N; all must share C, H, W. Names are kept only when every set has them.
    public static func concatenate(_ sets: [Dataset]) throws -> Dataset {
        guard let first = sets.first else { throw DataError.invalidArgument("concatenate: no datasets") }
        for b in sets where b.channels != first.channels || b.height != first.height || b.width != first.width {
            throw DataError.invalidArgument(
                "concatenate: shape \(b.channels)x\(b.height)x\(b.width) differs from \(first.channels)x\(first.height)x\(first.width)")
        }
        let named = sets.allSatisfy { !$0.names.isEmpty || $0.count == 0 }
        return Dataset(count: sets.reduce(0) { $0 + $1.count }, channels: first.channels,
                       height: first.height, width: first.width, images: sets.flatMap(\.images),
                       names: named ? sets.flatMap(\.names) : [])
    }
}

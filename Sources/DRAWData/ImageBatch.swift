// ImageBatch.swift: N images as one contiguous planar float slab [N, C, H, W] in [0, 1], the type every loader returns.
/// `count` images of `channels` × `height` × `width`, planar and row-major (w fastest, then h, then c, then n),
/// values in [0, 1]. This is the layout the model reads (SPEC.md "Shapes and layout").
public struct ImageBatch: Sendable, Equatable {
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    /// count × channels × height × width floats.
    public var pixels: [Float]

    /// Floats in one image: C·H·W.
    public var imageSize: Int { channels * height * width }

    public init(count: Int, channels: Int, height: Int, width: Int, pixels: [Float]) {
        precondition(count >= 0 && channels > 0 && height > 0 && width > 0, "bad shape \(count)x\(channels)x\(height)x\(width)")
        precondition(pixels.count == count * channels * height * width,
                     "pixels.count \(pixels.count) != \(count)x\(channels)x\(height)x\(width)")
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// All-zero images.
    public init(count: Int, channels: Int, height: Int, width: Int) {
        self.init(count: count, channels: channels, height: height, width: width,
                  pixels: [Float](repeating: 0, count: count * channels * height * width))
    }

    /// Image `index` as a raster of its own.
    public func image(_ index: Int) -> Raster {
        precondition(index >= 0 && index < count, "image \(index) of \(count)")
        let start = index * imageSize
        return Raster(channels: channels, height: height, width: width,
                      pixels: Array(pixels[start..<start + imageSize]))
    }

    /// The images at `indices`, in that order, as a new contiguous batch.
    public func subset(_ indices: [Int]) -> ImageBatch {
        var out = [Float](repeating: 0, count: indices.count * imageSize)
        copyImages(indices, into: &out)
        return ImageBatch(count: indices.count, channels: channels, height: height, width: width, pixels: out)
    }

    /// Copies the images at `indices` into `out[0 ..< indices.count · imageSize]`.
    public func copyImages(_ indices: [Int], into out: inout [Float]) {
        precondition(out.count >= indices.count * imageSize, "output too small")
        let size = imageSize
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "image \(i) of \(count)")
                    dst.baseAddress!.advanced(by: k * size)
                        .update(from: src.baseAddress!.advanced(by: i * size), count: size)
                }
            }
        }
    }

    /// Batches stacked along N; all must share C, H, W.
    public static func concatenate(_ batches: [ImageBatch]) throws -> ImageBatch {
        guard let first = batches.first else { throw DataError.invalidArgument("concatenate: no batches") }
        for b in batches where b.channels != first.channels || b.height != first.height || b.width != first.width {
            throw DataError.invalidArgument(
                "concatenate: shape \(b.channels)x\(b.height)x\(b.width) differs from \(first.channels)x\(first.height)x\(first.width)")
        }
        return ImageBatch(count: batches.reduce(0) { $0 + $1.count }, channels: first.channels,
                          height: first.height, width: first.width, pixels: batches.flatMap(\.pixels))
    }
}

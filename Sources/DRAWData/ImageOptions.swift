// ImageOptions.swift: what every loader does to a decoded image: channels, alpha background, crop, resize, binarize.

/// Turning grey values into 0 / 1, for the Bernoulli (BCE) loss.
public enum Binarization: Sendable, Equatable {
    /// Values kept as they are.
    case none
    /// 1 where v > threshold (0.5 usually), else 0.
    case threshold(Float)
    /// 1 with probability v (each pixel its own uniform draw), from a seeded stream per image:
    /// image i uses `SplitMix64(seed: seed, stream: i)`, so the result does not depend on load order or threads.
    case stochastic(seed: UInt64)
}

/// How decoded images become the planar [C, H, W] floats of a `Dataset`, in this order:
/// alpha composited over `background` → centre crop (if set) → resize to height × width (area averaging to
/// shrink, bilinear to enlarge; see `Raster.resized`) → 1 or 3 channels (grey = BT.601 luma) → binarization.
public struct ImageOptions: Sendable, Equatable {
    /// Output channels: 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Output height and width; nil keeps the (cropped) size of the first image, and every other image is
    /// resized to it.
    public var height: Int?
    public var width: Int?
    /// A centred crop (width, height) taken before resizing; images smaller than it are rejected.
    public var centreCrop: (width: Int, height: Int)?
    /// What transparent pixels show through to (PNG alpha and tRNS).
    public var background: Color
    public var binarization: Binarization
    /// Largest decoded image accepted, in bytes (width · height · samples · bytes per sample), checked from the
    /// header before any pixel buffer is allocated.
    public var maxImageBytes: Int

    public init(channels: Int = 3, height: Int? = nil, width: Int? = nil,
                centreCrop: (width: Int, height: Int)? = nil, background: Color = .white,
                binarization: Binarization = .none, maxImageBytes: Int = defaultMaxImageBytes) {
        self.channels = channels
        self.height = height
        self.width = width
        self.centreCrop = centreCrop
        self.background = background
        self.binarization = binarization
        self.maxImageBytes = maxImageBytes
    }

    public static func == (a: ImageOptions, b: ImageOptions) -> Bool {
        a.channels == b.channels && a.height == b.height && a.width == b.width
            && a.centreCrop?.width == b.centreCrop?.width && a.centreCrop?.height == b.centreCrop?.height
            && a.background == b.background && a.binarization == b.binarization && a.maxImageBytes == b.maxImageBytes
    }

    func validate() throws {
        guard channels == 1 || channels == 3 else {
            throw DataError.invalidArgument("channels must be 1 or 3, got \(channels)")
        }
        if let h = height, h <= 0 { throw DataError.invalidArgument("height must be positive, got \(h)") }
        if let w = width, w <= 0 { throw DataError.invalidArgument("width must be positive, got \(w)") }
        if let crop = centreCrop, crop.width <= 0 || crop.height <= 0 {
            throw DataError.invalidArgument("crop must be positive, got \(crop.width)x\(crop.height)")
        }
    }

    /// Crop, resize and convert one decoded image (no binarization: that needs the image's index).
    func prepare(_ image: DecodedImage, path: String, height h: Int, width w: Int) throws -> Raster {
        var raster = image.raster(channels: image.channels >= 3 ? 3 : 1, background: background)
        if let crop = centreCrop {
            guard raster.width >= crop.width, raster.height >= crop.height else {
                throw DataError.invalidArgument(
                    "\(path): image is \(raster.width)x\(raster.height), smaller than the \(crop.width)x\(crop.height) crop")
            }
            raster = raster.centreCropped(width: crop.width, height: crop.height)
        }
        return raster.resized(height: h, width: w).converted(toChannels: channels)
    }
}

extension Dataset {
    /// The same images binarized (see `Binarization`); names are kept.
    public func binarized(_ mode: Binarization) -> Dataset {
        var out = self
        let size = imageSize
        out.images.withUnsafeMutableBufferPointer { p in
            for i in 0..<count {
                binarize(p.baseAddress! + i * size, count: size, imageIndex: i, mode: mode)
            }
        }
        return out
    }
}

/// Binarizes `count` values at `p` in place; `imageIndex` picks the stochastic stream.
func binarize(_ p: UnsafeMutablePointer<Float>, count: Int, imageIndex: Int, mode: Binarization) {
    switch mode {
    case .none: return
    case let .threshold(t):
        for k in 0..<count { p[k] = p[k] > t ? 1 : 0 }
    case let .stochastic(seed):
        var rng = SplitMix64(seed: seed, stream: UInt64(imageIndex))
        for k in 0..<count { p[k] = rng.nextUnitFloat() < p[k] ? 1 : 0 }
    }
}

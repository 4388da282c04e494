// Raster.swift: one image [C, H, W] (C = 1 or 3) to draw on, tile into grids, and write as PNG or GIF frames.
/// One planar image, C × H × W floats in [0, 1] (C = 1 grey or 3 RGB; other counts are allowed for data but
/// the writers take 1 or 3). Pixel (x, y) of channel c is `pixels[(c · height + y) · width + x]`.
public struct Raster: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public var pixels: [Float]

    public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
        precondition(channels > 0 && height > 0 && width > 0, "bad raster \(channels)x\(height)x\(width)")
        precondition(pixels.count == channels * height * width, "pixels.count \(pixels.count) != \(channels)x\(height)x\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// A raster filled with one value per channel (`fill.count` = channels).
    public init(height: Int, width: Int, fill: [Float]) {
        precondition(!fill.isEmpty && height > 0 && width > 0, "bad raster")
        var pixels = [Float](repeating: 0, count: fill.count * height * width)
        for c in fill.indices {
            pixels.withUnsafeMutableBufferPointer {
                $0.baseAddress!.advanced(by: c * height * width).update(repeating: fill[c], count: height * width)
            }
        }
        self.init(channels: fill.count, height: height, width: width, pixels: pixels)
    }

    @inline(__always) public func index(channel c: Int, x: Int, y: Int) -> Int { (c * height + y) * width + x }

    public subscript(channel c: Int, x x: Int, y y: Int) -> Float {
        get { pixels[index(channel: c, x: x, y: y)] }
        set { pixels[index(channel: c, x: x, y: y)] = newValue }
    }

    /// Three channels: grey replicated, RGB unchanged.
    public func rgb() -> Raster {
        if channels == 3 { return self }
        precondition(channels == 1, "rgb() of a \(channels)-channel raster")
        return Raster(channels: 3, height: height, width: width, pixels: pixels + pixels + pixels)
    }

    /// Each pixel repeated `factor` × `factor` times (nearest neighbour), for viewing small images.
    public func upscaled(by factor: Int) -> Raster {
        precondition(factor >= 1, "upscale factor \(factor)")
        if factor == 1 { return self }
        let (h2, w2) = (height * factor, width * factor)
        var out = [Float](repeating: 0, count: channels * h2 * w2)
        for c in 0..<channels {
            for y in 0..<h2 {
                let src = (c * height + y / factor) * width
                let dst = (c * h2 + y) * w2
                for x in 0..<w2 { out[dst + x] = pixels[src + x / factor] }
            }
        }
        return Raster(channels: channels, height: h2, width: w2, pixels: out)
    }

    /// Interleaved 8-bit samples (H, W, C), each value clamped to [0, 1] and rounded: v · 255.
    public func interleavedBytes() -> [UInt8] {
        let plane = height * width
        var out = [UInt8](repeating: 0, count: plane * channels)
        for c in 0..<channels {
            for i in 0..<plane { out[i * channels + c] = Raster.byte(pixels[c * plane + i]) }
        }
        return out
    }

    /// [0, 1] → 0...255, rounded to nearest; NaN → 0 (what PNG and GIF output store; inlinable for the GIF writer).
    @inlinable @inline(__always) public static func byte(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }
        return v >= 1 ? 255 : UInt8(v * 255 + 0.5)
    }
}

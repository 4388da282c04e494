// Resize.swift: cropping and resizing rasters: area averaging to shrink an axis, bilinear to enlarge it.
extension Raster {
    /// The rectangle of `width` × `height` pixels whose top-left corner is (x, y); it must lie inside the raster.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Raster {
        precondition(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= width && y + h <= height,
                     "crop \(w)x\(h) at (\(x), \(y)) outside \(width)x\(height)")
        var out = [Float](repeating: 0, count: channels * w * h)
        for c in 0..<channels {
            for row in 0..<h {
                let src = index(channel: c, x: x, y: y + row)
                let dst = (c * h + row) * w
                for col in 0..<w { out[dst + col] = pixels[src + col] }
            }
        }
        return Raster(channels: channels, height: h, width: w, pixels: out)
    }

    /// The centred `width` × `height` rectangle: top-left at ((W − w) / 2, (H − h) / 2), rounded down.
    /// For a 178 × 218 celebA image and 108 × 108 this is x 35..<143, y 55..<163.
    public func centreCropped(width w: Int, height h: Int) -> Raster {
        cropped(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    /// This raster resampled to `height` × `width`, each axis on its own (separable):
    /// - an axis that shrinks uses **area averaging** (a box filter): output pixel i covers source interval
    ///   [i·s/t, (i+1)·s/t) and is the mean of the source pixels weighted by how much of each it covers, so
    ///   every source pixel counts and there is no aliasing (an exact 2:1 shrink averages 2 × 2 blocks);
    /// - an axis that grows uses **bilinear** interpolation with pixel centres aligned (source coordinate
    ///   (i + 0.5)·s/t − 0.5, clamped to the edge pixels);
    /// - an axis that keeps its size is copied.
    /// Outputs stay in the inputs' range (all weights are non-negative and sum to 1).
    public func resized(height newHeight: Int, width newWidth: Int) -> Raster {
        precondition(newHeight > 0 && newWidth > 0, "resize to \(newWidth)x\(newHeight)")
        if newHeight == height && newWidth == width { return self }
        let wx = Resampling.weights(from: width, to: newWidth)
        let wy = Resampling.weights(from: height, to: newHeight)
        // Horizontal pass: (C, H, W) → (C, H, W'), then vertical: → (C, H', W').
        var mid = [Float](repeating: 0, count: channels * height * newWidth)
        pixels.withUnsafeBufferPointer { p in
            mid.withUnsafeMutableBufferPointer { m in
                for row in 0..<(channels * height) {
                    let src = row * width, dst = row * newWidth
                    for (i, taps) in wx.enumerated() {
                        var sum: Float = 0
                        for t in taps { sum += t.weight * p[src + t.index] }
                        m[dst + i] = sum
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: channels * newHeight * newWidth)
        mid.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for c in 0..<channels {
                    for (j, taps) in wy.enumerated() {
                        let dst = (c * newHeight + j) * newWidth
                        for t in taps {
                            let src = (c * height + t.index) * newWidth
                            for x in 0..<newWidth { o[dst + x] += t.weight * m[src + x] }
                        }
                    }
                }
            }
        }
        return Raster(channels: channels, height: newHeight, width: newWidth, pixels: out)
    }

    /// The same image with 1 or 3 channels: RGB → grey by BT.601 luma, grey → RGB by replication.
    public func converted(toChannels target: Int) -> Raster {
        precondition(target == 1 || target == 3, "channels \(target)")
        if target == channels { return self }
        if target == 3 { return rgb() }
        precondition(channels == 3, "grey from a \(channels)-channel raster")
        let plane = height * width
        var out = [Float](repeating: 0, count: plane)
        for i in 0..<plane {
            out[i] = 0.299 * pixels[i] + 0.587 * pixels[plane + i] + 0.114 * pixels[2 * plane + i]
        }
        return Raster(channels: 1, height: height, width: width, pixels: out)
    }
}

/// One-dimensional resampling weights shared by both axes.
enum Resampling {
    struct Tap {
        let index: Int
        let weight: Float
    }

    /// For each of `target` output pixels, the source pixels and weights (summing to 1) over `source` pixels.
    static func weights(from source: Int, to target: Int) -> [[Tap]] {
        if source == target { return (0..<target).map { [Tap(index: $0, weight: 1)] } }
        let scale = Double(source) / Double(target)
        if target < source {
            return (0..<target).map { i in
                let lo = Double(i) * scale, hi = Double(i + 1) * scale
                var taps: [Tap] = []
                var k = Int(lo.rounded(.down))
                while Double(k) < hi && k < source {
                    let cover = min(hi, Double(k + 1)) - max(lo, Double(k))
                    if cover > 1e-12 { taps.append(Tap(index: k, weight: Float(cover / scale))) }
                    k += 1
                }
                return taps
            }
        }
        return (0..<target).map { i in
            let s = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
            let k = min(Int(s.rounded(.down)), source - 1)
            let f = s - Double(k)
            if f < 1e-12 || k + 1 >= source { return [Tap(index: k, weight: 1)] }
            return [Tap(index: k, weight: Float(1 - f)), Tap(index: k + 1, weight: Float(f))]
        }
    }
}

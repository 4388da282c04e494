// EdgeLoss.swift: the squared distance of two images' spatial gradients (an edge term beside pixel L2), per image, with its gradient.
import Foundation

/// edge_b = 0.5 · Σ_planes Σ_pairs (Δx̃ − Δx)² over every horizontal pair (h, w)–(h, w+1) and vertical pair
/// (h, w)–(h+1, w) of each H×W plane of image b: pixel L2 weighted by frequency (|ω|²), so a blurred edge costs
/// as much as a misplaced one while a flat offset costs nothing. Images are planar `[B, C, H, W]`.
public enum EdgeLoss {
    /// Returns edge_b (B values, accumulated in Float64) and adds `weight` · d edge_b / d x̃ into `gradient`
    /// (`[B, C, H, W]`, +=) when it is given.
    public static func apply(reconstruction xt: UnsafePointer<Float>, data x: UnsafePointer<Float>, batch B: Int,
                             planes: Int, height H: Int, width W: Int, weight: Float,
                             gradient: UnsafeMutablePointer<Float>?) -> [Double] {
        let plane = H * W, P = planes * plane
        var losses = [Double](repeating: 0, count: B)
        for b in 0..<B {
            var sum = 0.0
            for p in 0..<planes {
                let o = b * P + p * plane
                for h in 0..<H {
                    for w in 0..<W {
                        let i = o + h * W + w, e = xt[i] - x[i]
                        if w + 1 < W {
                            let d = (xt[i + 1] - x[i + 1]) - e
                            sum += Double(d) * Double(d)
                            if let gradient { gradient[i + 1] += weight * d; gradient[i] -= weight * d }
                        }
                        if h + 1 < H {
                            let d = (xt[i + W] - x[i + W]) - e
                            sum += Double(d) * Double(d)
                            if let gradient { gradient[i + W] += weight * d; gradient[i] -= weight * d }
                        }
                    }
                }
            }
            losses[b] = 0.5 * sum
        }
        return losses
    }
}

// EdgeReference.swift: Float64 reference of the edge loss (squared distance of spatial gradients), written from its definition.
import Foundation

public enum EdgeReference {
    /// edge_b = 0.5 · Σ over planes, horizontal and vertical neighbour pairs (p, q) of ((x̃_q − x̃_p) − (x_q − x_p))²,
    /// for planar (B, planes, H, W) images.
    public static func loss(_ xt: [Double], _ x: [Double], batch B: Int, planes: Int, height H: Int, width W: Int) -> [Double] {
        let P = planes * H * W
        return (0..<B).map { b in
            var sum = 0.0
            for c in 0..<planes {
                func at(_ v: [Double], _ h: Int, _ w: Int) -> Double { v[b * P + (c * H + h) * W + w] }
                for h in 0..<H {
                    for w in 0..<W {
                        if w + 1 < W {
                            let d = (at(xt, h, w + 1) - at(xt, h, w)) - (at(x, h, w + 1) - at(x, h, w))
                            sum += d * d
                        }
                        if h + 1 < H {
                            let d = (at(xt, h + 1, w) - at(xt, h, w)) - (at(x, h + 1, w) - at(x, h, w))
                            sum += d * d
                        }
                    }
                }
            }
            return 0.5 * sum
        }
    }
}

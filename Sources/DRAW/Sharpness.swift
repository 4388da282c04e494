// Sharpness.swift: how much fine detail a set of images has (mean squared spatial gradient and Laplacian), so blur is measured.
import Foundation

/// Detail energy of planar `[N, C, H, W]` images, pooled over images and channels, in Float64.
/// `gradient` is the mean of (x[h, w+1] − x[h, w])² + (x[h+1, w] − x[h, w])² over the pixels that have both
/// neighbours; `laplacian` the mean of (4x − up − down − left − right)² over the interior pixels (0 for images
/// smaller than 3×3). A blurred copy of a set has smaller values; the ratio to the originals' is the number to report.
public struct Sharpness: Sendable, Equatable {
    public let gradient: Double
    public let laplacian: Double

    public init(images: UnsafeBufferPointer<Float>, height H: Int, width W: Int) {
        let plane = H * W, planes = plane > 0 ? images.count / plane : 0
        var g = 0.0, l = 0.0
        for p in 0..<planes {
            let x = images.baseAddress! + p * plane
            for h in 0..<(H - 1) {
                for w in 0..<(W - 1) {
                    let v = Double(x[h * W + w])
                    let dx = Double(x[h * W + w + 1]) - v, dy = Double(x[(h + 1) * W + w]) - v
                    g += dx * dx + dy * dy
                }
            }
            if H >= 3, W >= 3 {
                for h in 1..<(H - 1) {
                    for w in 1..<(W - 1) {
                        let i = h * W + w
                        let lap = 4 * Double(x[i]) - Double(x[i - 1]) - Double(x[i + 1]) - Double(x[i - W])
                            - Double(x[i + W])
                        l += lap * lap
                    }
                }
            }
        }
        let gradientCount = planes * max(H - 1, 0) * max(W - 1, 0), laplacianCount = planes * max(H - 2, 0) * max(W - 2, 0)
        gradient = gradientCount > 0 ? g / Double(gradientCount) : 0
        laplacian = laplacianCount > 0 ? l / Double(laplacianCount) : 0
    }

    public init(images: [Float], height: Int, width: Int) {
        self = images.withUnsafeBufferPointer { Sharpness(images: $0, height: height, width: width) }
    }

    /// This set's detail relative to `reference`'s (1 = as sharp as the reference; blur gives less than 1).
    public func ratio(to reference: Sharpness) -> (gradient: Double, laplacian: Double) {
        (reference.gradient > 0 ? gradient / reference.gradient : .nan,
         reference.laplacian > 0 ? laplacian / reference.laplacian : .nan)
    }
}

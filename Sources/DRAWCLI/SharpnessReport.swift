// SharpnessReport.swift: `draw eval`'s blur numbers: reconstructions' detail relative to the originals', and pixel MSE.
import DRAW
import DRAWData
import Foundation

/// Held-out reconstructions (z = μ) against their originals.
struct SharpnessReport {
    /// Reconstructions' mean squared spatial gradient over the originals' (1 = as sharp as the data).
    let gradientRatio: Double
    /// The same for the squared Laplacian.
    let laplacianRatio: Double
    /// Mean over pixels of (x − x̃)².
    let pixelMSE: Double

    init(_ model: DRAWModel, _ set: Dataset, batchSize: Int) throws {
        let c = model.config, P = c.pixels, T = c.steps
        var originals = [Float](), reconstructions = [Float]()
        originals.reserveCapacity(set.count * P); reconstructions.reserveCapacity(set.count * P)
        var start = 0
        while start < set.count {
            let n = min(batchSize, set.count - start)
            var batch = [Float](repeating: 0, count: n * P)
            set.copyImages(Array(start..<(start + n)), into: &batch)
            let r = try model.reconstruct(batch: batch, mode: .mean)
            for i in 0..<n { reconstructions += r.canvas(step: T, image: i) }
            originals += batch
            start += n
        }
        var se = 0.0
        for i in originals.indices { let d = Double(originals[i]) - Double(reconstructions[i]); se += d * d }
        pixelMSE = se / Double(max(originals.count, 1))
        let ratio = Sharpness(images: reconstructions, height: c.height, width: c.width)
            .ratio(to: Sharpness(images: originals, height: c.height, width: c.width))
        gradientRatio = ratio.gradient
        laplacianRatio = ratio.laplacian
    }

    var line: String {
        String(format: "sharpness of reconstructions (z = mu) / originals: gradient %.3f, Laplacian %.3f; pixel MSE %.5f",
               gradientRatio, laplacianRatio, pixelMSE)
    }
    var json: [String: Any] {
        ["sharpness_gradient_ratio": gradientRatio, "sharpness_laplacian_ratio": laplacianRatio, "pixel_mse": pixelMSE]
    }
}

// Encoding.swift: the encoder's per-step posteriors q(z_t | x, z_<t) of a batch, for interpolation and inspection.

/// The approximate posterior of a batch, step by step: z_t ~ N(μ_t, σ_t²), found with z = μ at every step
/// (evaluation mode), so step t's posterior is the one that follows the means of the steps before it.
public struct Posterior: Sendable {
    public let count: Int
    public let config: DRAWConfig
    /// μ_t per step and image, `[T][count][Z]` row-major: the layout `sample(count:z:)` takes as z.
    public let mu: [Float]
    /// log σ_t, same layout.
    public let logSigma: [Float]

    /// μ of image `image` at step t (1-based), Z values.
    public func mean(step t: Int, image: Int) -> ArraySlice<Float> {
        let Z = config.zSize, start = ((t - 1) * count + image) * Z
        return mu[start..<(start + Z)]
    }

    /// Image `image`'s means of all T steps, `[T][Z]`.
    public func means(image: Int) -> [Float] { (1...config.steps).flatMap { mean(step: $0, image: image) } }
}

extension DRAWModel {
    /// The per-step posteriors of `batch` (planar `[B, C, H, W]` in [0, 1]). Decoding their means with
    /// `sample(count: B, z: posterior.mu)` gives the z = μ reconstruction: the decoder sees only z.
    public func encode(batch: [Float]) throws -> Posterior {
        try batch.withUnsafeBufferPointer { images in
            let k = try prepare(images: images, mode: .mean)
            _ = forward(k, mode: .mean)
            let B = k.batch, T = config.steps, Z = config.zSize
            var mu = [Float](repeating: 0, count: T * B * Z), logSigma = mu
            for t in 1...T {
                let ml = k.ml[t]   // (B, 2Z): μ then log σ per image
                for b in 0..<B {
                    for j in 0..<Z {
                        mu[((t - 1) * B + b) * Z + j] = ml[b * 2 * Z + j]
                        logSigma[((t - 1) * B + b) * Z + j] = ml[b * 2 * Z + Z + j]
                    }
                }
            }
            return Posterior(count: B, config: config, mu: mu, logSigma: logSigma)
        }
    }
}

// Likelihood.swift: the importance-weighted estimate of −log p(x) (Burda et al.) from K posterior samples, for bce models.
import Foundation

/// Per-image likelihood estimates from K samples of z ~ q(z | x), in nats.
public struct LikelihoodEstimate: Sendable {
    /// −log (1/K Σ_k w_k), w_k = p(x | z_k) p(z_k) / q(z_k | x): an upper bound on −log p(x) that tightens with K.
    public let nll: [Double]
    /// −(1/K) Σ_k log w_k: the Monte Carlo negative ELBO of the same samples (never below `nll`).
    public let negativeELBO: [Double]
    public let samples: Int
}

extension DRAWModel {
    /// Importance-weighted NLL per image of `batch` with `samples` draws of ε from the model's RNG.
    /// log w = −recon + Σ_t Σ_j (ε²/2 − z²/2 + log σ), the log-ratio of the N(0, I) prior to the posterior.
    /// Only for `loss = "bce"`, where −recon is log p(x | z); throws for l2 (not a normalised density).
    public func importanceWeightedNLL(batch: [Float], samples K: Int) throws -> LikelihoodEstimate {
        guard config.loss == .bce else {
            throw DRAWError.invalidConfig(field: "loss", reason: "the likelihood estimate needs \"bce\" (l2 is not a density)")
        }
        guard K >= 1 else { throw DRAWError.shapeMismatch(what: "samples", expected: ">= 1", got: K) }
        let T = config.steps, Z = config.zSize
        return try batch.withUnsafeBufferPointer { images in
            var logW: [[Double]] = []
            for _ in 0..<K {
                let k = try prepare(images: images, mode: .sampled)
                let report = forward(k, mode: .sampled)
                var row = report.recon.map { -$0 }
                for t in 1...T {
                    let eps = k.eps[t], z = k.z[t], ml = k.ml[t]
                    for b in 0..<k.batch {
                        var s = 0.0
                        for j in 0..<Z {
                            let e = Double(eps[b * Z + j]), zz = Double(z[b * k.rowWidth + j])
                            s += 0.5 * e * e - 0.5 * zz * zz + Double(ml[b * 2 * Z + Z + j])
                        }
                        row[b] += s
                    }
                }
                logW.append(row)
            }
            let B = logW[0].count
            var nll = [Double](repeating: 0, count: B), elbo = nll
            for b in 0..<B {
                let column = logW.map { $0[b] }
                let top = column.max()!
                let lse = top + log(column.reduce(0) { $0 + exp($1 - top) })
                nll[b] = -(lse - log(Double(K)))
                elbo[b] = -column.reduce(0, +) / Double(K)
            }
            return LikelihoodEstimate(nll: nll, negativeELBO: elbo, samples: K)
        }
    }
}

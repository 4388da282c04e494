// ImportanceWeights.swift: per-image log importance weights log p(x, z) − log q(z | x) for the importance-weighted NLL bound.
extension DRAWModel {
    /// One sampled pass over `batch`: for each image, log w = log p(x | z) + Σ_t [log p(z_t) − log q(z_t | x)]
    /// = −recon + Σ_t Σ_j (ε_j²/2 − z_j²/2 + log σ_j) (the log 2π terms cancel), with z = μ + σ·ε and fresh ε.
    /// Averaging exp(log w) over K passes gives the importance-weighted bound (Burda et al. 2016): −log of that
    /// mean is an upper bound on the NLL that tightens with K. Only meaningful for bce (a normalised p(x | z)).
    public func logImportanceWeights(batch: [Float]) throws -> [Double] {
        try batch.withUnsafeBufferPointer { images in
            let k = try prepare(images: images, mode: .sampled)
            _ = forward(k, mode: .sampled)
            let B = k.batch, T = config.steps, Z = config.zSize
            var out = (0..<B).map { -Double(k.recon[$0]) }
            // O(T·B·Z), once per evaluation pass: small next to the forward, so it stays here rather than in C.
            for t in 1...T {
                let ml = k.ml[t], eps = k.eps[t], z = k.z[t]
                for b in 0..<B {
                    var s = 0.0
                    for j in 0..<Z {
                        let e = Double(eps[b * Z + j]), zz = Double(z[b * Z + j]), ls = Double(ml[b * 2 * Z + Z + j])
                        s += 0.5 * e * e - 0.5 * zz * zz + ls
                    }
                    out[b] += s
                }
            }
            return out
        }
    }
}

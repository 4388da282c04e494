// Completion.swift: filling in missing pixels by iterated reconstruction with the observed ones clamped (Rezende et al. 2014).

/// The iterates of an image completion: `iterates[k]` is the batch after k + 1 rounds, `[B][C][H][W]` each.
public struct Completion: Sendable {
    public let count: Int
    public let config: DRAWConfig
    /// The starting point (observed pixels, missing ones at the fill value), then one batch per iteration.
    public let iterates: [[Float]]
}

extension DRAWModel {
    /// Fills the pixels where `missing` is 1 (same layout as `batch`, values 0 or 1; anything above 0.5 counts
    /// as missing): start with `fill` there, then `iterations` times reconstruct the batch and put back the
    /// observed pixels, keeping the reconstruction only where pixels are missing (the Markov chain of Rezende,
    /// Mohamed and Wierstra 2014, section 5.2). `.sampled` draws z ~ q(z | x) each round, as the paper does;
    /// `.mean` uses z = μ and settles on a fixed point.
    public func complete(batch: [Float], missing: [Float], iterations: Int, fill: Float = 0.5,
                         mode: LatentMode = .sampled) throws -> Completion {
        guard missing.count == batch.count else {
            throw DRAWError.shapeMismatch(what: "mask", expected: "\(batch.count) values like the batch", got: missing.count)
        }
        guard iterations >= 1 else { throw DRAWError.shapeMismatch(what: "iterations", expected: ">= 1", got: iterations) }
        let B = try batchSize(of: batch.count, what: "batch"), T = config.steps
        let hole = missing.map { $0 > 0.5 }
        var x = batch
        for i in x.indices where hole[i] { x[i] = fill }
        var iterates = [x]
        for _ in 0..<iterations {
            let rec = try reconstruct(batch: x, mode: mode)
            let last = rec.canvases[((T - 1) * B * config.pixels)...]
            for (i, v) in zip(x.indices, last) where hole[i] { x[i] = v }
            iterates.append(x)
        }
        return Completion(count: B, config: config, iterates: iterates)
    }
}

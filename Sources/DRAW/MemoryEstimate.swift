// MemoryEstimate.swift: what a model needs in memory for training, evaluation and generation, in checked arithmetic, before allocating.
import Foundation

extension DRAWConfig {
    /// Bytes a training step at batch `B` allocates: the four parameter-sized slabs (parameters, gradients, Adam's
    /// two moments) and the packed weights, the forward cache (per step and image: x̂, the step row, gate
    /// activations and states, the latent, the heads and both windows with the read products), and the backward
    /// scratch. A slight over-estimate of Workspace.swift's plans; `Int.max` when the product overflows.
    public func trainingBytes(batch B: Int) -> Int {
        let T = steps, P = pixels, E = encSize, D = decSize, Z = zSize
        let Nr = attention ? readN : 0, Nw = attention ? writeN : 0
        let K = fused.headRow.width
        let perStep = [P, fused.stepRow.width, 5 * E, 5 * D, 4 * Z + 1, attention ? 2 * K : 0,
                       10 + (Nr + Nw) * (height + width), 2 * channels * Nr * (height + width)]
        let parameters = ParameterLayout(config: self).count
        return Self.checked([6, parameters, 4]) +| Self.checked([T + 2, B, perStep.reduce(0, +|), 4])
            +| Self.checked([B, 4 * P + 4 * (E + D) + Z, 4])
    }

    /// Bytes that generating `count` images at once allocates (canvas history of every step, the decoder loop).
    public func generationBytes(count: Int) -> Int {
        Self.checked([steps + 2, count, pixels + 6 * decSize + 2 * zSize + fused.headRow.width + 10 + 2 * writeN * (height + width), 4])
            +| Self.checked([3, ParameterLayout(config: self).count, 4])
    }

    /// The product, or Int.max when it overflows.
    public static func checked(_ factors: [Int]) -> Int {
        var product = 1
        for f in factors {
            let (p, overflow) = product.multipliedReportingOverflow(by: max(f, 0))
            if overflow { return Int.max }
            product = p
        }
        return product
    }
}

infix operator +|: AdditionPrecedence
/// Saturating addition for size estimates.
func +| (a: Int, b: Int) -> Int {
    let (s, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : s
}

// GradientCheckTests.swift: the whole model's backward against central finite differences of its own forward, on tiny configs.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct GradientCheckTests {
    static let configs: [DRAWConfig] = [
        // Attention, colour, read_n ≠ write_n, E ≠ D, non-square image, l2.
        DRAWConfig(channels: 3, height: 7, width: 9, steps: 3, readN: 3, writeN: 2, encSize: 8, decSize: 6,
                   zSize: 3, attention: true, loss: .l2),
        // Attention, grey, bce.
        DRAWConfig(channels: 1, height: 8, width: 6, steps: 4, readN: 2, writeN: 3, encSize: 6, decSize: 10,
                   zSize: 2, attention: true, loss: .bce),
        // No attention, bce.
        DRAWConfig(channels: 1, height: 4, width: 5, steps: 3, readN: 2, writeN: 2, encSize: 7, decSize: 5,
                   zSize: 3, attention: false, loss: .bce),
    ]

    /// For each parameter tensor, the derivative of the batch loss along v = sign(gradient) on that tensor (so the
    /// analytic value is the tensor's gradient abs_sum, the largest signal), and along one random ±1 direction over
    /// all parameters, against the central difference (L(θ + h v) − L(θ − h v)) / 2h with h = 1e-3 in float32.
    /// Float32 rounding of a loss of size L gives about 1e-7·L/h noise; the bound is
    /// |fd − analytic| ≤ 2e-2·|analytic| + 2e-3 (absolute part for the noise, relative part for the O(h²) term).
    /// z = μ + σ·ε with a fixed ε, so the sampling path is differentiated too.
    @Test(arguments: 0..<configs.count)
    func directionalDerivatives(_ which: Int) throws {
        let config = Self.configs[which]
        let model = try DRAWModel(config: config, seed: 7)
        model.klWeight = 0.7
        var rng = SeededRNG(seed: 11)
        let B = 3
        var batch = randomFloats(B * config.pixels, in: 0...1, rng: &rng)
        if config.loss == .bce { batch = batch.map { $0 > 0.5 ? 1 : 0 } }
        let eps = randomFloats(config.steps * B * config.zSize, in: -1.5...1.5, rng: &rng)
        // Scale the weights up so the gates and windows are not all in their linear regime.
        let base = Array(model.parameterSlab).map { $0 * 2 }
        model.withParameterSlab { s in for i in s.indices { s[i] = base[i] } }
        try model.computeGradients(batch: batch, mode: .fixed(eps))
        let grad = Array(model.gradientSlab)

        func loss(along v: [Float], _ h: Float) throws -> Double {
            model.withParameterSlab { s in for i in s.indices { s[i] = base[i] + h * v[i] } }
            return try model.loss(batch: batch, mode: .fixed(eps)).mean
        }
        let h: Float = 1e-3
        let directions = Self.directions(model, grad, &rng)

        var worst = 0.0
        for (what, v) in directions {
            let analytic = zip(grad, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let fd = (try loss(along: v, h) - loss(along: v, -h)) / (2 * Double(h))
            let err = abs(fd - analytic)
            #expect(err <= 2e-2 * abs(analytic) + 2e-3, "config \(which) \(what): finite difference \(fd), backward \(analytic)")
            worst = max(worst, err / max(abs(analytic), 1e-3))
        }
        print("[gradient check config \(which)] worst |fd − backward| / |backward| = \(worst)")
    }

    /// Free bits: the backward of mean_b recon_b + w · Σ_t max(KL̄_t, λ) (KL̄_t the batch mean of step t's KL)
    /// against central finite differences of that objective, with λ in the widest gap between the steps' KL̄_t,
    /// so some steps are free and some are not; λ above every step equals KL weight 0, and λ = 0 changes nothing.
    /// Compares gradients bit for bit, so it holds the kernel-state lock (see DeterminismTests.onAutomaticPath).
    @Test func freeBitsDifferentiateTheClampedObjective() throws { try DeterminismTests.onAutomaticPath { try freeBitsBody() } }
    private func freeBitsBody() throws {
        let config = Self.configs[0]
        let model = try DRAWModel(config: config, seed: 7)
        model.klWeight = 0.7
        var rng = SeededRNG(seed: 12)
        let B = 3, T = config.steps
        let batch = randomFloats(B * config.pixels, in: 0...1, rng: &rng)
        let eps = randomFloats(T * B * config.zSize, in: -1.5...1.5, rng: &rng)
        let base = Array(model.parameterSlab).map { $0 * 2 }
        model.withParameterSlab { s in for i in s.indices { s[i] = base[i] } }
        /// KL̄_t of each step and the batch-mean recon at the current parameters.
        func stepMeans() throws -> (kl: [Double], recon: Double) {
            let r = try model.reconstruct(batch: batch, mode: .fixed(eps))
            return ((0..<T).map { t in (0..<B).reduce(0.0) { $0 + Double(r.stepKL[t * B + $1]) } / Double(B) },
                    r.losses.recon.reduce(0, +) / Double(B))
        }
        func gradient(freeBits: Float, klWeight: Float = 0.7) throws -> [Float] {
            model.freeBits = freeBits; model.klWeight = klWeight
            defer { model.freeBits = 0; model.klWeight = 0.7 }
            try model.computeGradients(batch: batch, mode: .fixed(eps))
            return Array(model.gradientSlab)
        }
        let means = try stepMeans().kl, sorted = means.sorted()
        let gaps: [Double] = (1..<T).map { sorted[$0] - sorted[$0 - 1] }
        let gap = 1 + gaps.indices.max { gaps[$0] < gaps[$1] }!
        let lambda = (sorted[gap] + sorted[gap - 1]) / 2
        #expect(means.contains { $0 < lambda } && means.contains { $0 > lambda }, "\(means)")

        #expect(try gradient(freeBits: 0) == gradient(freeBits: 0, klWeight: 0.7))
        #expect(try gradient(freeBits: Float(sorted.last! + 1)) == gradient(freeBits: 0, klWeight: 0))
        let plain = try gradient(freeBits: 0), grad = try gradient(freeBits: Float(lambda))
        #expect(grad != plain)

        func objective(along v: [Float], _ h: Float) throws -> Double {
            model.withParameterSlab { s in for i in s.indices { s[i] = base[i] + h * v[i] } }
            let (kl, recon) = try stepMeans()
            return recon + 0.7 * kl.reduce(0) { $0 + max($1, lambda) }
        }
        let h: Float = 1e-3
        for (what, v) in Self.directions(model, grad, &rng) {
            let analytic = zip(grad, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let fd = (try objective(along: v, h) - objective(along: v, -h)) / (2 * Double(h))
            #expect(abs(fd - analytic) <= 2e-2 * abs(analytic) + 2e-3, "\(what): finite difference \(fd), backward \(analytic)")
        }
    }

    /// The directions to differentiate along: sign(gradient) on each parameter tensor alone (the analytic value is
    /// then the tensor's gradient abs_sum, the largest signal), then one random ±1 direction over all parameters.
    static func directions(_ model: DRAWModel, _ grad: [Float], _ rng: inout SeededRNG) -> [(String, [Float])] {
        var directions: [(String, [Float])] = []
        for t in model.layout.tensors {
            var v = [Float](repeating: 0, count: grad.count)
            for i in t.offset..<(t.offset + t.count) { v[i] = grad[i] > 0 ? 1 : (grad[i] < 0 ? -1 : 0) }
            directions.append((t.name, v))
        }
        var random = [Float](repeating: 0, count: grad.count)
        for t in model.layout.tensors { for i in t.offset..<(t.offset + t.count) { random[i] = Bool.random(using: &rng) ? 1 : -1 } }
        directions.append(("random ±1 over all", random))
        return directions
    }
}

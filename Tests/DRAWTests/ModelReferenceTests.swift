// ModelReferenceTests.swift: the fast model against the Float64 ModelReference: losses, canvases and every gradient.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

/// Unlike GradientCheckTests (the backward against differences of the model's own forward), the reference here is
/// written independently from SPEC.md, so a bug shared by forward and backward (a wrong pack offset) fails too.
@Suite struct ModelReferenceTests {
    static let configs: [(String, DRAWConfig)] = [
        ("colour, E ≠ D, Nr ≠ Nw, non-square, l2",
         DRAWConfig(channels: 3, height: 5, width: 7, steps: 3, readN: 3, writeN: 2, encSize: 6, decSize: 5,
                    zSize: 2, attention: true, loss: .l2)),
        ("grey, Nr < Nw, tall, bce",
         DRAWConfig(channels: 1, height: 7, width: 4, steps: 3, readN: 2, writeN: 4, encSize: 5, decSize: 7,
                    zSize: 3, attention: true, loss: .bce)),
        ("colour, no attention, l2",
         DRAWConfig(channels: 3, height: 3, width: 4, steps: 3, readN: 2, writeN: 2, encSize: 5, decSize: 4,
                    zSize: 2, attention: false, loss: .l2)),
        ("grey, no attention, E < D, bce",
         DRAWConfig(channels: 1, height: 4, width: 5, steps: 4, readN: 2, writeN: 2, encSize: 4, decSize: 6,
                    zSize: 3, attention: false, loss: .bce)),
    ]

    /// A model with weights ×2 (so gates and windows leave their linear regime), a batch of 3, a fixed ε, and the
    /// reference holding the same float32 parameters widened to Float64.
    static func setUp(_ config: DRAWConfig) throws -> (DRAWModel, ModelReference, batch: [Float], eps: [Float]) {
        let model = try DRAWModel(config: config, seed: 5)
        model.klWeight = 0.7
        var parameters: [String: [Double]] = [:]
        for t in model.layout.tensors {
            let doubled = model.parameter(named: t.name)!.map { $0 * 2 }
            try model.setParameter(named: t.name, to: doubled)
            parameters[t.name] = doubled.map(Double.init)
        }
        var rng = SeededRNG(seed: 23)
        let B = 3
        var batch = randomFloats(B * config.pixels, in: 0...1, rng: &rng)
        if config.loss == .bce { batch = batch.map { $0 > 0.5 ? 1 : 0 } }
        let eps = randomFloats(config.steps * B * config.zSize, in: -1.5...1.5, rng: &rng)
        let reference = ModelReference(
            C: config.channels, H: config.height, W: config.width, T: config.steps, Nr: config.readN,
            Nw: config.writeN, E: config.encSize, D: config.decSize, Z: config.zSize, attention: config.attention,
            bce: config.loss == .bce, klWeight: Double(model.klWeight), parameters: parameters)
        return (model, reference, batch, eps)
    }

    /// Losses within 1e-5 relative (SPEC.md's float32 tolerance), per image and term; canvases σ(c_t) ∈ (0, 1) within
    /// 1e-5 absolute at every step, pixel and image.
    @Test(arguments: 0..<configs.count)
    func lossesAndCanvases(_ which: Int) throws {
        let (name, config) = Self.configs[which]
        let (model, reference, batch, eps) = try Self.setUp(config)
        let want = reference.forward(x: batch.map(Double.init), eps: eps.map(Double.init))
        let got = try model.reconstruct(batch: batch, mode: .fixed(eps))
        let loss = try model.loss(batch: batch, mode: .fixed(eps))
        for (what, fast, slow) in [("total", got.losses.total, want.total), ("recon", got.losses.recon, want.recon),
                                   ("kl", got.losses.kl, want.kl), ("loss()", loss.total, want.total)] {
            let e = maxRelativeError(fast, slow, floor: 1e-6)
            #expect(e <= 1e-5, "\(name): \(what) \(fast) vs reference \(slow), max relative error \(e)")
        }
        let canvasError = maxRelativeError(got.canvases, want.canvases, floor: 1)
        #expect(canvasError <= 1e-5, "\(name): canvases differ by \(canvasError)")
        print("[model reference \(which)] loss error \(maxRelativeError(got.losses.total, want.total, floor: 1e-6)), canvas error \(canvasError)")
    }

    /// Every gradient tensor against central differences of the Float64 forward (h = 1e-5: truncation ~1e-10, rounding
    /// ~1e-11 of the loss). Metric per tensor: max_i |g_i − ref_i| / max_i |ref_i| ≤ 1e-4 (SPEC.md's per-parameter
    /// float32 tolerance, taken elementwise against the tensor's scale), plus l2 within 1e-4 relative.
    @Test(arguments: 0..<configs.count)
    func gradients(_ which: Int) throws {
        let (name, config) = Self.configs[which]
        let (model, reference, batch, eps) = try Self.setUp(config)
        try model.computeGradients(batch: batch, mode: .fixed(eps))
        let want = reference.gradient(x: batch.map(Double.init), eps: eps.map(Double.init))
        var worst = (0.0, "")
        for t in model.layout.tensors {
            let got = model.gradient(named: t.name)!.map(Double.init), ref = want[t.name]!
            let scale = ref.map(abs).max()!
            let e = zip(got, ref).map { abs($0 - $1) }.max()! / max(scale, 1e-12)
            let l2 = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            #expect(e <= 1e-4, "\(name): \(t.name) \(t.shape) max error \(e) of scale \(scale)")
            #expect(abs(l2(got) - l2(ref)) <= 1e-4 * l2(ref), "\(name): \(t.name) l2 \(l2(got)) vs \(l2(ref))")
            #expect(scale > 0, "\(name): \(t.name) has an all-zero reference gradient, so this test cannot see it")
            if e > worst.0 { worst = (e, t.name) }
        }
        print("[model reference \(which)] worst gradient error \(worst.0) in \(worst.1)")
    }
}

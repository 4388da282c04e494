// ReconstructionTermTests.swift: computeGradients with a caller's reconstruction term (l2 as a closure = the built-in l2; finite differences), and the conv net's backward.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct ReconstructionTermTests {
    static let config = DRAWConfig(channels: 3, height: 7, width: 9, steps: 3, readN: 3, writeN: 2, encSize: 8,
                                   decSize: 6, zSize: 3, attention: true, loss: .l2)

    static func setUp(seed: UInt64 = 7) throws -> (DRAWModel, [Float], [Float]) {
        let model = try DRAWModel(config: config, seed: seed)
        var rng = SeededRNG(seed: 11)
        let B = 3
        let batch = randomFloats(B * config.pixels, in: 0...1, rng: &rng)
        let eps = randomFloats(config.steps * B * config.zSize, in: -1.5...1.5, rng: &rng)
        let base = Array(model.parameterSlab).map { $0 * 2 }
        model.withParameterSlab { s in for i in s.indices { s[i] = base[i] } }
        return (model, batch, eps)
    }

    /// The l2 term written as a closure gives the built-in l2's losses and gradients to float rounding
    /// (the seeds differ only in where 1/B is applied): 1e-5 relative, floor 1e-3 of the largest gradient (near-zero
    /// entries are sums with cancellation, where one rounding in the seed shows as a large relative change).
    @Test func l2ClosureReproducesBuiltInL2() throws {
        let (model, batch, eps) = try Self.setUp()
        let builtIn = try model.computeGradients(batch: batch, mode: .fixed(eps))
        let g1 = Array(model.gradientSlab).map(Double.init)
        let custom = try batch.withUnsafeBufferPointer {
            try model.computeGradients(images: $0, mode: .fixed(eps), reconstruction: ReconstructionTerms.l2(pixels: Self.config.pixels))
        }
        let g2 = Array(model.gradientSlab)
        #expect(maxRelativeError(custom.total, builtIn.total, floor: 1e-6) <= 1e-5)
        #expect(maxRelativeError(custom.kl, builtIn.kl, floor: 1e-6) <= 1e-5)
        let e = maxRelativeError(g2, g1, floor: 1e-3 * (g1.map(abs).max() ?? 0))
        #expect(e <= 1e-5, "gradient slab: \(e)")
        #expect(g1.contains { $0 != 0 })
    }

    /// A term that is not the config's: the features loss (pixels + frozen ReLU conv features). Directional
    /// derivatives along sign(gradient) per tensor and one random ±1 direction against central differences of the
    /// same entry point's loss, h = 1e-3 in float32: |fd − analytic| ≤ 2e-2·|analytic| + 2e-3 (as GradientCheckTests).
    @Test func featureTermMatchesCentralDifferences() throws {
        let (model, batch, eps) = try Self.setUp()
        let c = Self.config
        let f = try FeatureLoss(channels: c.channels, height: c.height, width: c.width, weight: 0.5)
        let base = Array(model.parameterSlab)
        func loss() throws -> Double {
            try batch.withUnsafeBufferPointer { try model.computeGradients(images: $0, mode: .fixed(eps), reconstruction: f.term).mean }
        }
        _ = try loss()
        let grad = Array(model.gradientSlab)
        var rng = SeededRNG(seed: 3)
        var directions: [(String, [Float])] = model.layout.tensors.map { t in
            var v = [Float](repeating: 0, count: base.count)
            for i in t.offset..<(t.offset + t.count) { v[i] = grad[i] > 0 ? 1 : (grad[i] < 0 ? -1 : 0) }
            return (t.name, v)
        }
        var random = [Float](repeating: 0, count: base.count)
        for t in model.layout.tensors { for i in t.offset..<(t.offset + t.count) { random[i] = Bool.random(using: &rng) ? 1 : -1 } }
        directions.append(("random", random))
        let h: Float = 1e-3
        for (name, v) in directions {
            model.withParameterSlab { s in for i in s.indices { s[i] = base[i] + h * v[i] } }
            let up = try loss()
            model.withParameterSlab { s in for i in s.indices { s[i] = base[i] - h * v[i] } }
            let down = try loss()
            let fd = (up - down) / (2 * Double(h))
            let analytic = zip(grad, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(fd - analytic) <= 2e-2 * abs(analytic) + 2e-3, "\(name): fd \(fd) analytic \(analytic)")
        }
        model.withParameterSlab { s in for i in s.indices { s[i] = base[i] } }
    }

    /// A term returning the wrong number of losses is a thrown error, not a trap.
    @Test func wrongLossCountThrows() throws {
        let (model, batch, eps) = try Self.setUp()
        #expect(throws: DRAWError.self) {
            try batch.withUnsafeBufferPointer { try model.computeGradients(images: $0, mode: .fixed(eps)) { _, _, _ in [1] } }
        }
    }

    /// The discriminator's backward (logit + a middle layer's feature term; parameters and input) against central
    /// differences, one coordinate at a time with h = 1e-4 (6 per tensor, 24 of the input). Between LeakyReLU kinks the
    /// loss is quadratic, so the difference quotient is exact but for float32 rounding of the features (~1e-7 each,
    /// ~1e-3 after / 2h); h is small so that no unit crosses its kink (h = 1e-3 moved a last-layer bias's 24 units
    /// enough for one to cross, a 3% change). |fd − analytic| ≤ 1e-2·|analytic| + 5e-3.
    @Test func discriminatorBackwardMatchesCentralDifferences() throws {
        let D = try VAEGANTrainer.makeDiscriminator(channels: 3, height: 16, width: 12, width: 4, seed: 5)
        let B = 2, P = 3 * 16 * 12, l = 1, F = D.featureSize(layer: l)
        var rng = SeededRNG(seed: 9)
        let x = randomFloats(B * P, in: 0...1, rng: &rng)
        let target = randomFloats(B * F, in: 0...1, rng: &rng)
        let wLogit: [Float] = [0.7, -1.3]
        func loss(_ x: [Float]) -> Double {
            let logits = x.withUnsafeBufferPointer { Array(D.forward($0.baseAddress!, batch: B)) }
            let f = D.features(layer: l)
            var s = 0.0
            for b in 0..<B { s += Double(wLogit[b]) * Double(logits[b]) }
            for i in 0..<(B * F) { let d = Double(f[i]) - Double(target[i]); s += 0.5 * d * d }
            return s
        }
        _ = loss(x)
        let f = Array(D.features(layer: l))
        let dF = (0..<(B * F)).map { f[$0] - target[$0] }
        var dx = [Float](repeating: 0, count: B * P)
        D.zeroGradients()
        dF.withUnsafeBufferPointer { D.backward(dLogits: wLogit, dFeatures: [(l, $0.baseAddress!)], dInput: &dx, parameters: true) }
        let gp = Array(D.gradientSlab)
        let base = D.withParameters { Array($0) }
        let h: Float = 1e-4
        for tensor in D.tensors {
            // A few coordinates of every tensor, one at a time (a ±1 step over all coordinates would cross kinks).
            for _ in 0..<6 {
                let i = tensor.offset + Int.random(in: 0..<tensor.shape.reduce(1, *), using: &rng)
                D.withParameters { $0[i] = base[i] + h }
                let up = loss(x)
                D.withParameters { $0[i] = base[i] - h }
                let down = loss(x)
                D.withParameters { $0[i] = base[i] }
                let fd = (up - down) / (2 * Double(h)), analytic = Double(gp[i])
                #expect(abs(fd - analytic) <= 1e-2 * abs(analytic) + 5e-3, "\(tensor.name)[\(i - tensor.offset)]: fd \(fd) analytic \(analytic)")
            }
        }
        for _ in 0..<24 {
            let i = Int.random(in: 0..<x.count, using: &rng)
            var xp = x, xm = x
            xp[i] += h; xm[i] -= h
            let fd = (loss(xp) - loss(xm)) / (2 * Double(h)), analytic = Double(dx[i])
            #expect(abs(fd - analytic) <= 1e-2 * abs(analytic) + 5e-3, "input[\(i)]: fd \(fd) analytic \(analytic)")
        }
    }

    /// Three batches forwarded into three slots and backpropagated afterwards give, bit for bit, the gradient of
    /// forwarding and backpropagating each batch in turn (what VAEGANTrainer.step relies on: its discriminator update
    /// reuses the step's forwards), each slot keeps its own features, and the sum agrees with one forward of the
    /// 3B batch to float32 rounding (relative 1e-5 of the largest gradient: the products sum in another order).
    /// (Bit for bit: holds the kernel-state lock, see DeterminismTests.onAutomaticPath.)
    @Test func slotsKeepTheirOwnForwards() throws { try DeterminismTests.onAutomaticPath { try slotsBody() } }
    private func slotsBody() throws {
        let D = try VAEGANTrainer.makeDiscriminator(channels: 3, height: 16, width: 12, width: 4, seed: 5)
        let B = 2, P = 3 * 16 * 12, l = 1
        var rng = SeededRNG(seed: 11)
        let xs = (0..<3).map { _ in randomFloats(B * P, in: 0...1, rng: &rng) }
        let dLogits = (0..<3).map { _ in randomFloats(B, in: -1...1, rng: &rng) }
        D.zeroGradients()
        var alone: [[Float]] = []
        for k in 0..<3 {
            xs[k].withUnsafeBufferPointer { _ = D.forward($0.baseAddress!, batch: B) }
            alone.append(Array(D.features(layer: l)))
            D.backward(dLogits: dLogits[k], dInput: nil, parameters: true)
        }
        let inTurn = Array(D.gradientSlab)
        for k in 0..<3 { xs[k].withUnsafeBufferPointer { _ = D.forward($0.baseAddress!, batch: B, slot: k) } }
        for k in 0..<3 { #expect(Array(D.features(layer: l, slot: k)) == alone[k], "slot \(k)'s features") }
        D.zeroGradients()
        for k in 0..<3 { D.backward(dLogits: dLogits[k], dInput: nil, parameters: true, slot: k) }
        #expect(Array(D.gradientSlab) == inTurn)
        let all = xs.flatMap { $0 }
        all.withUnsafeBufferPointer { _ = D.forward($0.baseAddress!, batch: 3 * B, slot: 3) }
        D.zeroGradients()
        D.backward(dLogits: dLogits.flatMap { $0 }, dInput: nil, parameters: true, slot: 3)
        let joint = Array(D.gradientSlab), scale = inTurn.map { abs($0) }.max()!
        #expect(scale > 0)
        for i in joint.indices { #expect(abs(joint[i] - inTurn[i]) <= 1e-5 * scale, "gradient[\(i)]") }
    }
    /// The one backward for two per-image seeds (what the VAE/GAN step runs on x̃ when its discriminator trains
    /// and the decoder's GAN term is on) equals two backwards, one with each seed: the parameter gradient of the
    /// parameter seeds, the input gradient (+=) of the input seeds, to float32 rounding (relative 1e-5 of the
    /// largest). The seeds include a zero in each (a saturated sigmoid) and opposite signs, so neither is a
    /// multiple of the other.
    @Test func oneBackwardServesTwoSeeds() throws {
        let D = try VAEGANTrainer.makeDiscriminator(channels: 3, height: 16, width: 12, width: 4, seed: 7)
        let B = 4, P = 3 * 16 * 12
        var rng = SeededRNG(seed: 13)
        let x = randomFloats(B * P, in: 0...1, rng: &rng)
        let a: [Float] = [0.3, 0, -0.2, 0.05], seeds: [Float] = [-1.5, 0.7, 0, 2]
        let before = randomFloats(B * P, in: -1...1, rng: &rng)
        x.withUnsafeBufferPointer { _ = D.forward($0.baseAddress!, batch: B, slot: 1) }
        D.zeroGradients()
        D.backward(dLogits: a, dInput: nil, parameters: true, slot: 1)
        let parameters = Array(D.gradientSlab)
        var input = before
        D.backward(dLogits: seeds, dInput: &input, parameters: false, slot: 1)
        D.zeroGradients()
        var merged = before
        D.backward(parameterSeeds: a, inputSeeds: seeds, dInput: &merged, slot: 1)
        let got = Array(D.gradientSlab)
        let pScale = parameters.map { abs($0) }.max()!, xScale = zip(input, before).map { abs($0 - $1) }.max()!
        #expect(pScale > 0 && xScale > 0)
        for i in got.indices { #expect(abs(got[i] - parameters[i]) <= 1e-5 * pScale, "parameter gradient[\(i)]") }
        for i in merged.indices { #expect(abs(merged[i] - input[i]) <= 1e-5 * xScale, "input gradient[\(i)]") }
        // Image 2's input seed is 0: its input gradient is untouched.
        #expect(Array(merged[(2 * P)..<(3 * P)]) == Array(before[(2 * P)..<(3 * P)]))
    }
    /// `--precision bf16` reaches the discriminator: a VAE/GAN step on a bf16 model leaves its discriminator in bf16
    /// (a float32 model's in float32), and the same weights then give logits within bf16's rounding of float32's,
    /// not equal to them (the convolutions did run in bf16).
    @Test func discriminatorFollowsTheModelsPrecision() throws {
        let config = DRAWConfig(channels: 3, height: 16, width: 12, steps: 2, readN: 3, writeN: 2, encSize: 8,
                                decSize: 6, zSize: 3, attention: true, loss: .l2)
        var rng = SeededRNG(seed: 17)
        let images = randomFloats(4 * config.pixels, in: 0...1, rng: &rng)
        for precision in [Precision.float32, .bf16] {
            let model = try DRAWModel(config: config, seed: 3)
            model.precision = precision
            let trainer = try VAEGANTrainer(model: model, seed: 4)
            _ = try images.withUnsafeBufferPointer { try trainer.step(images: $0) }
            #expect(trainer.discriminator.precision == precision)
        }
        let D = try VAEGANTrainer.makeDiscriminator(channels: 3, height: 16, width: 12, width: 4, seed: 9)
        var logits: [Precision: [Float]] = [:]
        for precision in [Precision.float32, .bf16] {
            D.precision = precision
            logits[precision] = images.withUnsafeBufferPointer { Array(D.forward($0.baseAddress!, batch: 4)) }
        }
        let f = logits[.float32]!, b = logits[.bf16]!
        #expect(f != b)
        for i in f.indices { #expect(abs(f[i] - b[i]) <= 0.02 * max(1, abs(f[i])), "logit \(i): \(f[i]) vs \(b[i])") }
    }
}

// TrainingTests.swift: training works end to end: a tiny model overfits a few images; sampling and reconstruction shapes.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct TrainingTests {
    /// 16 binary 8×8 images (random rectangles), T = 4, attention, bce, lr 1e-2, 300 steps with sampled ε:
    /// the evaluation loss (z = μ) must fall below 40% of its starting value (the start is ≈ 64·ln 2 ≈ 44 nats).
    @Test func overfitsSixteenImages() throws {
        let config = DRAWConfig(channels: 1, height: 8, width: 8, steps: 4, readN: 3, writeN: 3, encSize: 32,
                                decSize: 32, zSize: 4, attention: true, loss: .bce)
        let model = try DRAWModel(config: config, seed: 1)
        model.adam.learningRate = 1e-2
        var rng = SeededRNG(seed: 5)
        var batch = [Float](repeating: 0, count: 16 * 64)
        for b in 0..<16 {
            let y0 = Int.random(in: 0..<5, using: &rng), x0 = Int.random(in: 0..<5, using: &rng)
            let h = Int.random(in: 2...4, using: &rng), w = Int.random(in: 2...4, using: &rng)
            for y in y0..<min(8, y0 + h) { for x in x0..<min(8, x0 + w) { batch[b * 64 + y * 8 + x] = 1 } }
        }
        let start = try model.loss(batch: batch).mean
        for _ in 0..<300 { try model.trainStep(batch: batch) }
        let end = try model.loss(batch: batch).mean
        print("[overfit] loss \(start) -> \(end) after 300 steps")
        #expect(end < 0.4 * start, "loss went from \(start) to \(end)")
        #expect(model.step == 300)
    }

    /// sample() and reconstruct() give T frames of the right size, values in (0, 1), and one window per step and image;
    /// the last frame of a drawing is its image.
    @Test func samplingAndReconstructionShapes() throws { try DeterminismTests.onAutomaticPath { try samplingAndReconstructionShapesBody() } }
    /// Compares runs bit for bit, so it holds the kernel-state lock (see DeterminismTests.onAutomaticPath).
    private func samplingAndReconstructionShapesBody() throws {
        for attention in [true, false] {
            let config = DRAWConfig(channels: 3, height: 5, width: 7, steps: 3, readN: 2, writeN: 4, encSize: 6,
                                    decSize: 8, zSize: 2, attention: attention, loss: .l2)
            let model = try DRAWModel(config: config, seed: 3)
            let drawing = try model.sample(count: 2)
            #expect(drawing.frames.count == 3 * 2 * config.pixels)
            #expect(drawing.writeAttention.count == (attention ? 3 * 2 * 5 : 0))
            #expect(drawing.frames.allSatisfy { $0 > 0 && $0 < 1 })
            #expect(Array(drawing.images) == Array(drawing.frame(step: 3, image: 0)) + Array(drawing.frame(step: 3, image: 1)))
            var rng = SeededRNG(seed: 9)
            let batch = randomFloats(4 * config.pixels, in: 0...1, rng: &rng)
            let rec = try model.reconstruct(batch: batch)
            #expect(rec.canvases.count == 3 * 4 * config.pixels && rec.canvasSums.count == 12)
            #expect(rec.readAttention.count == (attention ? 60 : 0))
            #expect(rec.losses.total.count == 4)
            let sampled = try model.loss(batch: batch, mode: .sampled)
            #expect(sampled.total.count == 4 && sampled.mean.isFinite)
            // Evaluation mode is deterministic.
            #expect(try model.loss(batch: batch) == rec.losses)
        }
    }

    /// Wrong sizes throw errors that say what was wrong.
    @Test func badInputsThrow() throws {
        let model = try DRAWModel(config: DRAWConfig(channels: 1, height: 4, width: 4, steps: 2, readN: 2, writeN: 2,
                                                     encSize: 4, decSize: 4, zSize: 2, loss: .bce))
        #expect(throws: DRAWError.self) { try model.trainStep(batch: [Float](repeating: 0, count: 15)) }
        #expect(throws: DRAWError.self) { try model.loss(batch: [Float](repeating: 0, count: 16), mode: .fixed([1, 2])) }
        #expect(throws: DRAWError.self) { try model.sample(count: 1, z: [0]) }
        #expect(throws: DRAWError.self) {
            try DRAWModel(config: DRAWConfig(channels: 1, height: 4, width: 4, steps: 2, readN: 1, writeN: 2,
                                             encSize: 4, decSize: 4, zSize: 2, loss: .bce))
        }
    }

    /// The FLOP counts match the peers' RESULTS.md table (MFLOP per image, 2 decimals).
    @Test func flopCountsMatchPeers() {
        let mnistN5 = DRAWConfig(channels: 1, height: 28, width: 28, steps: 10, readN: 5, writeN: 5, encSize: 256,
                                 decSize: 256, zSize: 10, loss: .bce)
        for (config, train, generate) in [(DRAWConfig.mnist, 49.62, 5.69), (mnistN5, 52.55, 5.69),
                                          (DRAWConfig.color64, 70.55, 7.18), (DRAWConfig.paper, 370.62, 48.24)] {
            #expect(abs(config.trainingFLOPsPerImage / 1e6 - train) < 0.006, "\(config) train")
            #expect(abs(config.generationFLOPsPerImage / 1e6 - generate) < 0.006, "\(config) generate")
        }
    }
}

@Suite struct APIExtrasTests {
    /// Importance weighting: with the same K samples, −log mean w never exceeds −mean log w (Jensen), both are finite,
    /// and the sampled negative ELBO is within 20% of the analytic-KL loss at z = μ on a small untrained model.
    @Test func importanceWeightedNLL() throws {
        let config = DRAWConfig(channels: 1, height: 6, width: 6, steps: 3, readN: 2, writeN: 3, encSize: 8,
                                decSize: 8, zSize: 3, loss: .bce)
        let model = try DRAWModel(config: config, seed: 4)
        var rng = SeededRNG(seed: 2)
        let batch = randomFloats(5 * 36, in: 0...1, rng: &rng).map { $0 > 0.5 ? Float(1) : 0 }
        let est = try model.importanceWeightedNLL(batch: batch, samples: 20)
        #expect(est.nll.count == 5)
        for b in 0..<5 {
            #expect(est.nll[b].isFinite && est.nll[b] > 0)
            #expect(est.nll[b] <= est.negativeELBO[b] + 1e-9)
        }
        let l2 = try DRAWModel(config: DRAWConfig(channels: 1, height: 6, width: 6, steps: 3, readN: 2, writeN: 3,
                                                   encSize: 8, decSize: 8, zSize: 3, loss: .l2))
        #expect(throws: DRAWError.self) { try l2.importanceWeightedNLL(batch: batch, samples: 2) }
    }

    /// generate() gives the same images as the last frame of sample() for the same z, and reuses its buffers.
    @Test func generateMatchesSample() throws { try DeterminismTests.onAutomaticPath { try generateMatchesSampleBody() } }
    /// Compares runs bit for bit, so it holds the kernel-state lock (see DeterminismTests.onAutomaticPath).
    private func generateMatchesSampleBody() throws {
        for attention in [true, false] {
            let config = DRAWConfig(channels: 3, height: 5, width: 4, steps: 3, readN: 2, writeN: 3, encSize: 6,
                                    decSize: 7, zSize: 2, attention: attention, loss: .l2)
            let model = try DRAWModel(config: config, seed: 8)
            var rng = SeededRNG(seed: 3)
            let z = randomFloats(3 * 4 * 2, in: -2...2, rng: &rng)
            let images = try model.generate(count: 4, z: z)
            #expect(images == Array(try model.sample(count: 4, z: z).images))
            #expect(try model.generate(count: 4, z: z) == images)
        }
    }

    /// A gradient computed, copied out and applied with applyAdam(gradient:) equals trainStep, bit for bit
    /// (the path the CLI uses around an MPI allreduce).
    @Test func externalGradientStepEqualsTrainStep() throws { try DeterminismTests.onAutomaticPath { try externalGradientStepEqualsTrainStepBody() } }
    /// Compares runs bit for bit, so it holds the kernel-state lock (see DeterminismTests.onAutomaticPath).
    private func externalGradientStepEqualsTrainStepBody() throws {
        let config = DRAWConfig(channels: 1, height: 6, width: 5, steps: 2, readN: 2, writeN: 2, encSize: 5,
                                decSize: 4, zSize: 2, loss: .bce)
        let a = try DRAWModel(config: config, seed: 1), b = try DRAWModel(config: config, seed: 1)
        var rng = SeededRNG(seed: 6)
        let batch = randomFloats(3 * 30, in: 0...1, rng: &rng)
        try a.trainStep(batch: batch)
        try b.computeGradients(batch: batch)
        let g = Array(b.gradientSlab)
        b.withGradientSlab { s in for i in s.indices { s[i] = .nan } }
        try g.withUnsafeBufferPointer { try b.applyAdam(gradient: $0) }
        #expect(Array(a.parameterSlab).map(\.bitPattern) == Array(b.parameterSlab).map(\.bitPattern))
        #expect(a.step == 1 && b.step == 1)
        // A NaN gradient is refused and changes nothing.
        let before = Array(b.parameterSlab)
        b.withGradientSlab { s in s[0] = .nan }
        #expect(throws: DRAWError.self) { try b.applyAdam() }
        #expect(Array(b.parameterSlab) == before && b.step == 1)
    }

    /// Global-norm clipping scales the whole gradient to the bound before the elementwise clip and Adam: the same step
    /// as giving Adam the pre-scaled gradient (within float rounding of the scale: 1e-3·lr per value). The clip is set
    /// low (1e-3) so that the elementwise clip after the scaling matters too.
    @Test func globalNormClipScalesTheGradient() throws {
        let config = DRAWConfig(channels: 1, height: 6, width: 5, steps: 2, readN: 2, writeN: 2, encSize: 5,
                                decSize: 4, zSize: 2, loss: .bce)
        let a = try DRAWModel(config: config, seed: 1), b = try DRAWModel(config: config, seed: 1)
        var rng = SeededRNG(seed: 6)
        let batch = randomFloats(3 * 30, in: 0...1, rng: &rng)
        try a.computeGradients(batch: batch, mode: .mean)
        let norm = a.gradientNorm
        let bound = Float(norm / 4)
        a.adam.maxGradNorm = bound
        a.adam.clip = 1e-3
        b.adam.clip = 1e-3
        let scaled = Array(a.gradientSlab).map { Float(Double($0) * Double(bound) / norm) }
        try a.applyAdam()
        try scaled.withUnsafeBufferPointer { try b.applyAdam(gradient: $0) }
        let lr = a.adam.learningRate
        #expect(zip(a.parameterSlab, b.parameterSlab).allSatisfy { abs($0 - $1) <= 1e-3 * lr })
    }

    /// read_n / write_n above the kernels' CK_MAX_N are refused by validation.
    @Test func windowSizeLimit() {
        #expect(throws: DRAWError.self) {
            try DRAWModel(config: DRAWConfig(channels: 1, height: 40, width: 40, steps: 1, readN: DRAWConfig.maxWindow + 1,
                                             writeN: 2, encSize: 4, decSize: 4, zSize: 2, loss: .bce))
        }
    }
}

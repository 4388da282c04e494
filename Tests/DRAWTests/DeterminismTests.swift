// DeterminismTests.swift: bit-exact resume from a checkpoint, and the same results with 1 and 2 threads (serialized: sets thread counts).
import CKernels
import DRAW
import DRAWTestSupport
import Foundation
import Testing

/// Both tests compare runs bit for bit, so they hold the process-wide SIMD-path lock (DRAWTestSupport) on the
/// automatic path: a kernel test forcing another path in between would change FMA rounding.
@Suite(.serialized) struct DeterminismTests {
    static func onAutomaticPath<R>(_ body: () throws -> R) rethrows -> R {
        PointwiseReference.simdPathLock.lock()
        defer { PointwiseReference.simdPathLock.unlock() }
        _ = ck_force_simd_path(-1)
        _ = ck_force_bf16_path(-1)
        return try body()
    }

    static let config = DRAWConfig(channels: 3, height: 9, width: 8, steps: 3, readN: 3, writeN: 2, encSize: 12,
                                   decSize: 10, zSize: 3, attention: true, loss: .l2)

    static func batch(_ B: Int, seed: UInt64) -> [Float] {
        var rng = SeededRNG(seed: seed)
        return randomFloats(B * config.pixels, in: 0...1, rng: &rng)
    }

    /// 6 training steps with sampled ε, global-norm clipping and a KL weight straight through equal 3 steps, save,
    /// load into a new model, 3 more steps: parameters, Adam moments (via a second save) and losses bit for bit.
    @Test func resumeIsBitExact() throws { try Self.onAutomaticPath { try resume() } }

    private func resume() throws {
        let batches = (0..<6).map { Self.batch(5, seed: UInt64(100 + $0)) }
        func fresh() throws -> DRAWModel {
            let m = try DRAWModel(config: Self.config, seed: 42)
            m.adam.maxGradNorm = 0.5
            m.klWeight = 0.8
            return m
        }
        let straight = try fresh()
        var straightLosses: [LossReport] = []
        for b in batches { straightLosses.append(try straight.trainStep(batch: b)) }

        let dir = try scratchFolder("determinism")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try fresh()
        var resumedLosses: [LossReport] = []
        for b in batches[..<3] { resumedLosses.append(try first.trainStep(batch: b)) }
        let path = dir.appendingPathComponent("half.safetensors").path
        try first.save(to: path)
        let resumed = try DRAWModel(contentsOf: path)
        #expect(resumed.step == 3 && resumed.klWeight == 0.8 && resumed.adam == first.adam)
        for b in batches[3...] { resumedLosses.append(try resumed.trainStep(batch: b)) }

        #expect(resumedLosses == straightLosses)
        let a = Array(straight.parameterSlab), b = Array(resumed.parameterSlab)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        let p1 = dir.appendingPathComponent("a.safetensors").path, p2 = dir.appendingPathComponent("b.safetensors").path
        try straight.save(to: p1)
        try resumed.save(to: p2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: p1)) == Data(contentsOf: URL(fileURLWithPath: p2)))
    }

    /// Training keeps one canvas buffer and adds each write into it in place; `reconstruct` keeps every c_t.
    /// Both forwards must give the same losses bit for bit, also when the in-place cache (whose one canvas still
    /// holds the last c_T) is used again after a reconstruct.
    @Test func inPlaceCanvasMatchesTheHistory() throws { try Self.onAutomaticPath { try canvases() } }

    private func canvases() throws {
        for attention in [true, false] {
            let c = Self.config
            let config = DRAWConfig(channels: c.channels, height: c.height, width: c.width, steps: c.steps,
                                    readN: c.readN, writeN: c.writeN, encSize: c.encSize, decSize: c.decSize,
                                    zSize: c.zSize, attention: attention, loss: .bce)
            let model = try DRAWModel(config: config, seed: 3)
            var rng = SeededRNG(seed: 8)
            let batch = randomFloats(4 * config.pixels, in: 0...1, rng: &rng)
            let inPlace = try model.loss(batch: batch, mode: .mean)
            let history = try model.reconstruct(batch: batch, mode: .mean).losses
            let again = try model.loss(batch: batch, mode: .mean)   // the in-place cache reused after a reconstruct
            #expect(inPlace == history && again == inPlace, "attention \(attention)")
        }
    }

    /// Gradients, losses and a drawing with 1 thread and with 2 threads agree to float rounding (1e-5 relative per
    /// value against the tensor's largest value); it prints whether they are bitwise equal.
    @Test func oneAndTwoThreadsAgree() throws { try Self.onAutomaticPath { try threads() } }

    private func threads() throws {
        let saved = ck_get_threads()
        defer { ck_set_threads(saved) }
        var results: [([Float], Double, [Float])] = []
        for threads in [1, 2] {
            ck_set_threads(Int32(threads))
            let model = try DRAWModel(config: Self.config, seed: 9)
            let report = try model.computeGradients(batch: Self.batch(7, seed: 1), mode: .sampled)
            let drawing = try model.sample(count: 3)
            results.append((Array(model.gradientSlab), report.mean, drawing.frames))
        }
        let (g1, l1, d1) = results[0], (g2, l2, d2) = results[1]
        let scale = Double(g1.map { abs($0) }.max()!)
        #expect(zip(g1, g2).allSatisfy { abs(Double($0) - Double($1)) <= 1e-5 * scale })
        #expect(abs(l1 - l2) <= 1e-6 * abs(l1))
        #expect(zip(d1, d2).allSatisfy { abs($0 - $1) <= 1e-6 })
        print("[threads] 1 vs 2 threads bitwise equal: gradients \(g1 == g2), loss \(l1 == l2), drawing \(d1 == d2)")
    }
}

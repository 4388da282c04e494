// EncodingTests.swift: per-step posteriors, prior latents at a temperature, latent paths and completion by clamped reconstruction.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct EncodingTests {
    static let configs = [
        DRAWConfig(channels: 3, height: 9, width: 8, steps: 3, readN: 3, writeN: 2, encSize: 12, decSize: 10, zSize: 3,
                   attention: true, loss: .l2),
        DRAWConfig(channels: 1, height: 5, width: 7, steps: 4, readN: 2, writeN: 2, encSize: 9, decSize: 11, zSize: 5,
                   attention: false, loss: .bce),
    ]

    static func batch(_ c: DRAWConfig, _ B: Int, seed: UInt64) -> [Float] {
        var rng = SeededRNG(seed: seed)
        return randomFloats(B * c.pixels, in: 0...1, rng: &rng)
    }

    /// The decoder sees only z, so decoding the posterior means is the z = μ reconstruction (max abs difference
    /// within 1e-5: the generation loop groups its products differently).
    @Test(arguments: configs) func decodingThePosteriorMeansReconstructs(_ c: DRAWConfig) throws {
        let m = try DRAWModel(config: c, seed: 3)
        let x = Self.batch(c, 5, seed: 9)
        let q = try m.encode(batch: x)
        #expect(q.mu.count == c.steps * 5 * c.zSize && q.logSigma.count == q.mu.count && q.count == 5)
        #expect(q.means(image: 2) == (1...c.steps).flatMap { Array(q.mean(step: $0, image: 2)) })
        let decoded = try m.sample(count: 5, z: q.mu)
        let rec = try m.reconstruct(batch: x, mode: .mean)
        let last = Array(rec.canvases[((c.steps - 1) * 5 * c.pixels)...])
        let diff = zip(decoded.images, last).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-5, "max |decode(μ) − reconstruct| = \(diff)")
        // And the posterior's KL, from μ and log σ, is the reconstruction's KL.
        var kl = 0.0
        for (mu, ls) in zip(q.mu, q.logSigma) {
            kl += 0.5 * (Double(mu) * Double(mu) + exp(2 * Double(ls)) - 2 * Double(ls) - 1)
        }
        let expected = rec.losses.kl.reduce(0, +)
        #expect(abs(kl - expected) <= 1e-4 * max(1, abs(expected)), "KL \(kl) vs \(expected)")
    }

    /// Compares draws bit for bit, so it holds the kernel-state lock (see DeterminismTests.onAutomaticPath).
    @Test func priorLatentsScaleTheDrawsTheModelWouldMake() throws { try DeterminismTests.onAutomaticPath { try priorLatentsBody() } }
    private func priorLatentsBody() throws {
        let c = Self.configs[0]
        let m = try DRAWModel(config: c, seed: 1)
        m.reseed(7)
        let own = try m.sample(count: 4)
        m.reseed(7)
        let z = try m.priorLatents(count: 4)
        #expect(try m.sample(count: 4, z: z).images == own.images)
        m.reseed(7)
        let half = try m.priorLatents(count: 4, temperature: 0.5)
        #expect(half == z.map { $0 * 0.5 })
        #expect(try m.priorLatents(count: 2, temperature: 0).allSatisfy { $0 == 0 })
        #expect(throws: DRAWError.self) { try m.priorLatents(count: 2, temperature: -1) }
        #expect(throws: DRAWError.self) { try m.priorLatents(count: 0) }
    }

    @Test func latentPathsEndAtBothEnds() throws {
        let (T, Z) = (2, 3)
        let a: [Float] = [1, 0, 0, 0, 2, 0], b: [Float] = [0, 1, 0, 0, 0, 2]
        for kind in LatentPath.allCases {
            let p = try LatentInterpolation.path(from: a, to: b, points: 5, steps: T, zSize: Z, kind)
            func point(_ k: Int) -> [Float] { (0..<T).flatMap { t in p[((t * 5 + k) * Z)..<((t * 5 + k + 1) * Z)] } }
            #expect(zip(point(0), a).allSatisfy { abs($0 - $1) < 1e-6 } && zip(point(4), b).allSatisfy { abs($0 - $1) < 1e-6 })
            let mid = point(2)
            if kind == .linear {
                #expect(zip(mid, [0.5, 0.5, 0, 0, 1, 1] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
            } else {
                // Orthogonal vectors of equal norm: slerp stays on the sphere, halfway at 45°.
                let r = Float(0.5).squareRoot()
                #expect(zip(mid, [r, r, 0, 0, 2 * r, 2 * r]).allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }
        #expect(throws: DRAWError.self) { try LatentInterpolation.path(from: a, to: [1], points: 3, steps: T, zSize: Z, .linear) }
        #expect(throws: DRAWError.self) { try LatentInterpolation.path(from: a, to: b, points: 1, steps: T, zSize: Z, .linear) }
    }

    /// Observed pixels never change; missing ones take the reconstruction of the previous iterate.
    /// Compares iterates with reconstructions bit for bit: holds the kernel-state lock.
    @Test(arguments: configs) func completionClampsTheObservedPixels(_ c: DRAWConfig) throws {
        try DeterminismTests.onAutomaticPath { try completionBody(c) }
    }
    private func completionBody(_ c: DRAWConfig) throws {
        let m = try DRAWModel(config: c, seed: 4)
        let x = Self.batch(c, 3, seed: 2)
        let missing = (0..<x.count).map { Float(($0 / c.width) % 2) }   // every other row
        let result = try m.complete(batch: x, missing: missing, iterations: 3, fill: 0.25, mode: .mean)
        #expect(result.iterates.count == 4)
        for (k, it) in result.iterates.enumerated() {
            for i in x.indices where missing[i] == 0 { #expect(it[i] == x[i], "iterate \(k) pixel \(i)") }
        }
        #expect(zip(result.iterates[0], missing).allSatisfy { $1 == 0 || $0 == 0.25 })
        for k in 1...3 {
            let rec = try m.reconstruct(batch: result.iterates[k - 1], mode: .mean)
            let last = Array(rec.canvases[((c.steps - 1) * 3 * c.pixels)...])
            for i in x.indices where missing[i] == 1 { #expect(result.iterates[k][i] == last[i]) }
        }
        #expect(throws: DRAWError.self) { try m.complete(batch: x, missing: [1], iterations: 1) }
        #expect(throws: DRAWError.self) { try m.complete(batch: x, missing: missing, iterations: 0) }
    }
}

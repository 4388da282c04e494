// VAEGANRoutingTests.swift: routedGradients' backwards on one forward equal whole computeGradients passes.
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAW

@Suite struct VAEGANRoutingTests {
    /// Two seeds with their own KL weights on one forward give, bit for bit, what two separate forward+backward
    /// passes with the same noise give (B = 2, so the seed's 1/B is exact on both paths): the backward does not
    /// disturb the cache it shares.
    /// (Bit for bit: holds the kernel-state lock, see DeterminismTests.onAutomaticPath.)
    @Test func backwardsOnOneForwardEqualSeparatePasses() throws { try DeterminismTests.onAutomaticPath { try separatePassesBody() } }
    private func separatePassesBody() throws {
        let (model, batch, eps) = try ReconstructionTermTests.setUp()
        let two = Array(batch.prefix(2 * ReconstructionTermTests.config.pixels))
        let e2 = Array(eps.prefix(ReconstructionTermTests.config.steps * 2 * ReconstructionTermTests.config.zSize))
        var rng = SeededRNG(seed: 3)
        let m = two.count
        let seeds = [randomFloats(m, in: -0.5...0.5, rng: &rng), randomFloats(m, in: -0.5...0.5, rng: &rng)]
        let weights: [Float] = [0.7, 0]
        let routed = try two.withUnsafeBufferPointer { x in
            try model.routedGradients(images: x, mode: .fixed(e2)) { _, _ in [(seeds[0], weights[0]), (seeds[1], weights[1])] }
        }
        for pass in 0..<2 {
            model.klWeight = weights[pass]
            _ = try two.withUnsafeBufferPointer { x in
                try model.computeGradients(images: x, mode: .fixed(e2)) { _, _, d in
                    for i in d.indices { d[i] = seeds[pass][i] * 2 }
                    return [0, 0]
                }
            }
            #expect(Array(model.gradientSlab) == routed.gradients[pass], "pass \(pass)")
        }
        model.klWeight = 1
    }
}

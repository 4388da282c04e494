// AttentionTests.swift: ck_attention_forward/backward against the Float64 reference and central differences, incl. the 1e-8 floor.
import Foundation
import Testing
import CKernels
import DRAWTestSupport

extension GlimpseKernelTests {
    @Suite struct AttentionTests {
        static let shapes: [GlimpseShape] = [
            .init(B: 3, C: 1, H: 1, W: 1, N: 2), .init(B: 3, C: 1, H: 7, W: 16, N: 3), .init(B: 4, C: 1, H: 17, W: 31, N: 5),
            .init(B: 3, C: 1, H: 33, W: 9, N: 12), .init(B: 3, C: 1, H: 64, W: 64, N: 5), .init(B: 3, C: 1, H: 28, W: 28, N: 2),
            .init(B: 3, C: 1, H: 2, W: 300, N: 4),
        ]

        /// params within 1e-6 relative of the head's Float64 transforms (expf and a few roundings). The filters are
        /// compared with the Float64 filterbank of the C's own float params, element by element against the
        /// first-order float32 error model of F = exp(−(a − μ)²k) / Σ: |ΔF_a| ≤ 1e-7 + 4u·F_a·(1 + m_a + Σ_b F_b m_b),
        /// m_a = arg_a + 2k|a − μ||μ|, arg_a = (a − μ)²k, u = 2⁻²⁴: the rounding of the argument, of expf and of
        /// μ = g + offset·δ in each element, and the same in the row sum it is divided by.
        /// (Rows in a Gaussian's tail have arguments near 20…100 and are only good to ~1e-5 in float32.)
        @Test(arguments: shapes) func forwardMatchesReference(_ s: GlimpseShape) {
            var rng = SeededRNG(seed: UInt64(100 + s.H * 37 + s.W))
            let head = randomHead(s.B, rng: &rng)
            let ref = referenceAttention(head: doubles(head), B: s.B, N: s.N, H: s.H, W: s.W)
            forEachSIMDPath { path in
                let c = cAttention(head: head, s)
                #expect(maxRelativeError(c.params.array, ref.params, floor: 1e-30) < 1e-6, "\(path)")
                let p = c.params.doubles
                for (F, size, centre) in [(c.Fx, s.W, 0), (c.Fy, s.H, 1)] {
                    var worst = 0.0
                    for b in 0..<s.B {
                        let g = p[b * 5 + centre], delta = p[b * 5 + 3], k = 0.5 / p[b * 5 + 2]
                        let R = referenceFilterbank(centre: g, delta: delta, sigma2: p[b * 5 + 2], N: s.N, size: size)
                        for i in 0..<s.N {
                            let mu = g + (Double(i + 1) - Double(s.N) / 2 - 0.5) * delta
                            func model(_ a: Int) -> Double {
                                let d = Double(a) - mu
                                return d * d * k + 2 * k * abs(d) * abs(mu)
                            }
                            let rowSum = (0..<size).reduce(0.0) { $0 + R[i * size + $1] * model($1) }
                            for a in 0..<size {
                                let r = R[i * size + a]
                                let tol = 1e-7 + 4 * 0x1p-24 * r * (1 + model(a) + rowSum)
                                worst = max(worst, abs(Double(F.pointer[(b * s.N + i) * size + a]) - r) / tol)
                            }
                        }
                    }
                    #expect(worst <= 1, "\(path) \(s): filter error \(worst) × the float32 error model")
            }
            #expect(c.params.sentinelsIntact && c.Fx.sentinelsIntact && c.Fy.sentinelsIntact)
            }
        }

        /// L = Σ RFx ⊙ Fx + Σ RFy ⊙ Fy + Σ Rp ⊙ params as a function of the head, in Float64; central differences
        /// with h = 1e-6 (truncation and round-off both below 1e-8 of the gradient). The C gradient is float32
        /// data through float64 sums: within 1e-5 of the largest component. dhead starts at 0.25 (it accumulates).
        static func checkBackward(_ s: GlimpseShape, head: [Float], seed: UInt64, bound: Double = 1e-5) {
            var rng = SeededRNG(seed: seed)
            let RFx = randomFloats(s.B * s.N * s.W, rng: &rng), RFy = randomFloats(s.B * s.N * s.H, rng: &rng)
            let Rp = randomFloats(s.B * 5, rng: &rng)
            func L(_ h: [Double]) -> Double {
                let r = referenceAttention(head: h, B: s.B, N: s.N, H: s.H, W: s.W)
                return dot(r.Fx, doubles(RFx)) + dot(r.Fy, doubles(RFy)) + dot(r.params, doubles(Rp))
            }
            let fd = finiteDifferences(L, at: doubles(head), h: 1e-6)
            forEachSIMDPath { path in
                let c = cAttention(head: head, s)
                let dhead = strided([Float](repeating: 0.25, count: s.B * 5), rows: s.B, width: 5, ld: 6)
                ck_attention_backward(dhead.pointer, 6, Rp, RFx, RFy, c.params.pointer, c.Fx.pointer, c.Fy.pointer,
                                      s.B.i32, s.H.i32, s.W.i32, s.N.i32)
                let g = unstrided(dhead, rows: s.B, width: 5, ld: 6).map { Double($0) - 0.25 }
                let err = gradientError(g, fd)
                #expect(err < bound, "\(path) \(s): gradient error \(err)")
                #expect(dhead.sentinelsIntact && gapsIntact(dhead, rows: s.B, width: 5, ld: 6))
            }
        }

        @Test(arguments: shapes) func backwardMatchesFiniteDifferences(_ s: GlimpseShape) {
            var rng = SeededRNG(seed: UInt64(200 + s.H * 37 + s.W))
            AttentionTests.checkBackward(s, head: randomHead(s.B, rng: &rng), seed: UInt64(300 + s.N))
        }

        /// A window 7 pixels right of the image (σ² = 1, small δ): every Fx row's exponentials sum to
        /// 1e-11…3e-9, below the 1e-8 floor, so F = e / 1e-8 (constant denominator) while Fy rows are normalised; forward and gradient both checked.
        @Test func rowsBelowTheFloorUseAConstantDenominator() {
            let s = GlimpseShape(B: 2, C: 1, H: 9, W: 10, N: 3)
            let gxTilde = Float(16.0 / 5.5 - 1)  // gx = (W+1)/2 (g̃x+1) = 16, the last pixel is a = 9
            let head: [Float] = [gxTilde, 0.1, 0, -3, 0.3, gxTilde + 0.05, -0.2, 0.2, -2.5, -0.4]
            let ref = referenceAttention(head: doubles(head), B: s.B, N: s.N, H: s.H, W: s.W)
            forEachSIMDPath { path in
                let c = cAttention(head: head, s)
                for row in 0..<(s.B * s.N) {
                    let sum = (0..<s.W).reduce(0.0) { $0 + Double(c.Fx.pointer[row * s.W + $1]) }
                    #expect(sum > 0 && sum < 0.9, "\(path) row \(row) sums to \(sum): it must not be normalised")
                }
                #expect(maxRelativeError(c.Fx.array, ref.Fx, floor: 1e-3) < 1e-4, "\(path)")
            }
            AttentionTests.checkBackward(s, head: head, seed: 7)
        }

        /// Saturation: a window far off the image (g̃x = 50, g̃y = −50) gives all-zero rows and zero gradients for its
        /// centre; log γ = ±20 and log σ² = ±20 stay finite; nothing is NaN.
        @Test func saturatedHeadsStayFinite() {
            let s = GlimpseShape(B: 5, C: 1, H: 12, W: 10, N: 4)
            let head: [Float] = [50, 0, 0, 0, 0, 0, -50, 0, 0, 0, 0, 0, 0, 0, 20, 0.1, 0.2, -20, 1, -20, 0, 0, 20, 0, 0]
            forEachSIMDPath { path in
                let c = cAttention(head: head, s)
                #expect(c.params.array.allSatisfy { $0.isFinite } && c.Fx.array.allSatisfy { $0.isFinite } && c.Fy.array.allSatisfy { $0.isFinite })
                #expect((0..<(s.N * s.W)).allSatisfy { c.Fx.pointer[$0] == 0 }, "g̃x = 50: Fx rows must be zero")
                #expect((0..<(s.N * s.H)).allSatisfy { c.Fy.pointer[s.N * s.H + $0] == 0 }, "g̃y = −50: Fy rows must be zero")
                let bigGamma = Double(c.params.pointer[2 * 5 + 4]), smallGamma = Double(c.params.pointer[3 * 5 + 4])
                #expect(abs(bigGamma / Foundation.exp(20) - 1) < 1e-6 && abs(smallGamma / Foundation.exp(-20) - 1) < 1e-6)
                var rng = SeededRNG(seed: 5)
                let dFx = randomFloats(s.B * s.N * s.W, rng: &rng), dFy = randomFloats(s.B * s.N * s.H, rng: &rng)
                let dp = randomFloats(s.B * 5, rng: &rng)
                let dhead = GuardedBuffer(count: s.B * 5)
                ck_attention_backward(dhead.pointer, 5, dp, dFx, dFy, c.params.pointer, c.Fx.pointer, c.Fy.pointer,
                                      s.B.i32, s.H.i32, s.W.i32, s.N.i32)
                #expect(dhead.array.allSatisfy { $0.isFinite }, "\(dhead.array)")
                #expect(dhead.pointer[0] == Float(s.W + 1) / 2 * dp[0], "off-image Fx: only dparams reaches g̃x")
                #expect(dhead.pointer[6] == Float(s.H + 1) / 2 * dp[6], "off-image Fy: only dparams reaches g̃y")
                #expect(dhead.sentinelsIntact, "\(path)")
            }
        }
    }
}

// GlimpseBackwardTests.swift: ck_read_backward and ck_write_backward on every SIMD path against central differences, alone and chained through the attention.
import Testing
import CKernels
import DRAWTestSupport

extension GlimpseKernelTests {
    @Suite struct GlimpseBackwardTests {
        /// Small shapes: every input coordinate is differenced. 17 and 33 columns run the AVX2/AVX-512 bodies and tails.
        static let small: [GlimpseShape] = [
            .init(B: 2, C: 2, H: 5, W: 7, N: 3), .init(B: 2, C: 1, H: 3, W: 17, N: 2), .init(B: 1, C: 1, H: 2, W: 33, N: 4),
        ]
        /// Larger shapes: checked along random ±1 directions.
        static let large: [GlimpseShape] = [
            .init(B: 3, C: 3, H: 33, W: 9, N: 12), .init(B: 3, C: 1, H: 17, W: 31, N: 5), .init(B: 2, C: 3, H: 64, W: 64, N: 5),
            .init(B: 2, C: 1, H: 1, W: 1, N: 2), .init(B: 2, C: 1, H: 3, W: 300, N: 2),
        ]
        static let all = small + large

        /// The C read backward's gradient of L = Σ R ⊙ r with respect to [x, x̂, Fx, Fy, γ], dx present or NULL.
        /// Every d* buffer starts at 0.5 (they accumulate); dparams columns 0–3 must stay 0.5.
        static func cReadGradient(_ t: GlimpseCase, R: [Float], withDx: Bool = true) -> (g: [Double], others: Bool) {
            let s = t.s
            let img = s.B * s.C * s.H * s.W
            let dx = GuardedBuffer(count: img, fill: 0.5), dxhat = GuardedBuffer(count: img, fill: 0.5)
            let dFx = GuardedBuffer(count: t.Fx.count, fill: 0.5), dFy = GuardedBuffer(count: t.Fy.count, fill: 0.5)
            let dparams = GuardedBuffer(count: s.B * 5, fill: 0.5)
            let Rs = strided(R, rows: s.B, width: t.readWidth, ld: t.readWidth + 2)
            let f = t.cReadAll()
            ck_read_backward(withDx ? dx.pointer : nil, dxhat.pointer, dFx.pointer, dFy.pointer, dparams.pointer,
                             Rs.pointer, (t.readWidth + 2).i32, f.T.pointer, f.U.pointer, t.Fx, t.Fy, t.params,
                             s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
            let p = dparams.array
            let untouched = (0..<s.B).allSatisfy { b in (0..<4).allSatisfy { p[b * 5 + $0] == 0.5 } }
                && (withDx || dx.array.allSatisfy { $0 == 0.5 })
            let intact = [dx, dxhat, dFx, dFy, dparams].allSatisfy { $0.sentinelsIntact }
            let g = (withDx ? dx.array : []) + dxhat.array + dFx.array + dFy.array + (0..<s.B).map { p[$0 * 5 + 4] }
            return (g.map { Double($0) - 0.5 }, untouched && intact)
        }

        /// L as a Float64 function of [x, x̂, Fx, Fy, γ] (x omitted when withDx is false).
        static func readLoss(_ t: GlimpseCase, R: [Float], withDx: Bool = true) -> ([Double]) -> Double {
            let s = t.s, img = s.B * s.C * s.H * s.W
            let x0 = doubles(t.x)
            return { v in
                var o = 0
                func take(_ n: Int) -> [Double] { defer { o += n }; return Array(v[o..<(o + n)]) }
                let x = withDx ? take(img) : x0
                let xhat = take(img), Fx = take(t.Fx.count), Fy = take(t.Fy.count), g = take(s.B)
                return dot(referenceRead(x: x, xhat: xhat, Fx: Fx, Fy: Fy, gamma: g, B: s.B, C: s.C, H: s.H, W: s.W, N: s.N),
                           doubles(R))
            }
        }

        /// L is affine in each single coordinate, so central differences (h = 1e-2) are exact up to Float64 round-off;
        /// the float32 gradient must be within 1e-5 of the largest component (small shapes, every coordinate). Along a
        /// random direction (large shapes) L is a quartic in the step, so h = 1e-5 (truncation ~h², round-off
        /// ~1e-16/h), within 1e-5 of Σ|g_k v_k|. dx = NULL must leave the other gradients bit-identical.
        @Test(arguments: all) func readBackwardMatchesFiniteDifferences(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(600 + s.H * 41 + s.W))
            var rng = SeededRNG(seed: 77)
            let R = randomFloats(s.B * t.readWidth, rng: &rng)
            let x = doubles(t.x) + doubles(t.xhat) + doubles(t.Fx) + doubles(t.Fy) + gammas(doubles(t.params))
            let L = GlimpseBackwardTests.readLoss(t, R: R)
            let fd = GlimpseBackwardTests.small.contains { $0.description == s.description }
                ? finiteDifferences(L, at: x, h: 1e-2) : nil
            forEachSIMDPath { path in
                let (g, ok) = GlimpseBackwardTests.cReadGradient(t, R: R)
                #expect(ok, "\(path) \(s): other dparams columns, sentinels")
                if let fd {
                    let err = gradientError(g, fd)
                    #expect(err < 1e-5, "\(path) \(s): gradient error \(err)")
                } else {
                    var dirRng = SeededRNG(seed: 8)
                    for _ in 0..<2 {
                        let err = directionalError(L, at: x, gradient: g, h: 1e-5, rng: &dirRng)
                        #expect(err < 1e-5, "\(path) \(s): directional error \(err)")
                    }
                }
                let (gNoDx, okNoDx) = GlimpseBackwardTests.cReadGradient(t, R: R, withDx: false)
                #expect(okNoDx && Array(g.dropFirst(t.x.count)) == gNoDx, "\(path) \(s): dx = NULL changed the rest")
            }
        }

        /// The C write backward's gradient of L = Σ R ⊙ canvas' with respect to [w, Fx, Fy, γ]; buffers start at 0.5.
        static func cWriteGradient(_ t: GlimpseCase, R: [Float]) -> (g: [Double], others: Bool) {
            let s = t.s
            let dw = strided([Float](repeating: 0.5, count: s.B * t.patchWidth), rows: s.B, width: t.patchWidth,
                             ld: t.patchWidth + 2)
            let dFx = GuardedBuffer(count: t.Fx.count, fill: 0.5), dFy = GuardedBuffer(count: t.Fy.count, fill: 0.5)
            let dparams = GuardedBuffer(count: s.B * 5, fill: 0.5)
            let wp = strided(t.w, rows: s.B, width: t.patchWidth, ld: t.patchWidth + 1)
            ck_write_backward(dw.pointer, (t.patchWidth + 2).i32, dFx.pointer, dFy.pointer, dparams.pointer, R,
                              wp.pointer, (t.patchWidth + 1).i32, t.Fx, t.Fy, t.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
            let p = dparams.array
            let ok = (0..<s.B).allSatisfy { b in (0..<4).allSatisfy { p[b * 5 + $0] == 0.5 } }
                && [dw, dFx, dFy, dparams].allSatisfy { $0.sentinelsIntact }
                && gapsIntact(dw, rows: s.B, width: t.patchWidth, ld: t.patchWidth + 2)
            let g = unstrided(dw, rows: s.B, width: t.patchWidth, ld: t.patchWidth + 2) + dFx.array + dFy.array
                + (0..<s.B).map { p[$0 * 5 + 4] }
            return (g.map { Double($0) - 0.5 }, ok)
        }

        /// As for the read; L is affine in w, Fx, Fy and smooth in γ (1/γ): h = 1e-4 keeps γ's truncation error
        /// (h²/γ² relative) below 1e-7; h = 1e-5 along directions.
        @Test(arguments: all) func writeBackwardMatchesFiniteDifferences(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(700 + s.H * 41 + s.W))
            var rng = SeededRNG(seed: 78)
            let R = randomFloats(s.B * s.C * s.H * s.W, rng: &rng)
            let x = doubles(t.w) + doubles(t.Fx) + doubles(t.Fy) + gammas(doubles(t.params))
            let L: ([Double]) -> Double = { v in
                var o = 0
                func take(_ n: Int) -> [Double] { defer { o += n }; return Array(v[o..<(o + n)]) }
                let w = take(t.w.count), Fx = take(t.Fx.count), Fy = take(t.Fy.count), g = take(s.B)
                return dot(referenceWrite(canvas: doubles(t.canvas), w: w, Fx: Fx, Fy: Fy, gamma: g,
                                          B: s.B, C: s.C, H: s.H, W: s.W, N: s.N), doubles(R))
            }
            let fd = GlimpseBackwardTests.small.contains { $0.description == s.description }
                ? finiteDifferences(L, at: x, h: 1e-4) : nil
            forEachSIMDPath { path in
                let (g, ok) = GlimpseBackwardTests.cWriteGradient(t, R: R)
                #expect(ok, "\(path) \(s): other dparams columns, sentinels, stride gaps")
                if let fd {
                    let err = gradientError(g, fd)
                    #expect(err < 1e-5, "\(path) \(s): gradient error \(err)")
                } else {
                    var dirRng = SeededRNG(seed: 9)
                    for _ in 0..<2 {
                        let err = directionalError(L, at: x, gradient: g, h: 1e-5, rng: &dirRng)
                        #expect(err < 1e-5, "\(path) \(s): directional error \(err)")
                    }
                }
            }
        }

        /// head → ck_attention_forward → read (and write) → L, back through the glimpse kernel (dFx, dFy and the γ
        /// column of dparams) and ck_attention_backward, against central differences (h = 1e-6) of the Float64
        /// composition over the head: within 1e-4 of the largest component (float32 filters and glimpses in the chain).
        @Test(arguments: small + [GlimpseShape(B: 2, C: 3, H: 20, W: 24, N: 5)])
        func chainedThroughAttentionMatchesFiniteDifferences(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(800 + s.H * 41 + s.W))
            var rng = SeededRNG(seed: 79)
            let Rr = randomFloats(s.B * t.readWidth, rng: &rng), Rw = randomFloats(s.B * s.C * s.H * s.W, rng: &rng)
            func L(_ head: [Double]) -> Double {
                let a = referenceAttention(head: head, B: s.B, N: s.N, H: s.H, W: s.W)
                let g = gammas(a.params)
                let r = referenceRead(x: doubles(t.x), xhat: doubles(t.xhat), Fx: a.Fx, Fy: a.Fy, gamma: g,
                                      B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
                let c = referenceWrite(canvas: doubles(t.canvas), w: doubles(t.w), Fx: a.Fx, Fy: a.Fy, gamma: g,
                                       B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
                return dot(r, doubles(Rr)) + dot(c, doubles(Rw))
            }
            let fd = finiteDifferences(L, at: doubles(t.head), h: 1e-6)
            forEachSIMDPath { path in
                let dFx = GuardedBuffer(count: t.Fx.count), dFy = GuardedBuffer(count: t.Fy.count)
                let dparams = GuardedBuffer(count: s.B * 5), dhead = GuardedBuffer(count: s.B * 5)
                let f = t.cReadAll()
                ck_read_backward(nil, nil, dFx.pointer, dFy.pointer, dparams.pointer, Rr, t.readWidth.i32,
                                 f.T.pointer, f.U.pointer, t.Fx, t.Fy, t.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
                ck_write_backward(nil, 0, dFx.pointer, dFy.pointer, dparams.pointer, Rw, t.w, t.patchWidth.i32,
                                  t.Fx, t.Fy, t.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
                ck_attention_backward(dhead.pointer, 5, dparams.pointer, dFx.pointer, dFy.pointer, t.params, t.Fx, t.Fy,
                                      s.B.i32, s.H.i32, s.W.i32, s.N.i32)
                let err = gradientError(dhead.doubles, fd)
                #expect(err < 1e-4, "\(path) \(s): gradient error \(err)")
                #expect(dhead.sentinelsIntact)
            }
        }
    }
}

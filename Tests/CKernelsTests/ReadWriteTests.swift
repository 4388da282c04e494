// ReadWriteTests.swift: ck_read_* and ck_write_* on every SIMD path against the Float64 reference and central differences.
import Testing
import CKernels
import DRAWTestSupport

/// Random inputs of one glimpse shape: a C-computed window (its float Fx, Fy, params are the reference's inputs too),
/// images x in [0, 1], xhat in [−1, 1], a write patch w in [−1, 1] and a canvas.
struct GlimpseCase {
    let s: GlimpseShape
    let head, x, xhat, w, canvas: [Float]
    let params, Fx, Fy: [Float]
    init(_ s: GlimpseShape, seed: UInt64) {
        self.s = s
        var rng = SeededRNG(seed: seed)
        head = randomHead(s.B, rng: &rng)
        let img = s.B * s.C * s.H * s.W
        x = randomFloats(img, in: 0...1, rng: &rng)
        xhat = randomFloats(img, rng: &rng)
        w = randomFloats(s.B * s.C * s.N * s.N, rng: &rng)
        canvas = randomFloats(img, rng: &rng)
        let att = cAttention(head: head, s)
        params = att.params.array
        Fx = att.Fx.array
        Fy = att.Fy.array
    }
    var readWidth: Int { 2 * s.C * s.N * s.N }
    var patchWidth: Int { s.C * s.N * s.N }

    /// r (B, readWidth) from the C kernel, written at stride ldr = readWidth + 3.
    func cRead(x: [Float]? = nil, xhat: [Float]? = nil, Fx: [Float]? = nil, Fy: [Float]? = nil,
               params: [Float]? = nil) -> GuardedBuffer {
        cReadAll(x: x, xhat: xhat, Fx: Fx, Fy: Fy, params: params).r
    }
    /// r as in cRead, with the forward's products for the backward: T = Fy X (B, 2C, N, W), U = Fx Xᵀ (B, 2C, N, H).
    func cReadAll(x: [Float]? = nil, xhat: [Float]? = nil, Fx: [Float]? = nil, Fy: [Float]? = nil,
                  params: [Float]? = nil) -> (r: GuardedBuffer, T: GuardedBuffer, U: GuardedBuffer) {
        let r = strided([Float](repeating: 0, count: s.B * readWidth), rows: s.B, width: readWidth, ld: readWidth + 3)
        let T = GuardedBuffer(count: s.B * 2 * s.C * s.N * s.W), U = GuardedBuffer(count: s.B * 2 * s.C * s.H * s.N)
        ck_read_forward(r.pointer, (readWidth + 3).i32, T.pointer, U.pointer, x ?? self.x, xhat ?? self.xhat,
                        Fx ?? self.Fx, Fy ?? self.Fy, params ?? self.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
        return (r, T, U)
    }
    /// canvas + write, from the C kernel; w read at stride ldw = patchWidth + 1. In place (canvas_prev = canvas)
    /// by default; given `prev` (holding the canvas), into a NaN-filled output that the kernel must overwrite.
    func cWrite(from prev: GuardedBuffer? = nil) -> GuardedBuffer {
        let out = prev == nil ? GuardedBuffer(canvas) : GuardedBuffer(canvas.map { _ in Float.nan })
        let wp = strided(w, rows: s.B, width: patchWidth, ld: patchWidth + 1)
        ck_write_forward(out.pointer, (prev ?? out).pointer, wp.pointer, (patchWidth + 1).i32, Fx, Fy, params,
                         s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
        return out
    }
}

extension GlimpseKernelTests {
    @Suite struct ReadWriteTests {
        static let shapes: [GlimpseShape] = [
            .init(B: 3, C: 1, H: 1, W: 1, N: 2), .init(B: 3, C: 3, H: 7, W: 16, N: 3), .init(B: 3, C: 1, H: 17, W: 31, N: 5),
            .init(B: 3, C: 3, H: 33, W: 9, N: 12), .init(B: 3, C: 3, H: 64, W: 64, N: 5), .init(B: 3, C: 1, H: 28, W: 28, N: 2),
            .init(B: 3, C: 1, H: 16, W: 33, N: 7), .init(B: 3, C: 3, H: 31, W: 17, N: 4), .init(B: 4, C: 1, H: 8, W: 1, N: 3),
            .init(B: 3, C: 1, H: 3, W: 32, N: 6), .init(B: 2, C: 2, H: 3, W: 300, N: 2),
        ]

        /// The read forward's products for the backward, T = Fy X (B, 2C, N, W) and U = Fx Xᵀ (B, 2C, N, H) for the
        /// planes of x then x̂, each within the worst-case float32 bound of its one sum: (H + 2)·u, (W + 2)·u times the
        /// same product of |X|. Sentinels untouched.
        @Test(arguments: shapes) func readForwardKeepsItsProducts(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(450 + s.H * 41 + s.W))
            let planes = 2 * s.C, img = s.H * s.W
            var refT: [Double] = [], scaleT: [Double] = [], refU: [Double] = [], scaleU: [Double] = []
            for b in 0..<s.B {
                for p in 0..<planes {
                    let src = p < s.C ? t.x : t.xhat, at = (b * s.C + p % s.C) * img
                    for j in 0..<s.N {
                        for w in 0..<s.W {
                            var v = 0.0, a = 0.0
                            for h in 0..<s.H {
                                let f = Double(t.Fy[(b * s.N + j) * s.H + h]), x = Double(src[at + h * s.W + w])
                                v += f * x; a += f * abs(x)
                            }
                            refT.append(v); scaleT.append(a)
                        }
                    }
                    for i in 0..<s.N {
                        for h in 0..<s.H {
                            var v = 0.0, a = 0.0
                            for w in 0..<s.W {
                                let f = Double(t.Fx[(b * s.N + i) * s.W + w]), x = Double(src[at + h * s.W + w])
                                v += f * x; a += f * abs(x)
                            }
                            refU.append(v); scaleU.append(a)
                        }
                    }
                }
            }
            forEachSIMDPath { path in
                let f = t.cReadAll()
                for (got, ref, scale, n) in [(f.T, refT, scaleT, s.H), (f.U, refU, scaleU, s.W)] {
                    #expect(got.count == ref.count && got.sentinelsIntact, "\(path) \(s)")
                    let bound = Double(n + 2) * 0x1p-24
                    var worst = 0.0
                    for k in ref.indices { worst = max(worst, abs(Double(got.pointer[k]) - ref[k]) / (bound * scale[k] + 1e-30)) }
                    #expect(worst <= 1, "\(path) \(s): error \(worst) × the bound")
                }
            }
        }

        /// Each glimpse within the worst-case float32 bound of its two sums (over H, then W): (H + W + 4)·u·scale,
        /// u = 2⁻²⁴, scale = the same glimpse of |x| (γ Fy |X| Fxᵀ). Row-stride gaps and sentinels untouched.
        @Test(arguments: shapes) func readForwardMatchesReference(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(400 + s.H * 41 + s.W))
            let g = gammas(doubles(t.params))
            let ref = referenceRead(x: doubles(t.x), xhat: doubles(t.xhat), Fx: doubles(t.Fx), Fy: doubles(t.Fy),
                                    gamma: g, B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
            let scale = referenceRead(x: doubles(t.x).map(abs), xhat: doubles(t.xhat).map(abs), Fx: doubles(t.Fx),
                                      Fy: doubles(t.Fy), gamma: g, B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
            let bound = Double(s.H + s.W + 4) * 0x1p-24
            forEachSIMDPath { path in
                let r = t.cRead()
                let out = unstrided(r, rows: s.B, width: t.readWidth, ld: t.readWidth + 3)
                var worst = 0.0
                for k in ref.indices { worst = max(worst, abs(Double(out[k]) - ref[k]) / (bound * scale[k] + 1e-30)) }
                #expect(worst <= 1, "\(path) \(s): error \(worst) × the bound")
                #expect(r.sentinelsIntact && gapsIntact(r, rows: s.B, width: t.readWidth, ld: t.readWidth + 3), "\(path) \(s)")
            }
        }

        /// canvas + (1/γ) Fyᵀ w Fx within the worst-case float32 bound of its two N-term sums, the scale and the add:
        /// (2N + 4)·u·(|canvas| + (1/γ) Fyᵀ |w| Fx). Sentinels untouched. In place, and from a separate
        /// canvas_prev (left unchanged) into a NaN-filled output.
        @Test(arguments: shapes) func writeForwardMatchesReference(_ s: GlimpseShape) {
            let t = GlimpseCase(s, seed: UInt64(500 + s.H * 41 + s.W))
            let g = gammas(doubles(t.params))
            let ref = referenceWrite(canvas: doubles(t.canvas), w: doubles(t.w), Fx: doubles(t.Fx), Fy: doubles(t.Fy),
                                     gamma: g, B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
            let scale = referenceWrite(canvas: doubles(t.canvas).map(abs), w: doubles(t.w).map(abs), Fx: doubles(t.Fx),
                                       Fy: doubles(t.Fy), gamma: g, B: s.B, C: s.C, H: s.H, W: s.W, N: s.N)
            let bound = Double(2 * s.N + 4) * 0x1p-24
            forEachSIMDPath { path in
                for inPlace in [true, false] {
                    let prev = GuardedBuffer(t.canvas)
                    let out = inPlace ? t.cWrite() : t.cWrite(from: prev)
                    #expect(prev.array.map(\.bitPattern) == t.canvas.map(\.bitPattern), "\(path) \(s): canvas_prev changed")
                    var worst = 0.0
                    for k in ref.indices { worst = max(worst, abs(Double(out.pointer[k]) - ref[k]) / (bound * scale[k] + 1e-30)) }
                    #expect(worst <= 1, "\(path) \(s) in place \(inPlace): error \(worst) × the bound")
                    #expect(out.sentinelsIntact, "\(path) \(s) in place \(inPlace)")
                }
            }
        }
    }
}

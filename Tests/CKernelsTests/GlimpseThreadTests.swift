// GlimpseThreadTests.swift: attention, read and write give the same bits with 1 and 2 OpenMP threads, on every SIMD path.
import Testing
import CKernels
import DRAWTestSupport

extension GlimpseKernelTests {
    @Suite struct GlimpseThreadTests {
        /// All six kernels' outputs, concatenated, for one case.
        static func allOutputs(_ t: GlimpseCase, seed: UInt64) -> [Float] {
            let s = t.s
            var rng = SeededRNG(seed: seed)
            let att = cAttention(head: t.head, s)
            let f = t.cReadAll()
            let r = GuardedBuffer(unstrided(f.r, rows: s.B, width: t.readWidth, ld: t.readWidth + 3)), c = t.cWrite()
            let Rr = randomFloats(s.B * t.readWidth, rng: &rng), Rc = randomFloats(t.canvas.count, rng: &rng)
            let dx = GuardedBuffer(count: t.x.count), dxhat = GuardedBuffer(count: t.x.count)
            let dFx = GuardedBuffer(count: t.Fx.count), dFy = GuardedBuffer(count: t.Fy.count)
            let dparams = GuardedBuffer(count: s.B * 5), dw = GuardedBuffer(count: t.w.count)
            let dhead = GuardedBuffer(count: s.B * 5)
            ck_read_backward(dx.pointer, dxhat.pointer, dFx.pointer, dFy.pointer, dparams.pointer, Rr, t.readWidth.i32,
                             f.T.pointer, f.U.pointer, t.Fx, t.Fy, t.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
            ck_write_backward(dw.pointer, t.patchWidth.i32, dFx.pointer, dFy.pointer, dparams.pointer, Rc, t.w,
                              t.patchWidth.i32, t.Fx, t.Fy, t.params, s.B.i32, s.C.i32, s.H.i32, s.W.i32, s.N.i32)
            ck_attention_backward(dhead.pointer, 5, dparams.pointer, dFx.pointer, dFy.pointer, t.params, t.Fx, t.Fy,
                                  s.B.i32, s.H.i32, s.W.i32, s.N.i32)
            return [att.params, att.Fx, att.Fy, r, f.T, f.U, c, dx, dxhat, dFx, dFy, dparams, dw, dhead].flatMap { $0.array }
        }

        /// Bit-identical, not merely close: every kernel works image by image, with no reduction across the batch.
        @Test func oneAndTwoThreadsGiveTheSameBits() {
            PointwiseReference.simdPathLock.lock()
            let before = ck_get_threads()
            defer { ck_set_threads(before); PointwiseReference.simdPathLock.unlock() }
            for s in [GlimpseShape(B: 7, C: 3, H: 33, W: 17, N: 5), GlimpseShape(B: 5, C: 1, H: 28, W: 28, N: 2)] {
                let t = GlimpseCase(s, seed: 900)
                forEachSIMDPath { path in
                    ck_set_threads(1)
                    let one = GlimpseThreadTests.allOutputs(t, seed: 1)
                    ck_set_threads(2)
                    let two = GlimpseThreadTests.allOutputs(t, seed: 1)
                    #expect(one.map(\.bitPattern) == two.map(\.bitPattern), "\(path) \(s)")
                    #expect(one.allSatisfy { $0.isFinite }, "\(path) \(s)")
                }
            }
        }

        /// The path loop really covers the CPU: scalar always, and the best path the CPU has.
        @Test func pathLoopCoversScalarAndTheBestPath() {
            PointwiseReference.simdPathLock.lock()
            defer { PointwiseReference.simdPathLock.unlock() }
            let paths = supportedSIMDPaths()
            let best = ck_simd_path()
            print("SIMD paths tested: \(paths.map { String(cString: ck_simd_path_name($0)) })")
            #expect(paths.contains(Int32(CK_SIMD_SCALAR)) && paths.contains(best))
        }
    }
}

// LSTMTests.swift: ck_lstm_forward/backward against the Float64 reference, finite differences, threads, saturation.
import CKernels
import DRAWTestSupport
import Testing

private typealias Ref = PointwiseReference

/// Runs the kernel forward on float copies; act is its own buffer or, with aliasActToPre, the pre buffer.
private func lstmKernel(pre: [Float], cPrev: [Float]?, B: Int, H: Int, aliasActToPre: Bool = false)
    -> (h: GuardedBuffer, c: GuardedBuffer, act: GuardedBuffer)
{
    let h = GuardedBuffer(count: B * H), c = GuardedBuffer(count: B * H)
    let act = aliasActToPre ? GuardedBuffer(pre) : GuardedBuffer(count: B * 4 * H)
    let preBuf = aliasActToPre ? act : GuardedBuffer(pre)
    let cp = cPrev.map { GuardedBuffer($0) }
    ck_lstm_forward(h.pointer, Int32(H), c.pointer, act.pointer, preBuf.pointer, cp?.pointer, Int32(B), Int32(H))
    return (h, c, act)
}

@Suite(.serialized) struct LSTMTests {
    /// Float32 gates are 1-3 ulp; h and c are O(1) sums of two such products, so they are compared with an
    /// absolute floor of 1 (error <= 1e-6 ~ 8 ulp of 1); act relative with floor 1e-3.
    @Test func forwardMatchesReferenceOnEveryPathAndTail() {
        var rng = SeededRNG(seed: 11)
        Ref.forEachSIMDPath { path in
            for H in Ref.tailSizes + [600] {  // 600 > the kernel's 512-column chunk
                let B = 3
                let pre = randomFloats(B * 4 * H, in: -6...6, rng: &rng)
                let cPrev = randomFloats(B * H, in: -2...2, rng: &rng)
                for withC in [true, false] {
                    let cp = withC ? cPrev : nil
                    let ref = Ref.lstmForward(pre: pre.map(Double.init), cPrev: cp?.map(Double.init), B: B, H: H)
                    let out = lstmKernel(pre: pre, cPrev: cp, B: B, H: H)
                    let eh = maxRelativeError(out.h.array, ref.h, floor: 1)
                    let ec = maxRelativeError(out.c.array, ref.c, floor: 1)
                    let ea = maxRelativeError(out.act.array, ref.act, floor: 1e-3)
                    #expect(eh <= 1e-6 && ec <= 1e-6 && ea <= 1e-6,
                            "path \(path) H \(H) cPrev \(withC): h \(eh) c \(ec) act \(ea)")
                    #expect(out.h.sentinelsIntact && out.c.sentinelsIntact && out.act.sentinelsIntact,
                            "path \(path) H \(H): write outside the outputs")
                }
            }
        }
    }

    @Test func actMayAliasPre() {
        var rng = SeededRNG(seed: 12)
        Ref.forEachSIMDPath { path in
            for H in [1, 7, 16, 33, 257] {
                let pre = randomFloats(2 * 4 * H, in: -5...5, rng: &rng)
                let cPrev = randomFloats(2 * H, rng: &rng)
                let separate = lstmKernel(pre: pre, cPrev: cPrev, B: 2, H: H)
                let aliased = lstmKernel(pre: pre, cPrev: cPrev, B: 2, H: H, aliasActToPre: true)
                #expect(Ref.agree(aliased.act.array, separate.act.array) && Ref.agree(aliased.h.array, separate.h.array)
                        && Ref.agree(aliased.c.array, separate.c.array), "path \(path) H \(H)")
            }
        }
    }

    /// L = sum dh . h + sum dc . c. Central differences of the Float64 reference with step 1e-6 (truncation
    /// ~1e-12, rounding ~1e-9). The float32 kernel multiplies O(1) rounded quantities (act from the float
    /// forward, 1-3 ulp each), so it is held to 2e-6 absolute below 1 and relative above (floor 1), about
    /// 16 ulp of 1. dpre starts as garbage (it is overwritten), dc_prev nonzero (it accumulates). H = 600
    /// crosses the kernel's 512-column chunk; there only columns around the chunk edges are differenced.
    @Test func backwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 13)
        Ref.forEachSIMDPath { path in
            for H in [1, 3, 8, 17, 33, 600] {
                for (withDc, withCp, withDcp) in [(true, true, true), (false, true, true), (true, false, false),
                                                  (false, false, true)] {
                    let B = 2
                    let pre = randomFloats(B * 4 * H, in: -3...3, rng: &rng)
                    let cPrev = withCp ? randomFloats(B * H, in: -2...2, rng: &rng) : nil
                    let dh = randomFloats(B * H, rng: &rng)
                    let dc = withDc ? randomFloats(B * H, rng: &rng) : nil
                    let fwd = lstmKernel(pre: pre, cPrev: cPrev, B: B, H: H)
                    let dpre0 = randomFloats(B * 4 * H, rng: &rng), dcp0 = randomFloats(B * H, rng: &rng)
                    let dpre = GuardedBuffer(dpre0), dcp = GuardedBuffer(dcp0)
                    let dhB = GuardedBuffer(dh), dcB = dc.map { GuardedBuffer($0) }
                    let cpB = cPrev.map { GuardedBuffer($0) }
                    ck_lstm_backward(dpre.pointer, withDcp ? dcp.pointer : nil, dhB.pointer, dcB?.pointer,
                                     fwd.act.pointer, fwd.c.pointer, cpB?.pointer, Int32(B), Int32(H))

                    func loss(_ p: [Double], _ cp: [Double]?) -> Double {
                        let r = Ref.lstmForward(pre: p, cPrev: cp, B: B, H: H)
                        var s = 0.0
                        for k in 0..<(B * H) { s += Double(dh[k]) * r.h[k] + Double(dc?[k] ?? 0) * r.c[k] }
                        return s
                    }
                    let p64 = pre.map(Double.init), cp64 = cPrev?.map(Double.init)
                    let columns = H <= 33 ? Array(0..<H) : [0, 1, 255, 510, 511, 512, 513, 598, 599]
                    let rows = (0..<B).flatMap { b in columns.map { b * H + $0 } }  // indices into (B, H)
                    let rows4 = (0..<B).flatMap { b in (0..<4).flatMap { g in columns.map { b * 4 * H + g * H + $0 } } }
                    let fdPre = rows4.map { i in
                        centralDifference({ loss($0, cp64) }, at: p64, index: i, h: 1e-6)
                    }
                    let gotPre = rows4.map { Double(dpre.array[$0]) }
                    let ePre = maxRelativeError(gotPre, fdPre, floor: 1)
                    #expect(ePre <= 2e-6, "path \(path) H \(H) dc \(withDc) cPrev \(withCp): dpre \(ePre)")
                    if withDcp {
                        let base = cp64 ?? [Double](repeating: 0, count: B * H)
                        let fdCp = rows.map { i in
                            centralDifference({ loss(p64, $0) }, at: base, index: i, h: 1e-6)
                        }
                        let gotCp = rows.map { Double(dcp.array[$0]) - Double(dcp0[$0]) }
                        let eCp = maxRelativeError(gotCp, fdCp, floor: 1)
                        #expect(eCp <= 2e-6, "path \(path) H \(H) dc \(withDc) cPrev \(withCp): dc_prev \(eCp)")
                    } else {
                        #expect(dcp.array == dcp0, "dc_prev NULL must leave the caller's buffer alone")
                    }
                    #expect(dpre.sentinelsIntact && dcp.sentinelsIntact, "path \(path) H \(H): out-of-bounds write")
                }
            }
        }
    }

    /// The backward writes its gate gradients over the activations it read (how BPTT saves a (T, B, 4H) buffer):
    /// the same bits as into a separate buffer, and dc_prev unchanged by the aliasing.
    @Test func backwardDpreMayAliasAct() {
        var rng = SeededRNG(seed: 15)
        Ref.forEachSIMDPath { path in
            for H in [1, 7, 16, 33, 257, 600] {
                let B = 3
                let pre = randomFloats(B * 4 * H, in: -4...4, rng: &rng), cPrev = randomFloats(B * H, rng: &rng)
                let dh = GuardedBuffer(randomFloats(B * H, rng: &rng)), dc = GuardedBuffer(randomFloats(B * H, rng: &rng))
                let cp = GuardedBuffer(cPrev)
                let f = lstmKernel(pre: pre, cPrev: cPrev, B: B, H: H)
                let dpre = GuardedBuffer(count: B * 4 * H), dcp = GuardedBuffer(count: B * H)
                ck_lstm_backward(dpre.pointer, dcp.pointer, dh.pointer, dc.pointer, f.act.pointer, f.c.pointer,
                                 cp.pointer, Int32(B), Int32(H))
                let inPlace = GuardedBuffer(f.act.array), dcpInPlace = GuardedBuffer(count: B * H)
                ck_lstm_backward(inPlace.pointer, dcpInPlace.pointer, dh.pointer, dc.pointer, inPlace.pointer,
                                 f.c.pointer, cp.pointer, Int32(B), Int32(H))
                #expect(inPlace.array == dpre.array && dcpInPlace.array == dcp.array,
                        "path \(path) H \(H)")
                #expect(inPlace.sentinelsIntact && dcpInPlace.sentinelsIntact, "path \(path) H \(H)")
            }
        }
    }

    /// h may be written with a row stride (the model's step rows hold h_enc and h_dec side by side): the same
    /// bits as contiguous, and the gaps between rows untouched.
    @Test func hMayHaveARowStride() {
        var rng = SeededRNG(seed: 16)
        Ref.forEachSIMDPath { path in
            for H in [1, 17, 600] {
                let B = 3, ldh = H + 5
                let pre = randomFloats(B * 4 * H, in: -4...4, rng: &rng), cPrev = randomFloats(B * H, rng: &rng)
                let dense = lstmKernel(pre: pre, cPrev: cPrev, B: B, H: H)
                let h = GuardedBuffer(count: B * ldh, fill: -7), c = GuardedBuffer(count: B * H)
                let act = GuardedBuffer(count: B * 4 * H), preB = GuardedBuffer(pre), cp = GuardedBuffer(cPrev)
                ck_lstm_forward(h.pointer, Int32(ldh), c.pointer, act.pointer, preB.pointer, cp.pointer, Int32(B), Int32(H))
                let rows = (0..<B).flatMap { b in (0..<H).map { h.pointer[b * ldh + $0].bitPattern } }
                #expect(rows == dense.h.array.map(\.bitPattern), "path \(path) H \(H)")
                #expect((0..<B).allSatisfy { b in (H..<ldh).allSatisfy { h.pointer[b * ldh + $0] == -7 } })
                #expect(h.sentinelsIntact && c.array == dense.c.array, "path \(path) H \(H)")
            }
        }
    }

    /// Rows are independent and each is computed by one thread: the same results for any thread count.
    @Test func oneAndTwoThreadsAgree() {
        let saved = ck_get_threads()
        defer { ck_set_threads(saved) }
        var rng = SeededRNG(seed: 14)
        let B = 9, H = 100
        let pre = randomFloats(B * 4 * H, in: -4...4, rng: &rng), cPrev = randomFloats(B * H, rng: &rng)
        let dh = GuardedBuffer(randomFloats(B * H, rng: &rng)), dc = GuardedBuffer(randomFloats(B * H, rng: &rng))
        let cp = GuardedBuffer(cPrev)
        Ref.forEachSIMDPath { path in
            var results: [[Float]] = []
            for n in [1, 2] {
                ck_set_threads(Int32(n))
                let f = lstmKernel(pre: pre, cPrev: cPrev, B: B, H: H)
                let dpre = GuardedBuffer(count: B * 4 * H), dcp = GuardedBuffer(count: B * H)
                ck_lstm_backward(dpre.pointer, dcp.pointer, dh.pointer, dc.pointer, f.act.pointer, f.c.pointer,
                                 cp.pointer, Int32(B), Int32(H))
                results.append(f.h.array + f.c.array + f.act.array + dpre.array + dcp.array)
            }
            #expect(Ref.agree(results[0], results[1]), "path \(path)")
        }
    }

    @Test func saturatedPreActivationsStayFinite() {
        Ref.forEachSIMDPath { path in
            let H = 37, B = 2
            let extremes: [Float] = [1e4, -1e4, 100, -100, 88.5, -88.5, 0]
            let pre = (0..<(B * 4 * H)).map { extremes[$0 % extremes.count] }
            let cPrev = (0..<(B * H)).map { extremes[($0 + 3) % extremes.count] }
            let f = lstmKernel(pre: pre, cPrev: cPrev, B: B, H: H)
            let ref = Ref.lstmForward(pre: pre.map(Double.init), cPrev: cPrev.map(Double.init), B: B, H: H)
            #expect((f.h.array + f.c.array + f.act.array).allSatisfy { $0.isFinite }, "path \(path)")
            #expect(maxRelativeError(f.act.array, ref.act, floor: 1e-3) <= 1e-6, "path \(path): saturated gates")
            #expect(maxRelativeError(f.h.array, ref.h, floor: 1) <= 1e-6, "path \(path): saturated h")
            let dpre = GuardedBuffer(count: B * 4 * H), dcp = GuardedBuffer(count: B * H)
            let ones = GuardedBuffer(count: B * H, fill: 1), cp = GuardedBuffer(cPrev)
            ck_lstm_backward(dpre.pointer, dcp.pointer, ones.pointer, ones.pointer, f.act.pointer, f.c.pointer,
                             cp.pointer, Int32(B), Int32(H))
            #expect((dpre.array + dcp.array).allSatisfy { $0.isFinite }, "path \(path): saturated gradients")
        }
    }
}

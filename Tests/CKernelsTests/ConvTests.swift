// ConvTests.swift: convolution, LeakyReLU, sigmoid backward and squared distance against Float64 references and central differences.
import CKernels
import DRAWTestSupport
import Testing

private typealias Ref = PointwiseReference

/// Odd sizes, strides 1 and 2, padding 0–2, kernels 1–5 (the discriminator's 4×4/s2/p1 and 5×5/s1/p2 among them),
/// a 1×1 output, and O = 33 output channels (a GEMM tail).
private let convShapes: [ConvShape] = [
    ConvShape(B: 1, C: 1, H: 1, W: 1, O: 1, k: 1, stride: 1, pad: 0),
    ConvShape(B: 2, C: 3, H: 7, W: 7, O: 4, k: 5, stride: 1, pad: 2),
    ConvShape(B: 3, C: 2, H: 9, W: 8, O: 5, k: 4, stride: 2, pad: 1),
    ConvShape(B: 2, C: 3, H: 11, W: 13, O: 3, k: 5, stride: 2, pad: 2),
    ConvShape(B: 1, C: 4, H: 6, W: 5, O: 33, k: 3, stride: 2, pad: 0),
    ConvShape(B: 2, C: 1, H: 5, W: 5, O: 2, k: 5, stride: 1, pad: 0),
    ConvShape(B: 5, C: 2, H: 3, W: 17, O: 7, k: 3, stride: 1, pad: 1),
]

/// The kernel's forward on one case; returns y and the im2col buffer (guarded).
private func convForward(_ s: ConvShape, x: [Float], w: [Float], b: [Float]?) -> (y: GuardedBuffer, col: GuardedBuffer, work: GuardedBuffer) {
    let y = GuardedBuffer(count: s.yCount), col = GuardedBuffer(count: s.colCount), work = GuardedBuffer(count: s.workCount)
    ck_conv2d_forward(y.pointer, col.pointer, work.pointer, x, w, b, Int32(s.B), Int32(s.C), Int32(s.H), Int32(s.W),
                      Int32(s.O), Int32(s.k), Int32(s.stride), Int32(s.pad))
    return (y, col, work)
}

private struct ConvCase {
    let s: ConvShape
    let x, w, b, dy: [Float]
    init(_ s: ConvShape, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        self.s = s
        x = randomFloats(s.xCount, rng: &rng); w = randomFloats(s.weightCount, rng: &rng)
        b = randomFloats(s.O, rng: &rng); dy = randomFloats(s.yCount, rng: &rng)
    }
    /// dx, dW, db from the kernel, each buffer starting at `start` (so the test sees that it accumulates).
    func backward(start: Float) -> (dx: GuardedBuffer, dw: GuardedBuffer, db: GuardedBuffer, sentinels: Bool) {
        let f = convForward(s, x: x, w: w, b: b)
        let dx = GuardedBuffer(count: s.xCount, fill: start), dw = GuardedBuffer(count: s.weightCount, fill: start)
        let db = GuardedBuffer(count: s.O, fill: start), dcol = GuardedBuffer(count: s.colCount)
        ck_conv2d_backward(dx.pointer, dw.pointer, db.pointer, f.work.pointer, dcol.pointer, dy, f.col.pointer, w,
                           Int32(s.B), Int32(s.C), Int32(s.H), Int32(s.W), Int32(s.O), Int32(s.k), Int32(s.stride), Int32(s.pad))
        return (dx, dw, db, f.y.sentinelsIntact && f.col.sentinelsIntact && f.work.sentinelsIntact && dcol.sentinelsIntact)
    }
}

@Suite(.serialized) struct ConvTests {
    /// Each output sums C·k·k products of values in [−1, 1]: float32 error about 1e-7 · √(Ckk); bound 1e-5 (floor 1).
    @Test func forwardMatchesReference() {
        Ref.forEachSIMDPath { path in
            for (n, s) in convShapes.enumerated() {
                let t = ConvCase(s, seed: 100 + UInt64(n))
                let f = convForward(s, x: t.x, w: t.w, b: t.b)
                let ref = ConvReference.conv(x: t.x.map(Double.init), weight: t.w.map(Double.init), bias: t.b.map(Double.init), s)
                let e = maxRelativeError(f.y.array, ref, floor: 1)
                #expect(e <= 1e-5, "path \(path) \(s): \(e)")
                #expect(f.y.sentinelsIntact && f.col.sentinelsIntact && f.work.sentinelsIntact, "path \(path) \(s): write out of bounds")
                // No bias: the same product without the broadcast.
                let nb = convForward(s, x: t.x, w: t.w, b: nil)
                let refNB = ConvReference.conv(x: t.x.map(Double.init), weight: t.w.map(Double.init), bias: nil, s)
                #expect(maxRelativeError(nb.y.array, refNB, floor: 1) <= 1e-5, "path \(path) \(s) without bias")
            }
        }
    }

    /// dx, dW, db against central differences (h = 1e-3) of f = Σ dy · conv(x, W, b) on the Float64 reference.
    /// f is linear in each argument, so the difference quotient is exact up to Float64 rounding; the kernel's
    /// float32 sums of ≤ B·Ho·Wo products are within 1e-5 (floor 1). The buffers start at 0.25 to check `+=`.
    @Test func backwardMatchesCentralDifferences() {
        Ref.forEachSIMDPath { path in
            for (n, s) in convShapes.enumerated() {
                let t = ConvCase(s, seed: 200 + UInt64(n))
                let x = t.x.map(Double.init), w = t.w.map(Double.init), b = t.b.map(Double.init), dy = t.dy.map(Double.init)
                func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
                    zip(ConvReference.conv(x: x, weight: w, bias: b, s), dy).reduce(0) { $0 + $1.0 * $1.1 }
                }
                let h = 1e-3
                let gx = x.indices.map { i in centralDifference({ f($0, w, b) }, at: x, index: i, h: h) + 0.25 }
                let gw = w.indices.map { i in centralDifference({ f(x, $0, b) }, at: w, index: i, h: h) + 0.25 }
                let gb = b.indices.map { i in centralDifference({ f(x, w, $0) }, at: b, index: i, h: h) + 0.25 }
                let k = t.backward(start: 0.25)
                #expect(maxRelativeError(k.dx.array, gx, floor: 1) <= 1e-5, "path \(path) \(s): dx")
                #expect(maxRelativeError(k.dw.array, gw, floor: 1) <= 1e-5, "path \(path) \(s): dW")
                #expect(maxRelativeError(k.db.array, gb, floor: 1) <= 1e-5, "path \(path) \(s): db")
                #expect(k.sentinels && k.dx.sentinelsIntact && k.dw.sentinelsIntact && k.db.sentinelsIntact,
                        "path \(path) \(s): write out of bounds")
            }
        }
    }

    /// `--precision bf16`: the forward's and dx's products take bf16-rounded inputs with float32 sums, on every
    /// bf16 path. Against the Float64 convolution of the rounded x, W (forward) and W, dy (dx; the adjoint by
    /// its adjoint) within the float32 sum's bound, (n + 2) u Σ |terms| per
    /// output (n terms: C·k·k forward, O·k·k for dx; u = 2^-24). Unrounded inputs would miss it by ~2^-9
    /// relative (the adjoint is ConvReference.convInputGradient's loops). dW and db stay float32: the float32
    /// kernel's bits. Buffers start at 0.25 (+=).
    @Test func bf16ProductsMatchFloat64OnRoundedInputs() {
        BF16Reference.forEachPath { path in
            for (n, s) in convShapes.enumerated() {
                let t = ConvCase(s, seed: 300 + UInt64(n))
                let scratch = GuardedBuffer(count: Int(ck_conv2d_bf16_scratch_floats(Int32(s.B), Int32(s.C), Int32(s.H),
                    Int32(s.W), Int32(s.O), Int32(s.k), Int32(s.stride), Int32(s.pad))))
                let y = GuardedBuffer(count: s.yCount), col = GuardedBuffer(count: s.colCount), work = GuardedBuffer(count: s.workCount)
                let dims = (Int32(s.B), Int32(s.C), Int32(s.H), Int32(s.W), Int32(s.O), Int32(s.k), Int32(s.stride), Int32(s.pad))
                ck_conv2d_forward_bf16(y.pointer, col.pointer, work.pointer, scratch.pointer, t.x, t.w, t.b,
                                       dims.0, dims.1, dims.2, dims.3, dims.4, dims.5, dims.6, dims.7)
                let r = { (v: [Float]) in v.map { Double(BF16Reference.round($0)) } }
                let x = r(t.x), w = r(t.w), dy = r(t.dy), b = t.b.map(Double.init)
                let ref = ConvReference.conv(x: x, weight: w, bias: b, s)
                let size = ConvReference.conv(x: x.map(abs), weight: w.map(abs), bias: b.map(abs), s)
                let forwardTerms = s.C * s.k * s.k
                for i in ref.indices {
                    let bound = Double(forwardTerms + 2) * 0x1p-24 * size[i]
                    #expect(abs(Double(y.array[i]) - ref[i]) <= bound, "path \(BF16Reference.name(path)) \(s): y[\(i)]")
                }
                let dx = GuardedBuffer(count: s.xCount, fill: 0.25), dw = GuardedBuffer(count: s.weightCount, fill: 0.25)
                let db = GuardedBuffer(count: s.O, fill: 0.25), dcol = GuardedBuffer(count: s.colCount)
                ck_conv2d_backward_bf16(dx.pointer, dw.pointer, db.pointer, work.pointer, dcol.pointer, scratch.pointer, t.dy,
                                        col.pointer, t.w, dims.0, dims.1, dims.2, dims.3, dims.4, dims.5, dims.6, dims.7)
                let gx = ConvReference.convInputGradient(dy: dy, weight: w, s)
                let gxSize = ConvReference.convInputGradient(dy: dy.map(abs), weight: w.map(abs), s)
                let dxTerms = s.O * s.k * s.k
                for i in gx.indices {
                    let bound = Double(dxTerms + 2) * 0x1p-24 * (gxSize[i] + 0.25)
                    #expect(abs(Double(dx.array[i]) - (gx[i] + 0.25)) <= bound, "path \(BF16Reference.name(path)) \(s): dx[\(i)]")
                }
                // dW and db: the float32 kernel's, bit for bit.
                let f = t.backward(start: 0.25)
                #expect(dw.array == f.dw.array && db.array == f.db.array, "path \(BF16Reference.name(path)) \(s): dW, db")
                let intact = [y, col, work, scratch, dx, dw, db, dcol].allSatisfy { $0.sentinelsIntact }
                #expect(intact, "path \(BF16Reference.name(path)) \(s): write out of bounds")
            }
        }
    }

    /// im2col is a copy: exactly the definition's values (0 outside the image), through the stride phases and, for a
    /// plane too large for them (133x131 padded, over the kernel's 16,384-float stack buffer), the direct loops;
    /// stride 3 too. col2im is its adjoint: dx += Σ of the col entries that read each pixel, against a Float64 sum.
    @Test func im2colIsExactAndCol2imIsItsAdjoint() {
        let shapes = convShapes + [ConvShape(B: 2, C: 2, H: 131, W: 129, O: 1, k: 3, stride: 2, pad: 1),
                                   ConvShape(B: 2, C: 2, H: 10, W: 11, O: 1, k: 5, stride: 3, pad: 2)]
        Ref.forEachSIMDPath { path in
            for (n, s) in shapes.enumerated() {
                var rng = SeededRNG(seed: 300 + UInt64(n))
                let x = randomFloats(s.xCount, rng: &rng), dcol = randomFloats(s.colCount, rng: &rng)
                let col = GuardedBuffer(count: s.colCount, fill: .nan)
                ck_im2col(col.pointer, x, Int32(s.B), Int32(s.C), Int32(s.H), Int32(s.W), Int32(s.k), Int32(s.stride), Int32(s.pad))
                let ld = s.B * s.Ho * s.Wo
                var expected = [Float](repeating: 0, count: s.colCount)
                var adjoint = [Double](repeating: 0.25, count: s.xCount)
                for c in 0..<s.C { for i in 0..<s.k { for j in 0..<s.k { for b in 0..<s.B {
                    for oh in 0..<s.Ho { for ow in 0..<s.Wo {
                        let h = oh * s.stride - s.pad + i, w = ow * s.stride - s.pad + j
                        guard h >= 0, h < s.H, w >= 0, w < s.W else { continue }
                        let e = ((c * s.k + i) * s.k + j) * ld + (b * s.Ho + oh) * s.Wo + ow
                        let xi = ((b * s.C + c) * s.H + h) * s.W + w
                        expected[e] = x[xi]; adjoint[xi] += Double(dcol[e])
                    } }
                } } } }
                #expect(col.array.map(\.bitPattern) == expected.map(\.bitPattern), "path \(path) \(s): im2col")
                let dx = GuardedBuffer(count: s.xCount, fill: 0.25)
                ck_col2im(dx.pointer, dcol, Int32(s.B), Int32(s.C), Int32(s.H), Int32(s.W), Int32(s.k), Int32(s.stride), Int32(s.pad))
                // Each pixel sums at most ceil(k/s)^2 entries in [-1, 1]: float32 rounding, well under 1e-6 (floor 1).
                #expect(maxRelativeError(dx.array, adjoint, floor: 1) <= 1e-6, "path \(path) \(s): col2im")
                #expect(col.sentinelsIntact && dx.sentinelsIntact, "path \(path) \(s): write out of bounds")
            }
        }
    }

    /// A NULL gradient is skipped, and the others do not change because of it.
    @Test func nullGradientsAreSkipped() {
        let s = convShapes[2], t = ConvCase(s, seed: 7)
        let all = t.backward(start: 0)
        let f = convForward(s, x: t.x, w: t.w, b: t.b)
        let dw = GuardedBuffer(count: s.weightCount)
        ck_conv2d_backward(nil, dw.pointer, nil, f.work.pointer, nil, t.dy, f.col.pointer, t.w, Int32(s.B), Int32(s.C),
                           Int32(s.H), Int32(s.W), Int32(s.O), Int32(s.k), Int32(s.stride), Int32(s.pad))
        #expect(dw.array == all.dw.array)
    }

    /// Large enough that the products run in parallel panels and the copies in parallel: 1 and 2 threads give the same bits.
    @Test func oneAndTwoThreadsAgree() {
        Ref.simdPathLock.lock()
        let before = ck_get_threads()
        defer { ck_set_threads(before); Ref.simdPathLock.unlock() }
        let s = ConvShape(B: 16, C: 32, H: 16, W: 16, O: 64, k: 4, stride: 2, pad: 1), t = ConvCase(s, seed: 3)
        func run() -> [Float] {
            let f = convForward(s, x: t.x, w: t.w, b: t.b), k = t.backward(start: 0)
            return f.y.array + k.dx.array + k.dw.array + k.db.array
        }
        ck_set_threads(1); let one = run()
        ck_set_threads(2); let two = run()
        let bits = one.map(\.bitPattern) == two.map(\.bitPattern)
        #expect(bits, "1 vs 2 threads: max error \(maxRelativeError(two, one.map(Double.init), floor: 1)) (floor 1)")
    }

    /// LeakyReLU (slopes 0 and 0.2) forward and backward, in place too, at every tail size and SIMD path: exact.
    @Test func leakyReLUMatchesReference() {
        var rng = SeededRNG(seed: 41)
        Ref.forEachSIMDPath { path in
            for n in Ref.tailSizes + [40000] {
                for slope: Float in [0, 0.2] {
                    let x = randomFloats(n, rng: &rng), dy = randomFloats(n, rng: &rng)
                    let y = GuardedBuffer(count: n)
                    ck_leaky_relu_forward(y.pointer, x, n, slope)
                    let ref = ConvReference.leakyReLU(x.map(Double.init), slope: Double(slope))
                    #expect(maxRelativeError(y.array, ref, floor: 1) <= 1e-7, "path \(path) n \(n) slope \(slope)")
                    let dx = GuardedBuffer(count: n, fill: 1)
                    ck_leaky_relu_backward(dx.pointer, dy, y.pointer, n, slope)
                    let refD = (0..<n).map { 1 + (x[$0] > 0 ? Double(dy[$0]) : Double(slope) * Double(dy[$0])) }
                    #expect(maxRelativeError(dx.array, refD, floor: 1) <= 1e-7, "path \(path) n \(n) slope \(slope): backward")
                    let inPlace = GuardedBuffer(x)
                    ck_leaky_relu_forward(inPlace.pointer, inPlace.pointer, n, slope)
                    #expect(inPlace.array == y.array && y.sentinelsIntact && dx.sentinelsIntact && inPlace.sentinelsIntact)
                }
            }
        }
    }

    /// sigmoid backward: dx += dy y (1 − y), checked against the central difference of the Float64 sigmoid.
    @Test func sigmoidBackwardMatchesCentralDifference() {
        var rng = SeededRNG(seed: 43)
        Ref.forEachSIMDPath { path in
            for P in Ref.tailSizes {
                let B = 2, pre = randomFloats(B * P, in: -6...6, rng: &rng), dy = randomFloats(B * P, rng: &rng)
                let y = GuardedBuffer(count: B * P)
                ck_sigmoid_forward(y.pointer, nil, pre, Int32(B), Int32(P))
                let dx = GuardedBuffer(count: B * P, fill: 0.5)
                ck_sigmoid_backward(dx.pointer, dy, y.pointer, Int32(B), Int32(P))
                let ref = (0..<(B * P)).map { i in
                    0.5 + Double(dy[i]) * (Ref.sigmoid(Double(pre[i]) + 1e-5) - Ref.sigmoid(Double(pre[i]) - 1e-5)) / 2e-5
                }
                #expect(maxRelativeError(dx.array, ref, floor: 1) <= 1e-6, "path \(path) P \(P)")
                #expect(dx.sentinelsIntact, "path \(path) P \(P)")
            }
        }
    }

    /// Squared distance per image against Float64 (1e-6 relative, floor 1) and its backward against central differences.
    @Test func sqdistMatchesReference() {
        var rng = SeededRNG(seed: 47)
        Ref.forEachSIMDPath { path in
            for P in Ref.tailSizes + [1000] {
                let B = 3, a = randomFloats(B * P, rng: &rng), t = randomFloats(B * P, rng: &rng)
                let loss = GuardedBuffer(count: B)
                ck_sqdist_forward(loss.pointer, a, t, Int32(B), Int32(P))
                let a64 = a.map(Double.init), t64 = t.map(Double.init)
                #expect(maxRelativeError(loss.array, ConvReference.sqdist(a64, t64, B: B, P: P), floor: 1) <= 1e-6,
                        "path \(path) P \(P)")
                let dl: [Float] = [1, -0.5, 2], da = GuardedBuffer(count: B * P)
                ck_sqdist_backward(da.pointer, dl, a, t, Int32(B), Int32(P))
                let ref = (0..<(B * P)).map { i in
                    Double(dl[i / P]) * centralDifference({ ConvReference.sqdist($0, t64, B: B, P: P)[i / P] }, at: a64,
                                                          index: i, h: 1e-4)
                }
                #expect(maxRelativeError(da.array, ref, floor: 1) <= 1e-6, "path \(path) P \(P): backward")
                #expect(loss.sentinelsIntact && da.sentinelsIntact)
            }
        }
    }
}

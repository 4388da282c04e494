// LossTests.swift: xhat, sigmoid-with-sums, BCE and L2 kernels against Float64 references, on every SIMD path.
import CKernels
import DRAWTestSupport
import Testing

private typealias Ref = PointwiseReference

/// Per-image row lengths: every SIMD tail, several vectors, and rows longer than the kernel's 256-float block.
private let lossSizes = Ref.tailSizes + [1000]

private struct LossCase {
    let B: Int, P: Int
    let canvas: [Float], x: [Float]
    init(B: Int, P: Int, rng: inout SeededRNG) {
        self.B = B; self.P = P
        canvas = randomFloats(B * P, in: -8...8, rng: &rng)
        x = randomFloats(B * P, in: 0...1, rng: &rng)
    }
    var c64: [Double] { canvas.map(Double.init) }
    var x64: [Double] { x.map(Double.init) }
}

enum PointwiseLossKind: CaseIterable { case bce, l2 }

private func lossKernel(_ kind: PointwiseLossKind, _ t: LossCase) -> GuardedBuffer {
    let loss = GuardedBuffer(count: t.B), c = GuardedBuffer(t.canvas), x = GuardedBuffer(t.x)
    switch kind {
    case .bce: ck_bce_forward(loss.pointer, c.pointer, x.pointer, Int32(t.B), Int32(t.P))
    case .l2: ck_l2_forward(loss.pointer, c.pointer, x.pointer, Int32(t.B), Int32(t.P))
    }
    return loss
}

private func lossBackward(_ kind: PointwiseLossKind, _ t: LossCase, dloss: [Float], into d: GuardedBuffer) {
    let c = GuardedBuffer(t.canvas), x = GuardedBuffer(t.x), dl = GuardedBuffer(dloss)
    switch kind {
    case .bce: ck_bce_backward(d.pointer, dl.pointer, c.pointer, x.pointer, Int32(t.B), Int32(t.P))
    case .l2: ck_l2_backward(d.pointer, dl.pointer, c.pointer, x.pointer, Int32(t.B), Int32(t.P))
    }
}

private func lossReference(_ kind: PointwiseLossKind, canvas: [Double], x: [Double], B: Int, P: Int) -> [Double] {
    switch kind {
    case .bce: Ref.bce(canvas: canvas, x: x, B: B, P: P)
    case .l2: Ref.l2(canvas: canvas, x: x, B: B, P: P)
    }
}

@Suite(.serialized) struct LossTests {
    /// xhat = x - sigmoid(c): one subtraction after a 1-3 ulp sigmoid, absolute floor 1 (bound 1e-6).
    @Test func xhatForwardMatchesReference() {
        var rng = SeededRNG(seed: 31)
        Ref.forEachSIMDPath { path in
            for P in lossSizes {
                let t = LossCase(B: 3, P: P, rng: &rng)
                let out = GuardedBuffer(count: t.B * P), x = GuardedBuffer(t.x), c = GuardedBuffer(t.canvas)
                ck_xhat_forward(out.pointer, x.pointer, c.pointer, Int32(t.B), Int32(P))
                let e = maxRelativeError(out.array, Ref.xhat(x: t.x64, canvas: t.c64), floor: 1)
                #expect(e <= 1e-6, "path \(path) P \(P): \(e)")
                #expect(out.sentinelsIntact, "path \(path) P \(P): write outside xhat")
            }
        }
    }

    /// L = sum dxhat . xhat(c), central differences with step 1e-6 in Float64; the kernel gets x and the C forward's
    /// xhat (sigmoid(c) = x - xhat); within 2e-6, floor 1.
    @Test func xhatBackwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 32)
        Ref.forEachSIMDPath { path in
            for P in [1, 5, 16, 17, 33] {
                let t = LossCase(B: 2, P: P, rng: &rng)
                let dx = randomFloats(t.B * P, rng: &rng), d0 = randomFloats(t.B * P, rng: &rng)
                let d = GuardedBuffer(d0), dxB = GuardedBuffer(dx), c = GuardedBuffer(t.canvas)
                let x = GuardedBuffer(t.x), xhat = GuardedBuffer(count: t.B * P)
                ck_xhat_forward(xhat.pointer, x.pointer, c.pointer, Int32(t.B), Int32(P))
                ck_xhat_backward(d.pointer, dxB.pointer, x.pointer, xhat.pointer, Int32(t.B), Int32(P))
                let f: ([Double]) -> Double = { cv in
                    zip(dx, Ref.xhat(x: t.x64, canvas: cv)).reduce(0) { $0 + Double($1.0) * $1.1 }
                }
                let fd = t.c64.indices.map { centralDifference(f, at: t.c64, index: $0, h: 1e-6) }
                let got = zip(d.array, d0).map { Double($0) - Double($1) }
                let e = maxRelativeError(got, fd, floor: 1)
                #expect(e <= 2e-6, "path \(path) P \(P): \(e)")
                #expect(d.sentinelsIntact)
            }
        }
    }

    /// sigmoid to 1e-6 relative (floor 1e-3); the float64 sums of the kernel's own outputs to 1e-6 of the
    /// reference sum (each term is within a few ulp, all positive).
    @Test func sigmoidForwardAndSums() {
        var rng = SeededRNG(seed: 33)
        Ref.forEachSIMDPath { path in
            for P in lossSizes {
                let t = LossCase(B: 3, P: P, rng: &rng)
                let out = GuardedBuffer(count: t.B * P), inp = GuardedBuffer(t.canvas)
                var sums = [Double](repeating: .nan, count: t.B + 2)
                sums.withUnsafeMutableBufferPointer { s in
                    ck_sigmoid_forward(out.pointer, s.baseAddress! + 1, inp.pointer, Int32(t.B), Int32(P))
                }
                let ref = t.c64.map(Ref.sigmoid)
                let refSums = (0..<t.B).map { b in ref[(b * P)..<((b + 1) * P)].reduce(0, +) }
                let e = maxRelativeError(out.array, ref, floor: 1e-3)
                let es = maxRelativeError(Array(sums[1...t.B]), refSums)
                #expect(e <= 1e-6 && es <= 1e-6, "path \(path) P \(P): sigmoid \(e) sums \(es)")
                #expect(sums[0].isNaN && sums[t.B + 1].isNaN && out.sentinelsIntact, "path \(path) P \(P)")
                let noSums = GuardedBuffer(count: t.B * P)
                ck_sigmoid_forward(noSums.pointer, nil, inp.pointer, Int32(t.B), Int32(P))
                #expect(noSums.array == out.array, "sums NULL must not change the outputs")
            }
        }
    }

    /// Per-image losses are float64 sums of float32 terms; a term like max(c,0) - x c loses up to ~1e-6 of
    /// itself to the rounding of x c, so the per-image bound is 2e-6 relative.
    @Test(arguments: PointwiseLossKind.allCases) func lossForwardMatchesReference(kind: PointwiseLossKind) {
        var rng = SeededRNG(seed: 34)
        Ref.forEachSIMDPath { path in
            for P in lossSizes {
                let t = LossCase(B: 3, P: P, rng: &rng)
                let loss = lossKernel(kind, t)
                let ref = lossReference(kind, canvas: t.c64, x: t.x64, B: t.B, P: P)
                let e = maxRelativeError(loss.array, ref)
                #expect(e <= 2e-6, "\(kind) path \(path) P \(P): \(e)")
                #expect(loss.sentinelsIntact, "\(kind) path \(path) P \(P): write outside loss")
            }
        }
    }

    /// L = sum_b dloss_b loss_b by central differences (step 1e-6) of the Float64 reference; kernel within
    /// 2e-6, absolute below 1 and relative above (floor 1); dcanvas starts nonzero (accumulation).
    @Test(arguments: PointwiseLossKind.allCases) func lossBackwardMatchesFiniteDifferences(kind: PointwiseLossKind) {
        var rng = SeededRNG(seed: 35)
        Ref.forEachSIMDPath { path in
            for P in [1, 7, 16, 31, 33] {
                let t = LossCase(B: 2, P: P, rng: &rng)
                let dloss = randomFloats(t.B, in: 0.5...2, rng: &rng), d0 = randomFloats(t.B * P, rng: &rng)
                let d = GuardedBuffer(d0)
                lossBackward(kind, t, dloss: dloss, into: d)
                let f: ([Double]) -> Double = { cv in
                    zip(dloss, lossReference(kind, canvas: cv, x: t.x64, B: t.B, P: P))
                        .reduce(0) { $0 + Double($1.0) * $1.1 }
                }
                let fd = t.c64.indices.map { centralDifference(f, at: t.c64, index: $0, h: 1e-6) }
                let got = zip(d.array, d0).map { Double($0) - Double($1) }
                let e = maxRelativeError(got, fd, floor: 1)
                #expect(e <= 2e-6, "\(kind) path \(path) P \(P): \(e)")
                #expect(d.sentinelsIntact)
            }
        }
    }

    /// Logits of +-100 and +-1e4 against x in {0, 0.5, 1}: finite losses equal to the reference (for BCE
    /// they are exactly (1 - x) c or -x c there) and finite gradients equal to dloss (sigmoid(c) - x) etc.
    @Test(arguments: PointwiseLossKind.allCases) func saturatedLogitsStayFinite(kind: PointwiseLossKind) {
        Ref.forEachSIMDPath { path in
            let logits: [Float] = [100, -100, 1e4, -1e4, 88.7, -88.7, 104, -104]
            let targets: [Float] = [0, 0.5, 1]
            let P = logits.count * targets.count
            let canvas = (0..<P).map { logits[$0 % logits.count] }
            let x = (0..<P).map { targets[$0 / logits.count] }
            let t = LossCase(B: 1, P: P, canvas: canvas, x: x)
            let loss = lossKernel(kind, t)
            let ref = lossReference(kind, canvas: t.c64, x: t.x64, B: 1, P: P)
            #expect(loss.array.allSatisfy { $0.isFinite }, "\(kind) path \(path): loss \(loss.array)")
            #expect(maxRelativeError(loss.array, ref) <= 2e-6, "\(kind) path \(path): \(loss.array) vs \(ref)")
            let d = GuardedBuffer(count: P)
            lossBackward(kind, t, dloss: [1], into: d)
            let refGrad = zip(t.c64, t.x64).map { c, x -> Double in
                let s = Ref.sigmoid(c)
                return kind == .bce ? s - x : (s - x) * s * (1 - s)
            }
            #expect(d.array.allSatisfy { $0.isFinite }, "\(kind) path \(path): gradient \(d.array)")
            #expect(maxRelativeError(d.array, refGrad, floor: 1e-3) <= 1e-6, "\(kind) path \(path): gradient")
        }
    }

    @Test func oneAndTwoThreadsAgree() {
        Ref.simdPathLock.lock()  // the thread count is process-wide: set and restore it under the kernel-state lock
        let saved = ck_get_threads()
        defer { ck_set_threads(saved); Ref.simdPathLock.unlock() }
        var rng = SeededRNG(seed: 36)
        let t = LossCase(B: 9, P: 1000, rng: &rng)
        let dloss = randomFloats(t.B, rng: &rng)
        Ref.forEachSIMDPath { path in
            var results: [[Float]] = []
            var sums: [[Double]] = []
            for n in [1, 2] {
                ck_set_threads(Int32(n))
                var r: [Float] = []
                for kind in PointwiseLossKind.allCases {
                    r += lossKernel(kind, t).array
                    let d = GuardedBuffer(count: t.B * t.P)
                    lossBackward(kind, t, dloss: dloss, into: d)
                    r += d.array
                }
                let out = GuardedBuffer(count: t.B * t.P), c = GuardedBuffer(t.canvas), x = GuardedBuffer(t.x)
                var s = [Double](repeating: 0, count: t.B)
                ck_sigmoid_forward(out.pointer, &s, c.pointer, Int32(t.B), Int32(t.P))
                ck_xhat_forward(out.pointer, x.pointer, c.pointer, Int32(t.B), Int32(t.P))
                r += out.array
                let xhat = GuardedBuffer(out.array)
                ck_xhat_backward(out.pointer, x.pointer, x.pointer, xhat.pointer, Int32(t.B), Int32(t.P))
                r += out.array
                results.append(r)
                sums.append(s)
            }
            #expect(Ref.agree(results[0], results[1]), "path \(path)")
            #expect(maxRelativeError(sums[0], sums[1]) <= 1e-6, "path \(path)")
        }
    }
}

extension LossCase {
    fileprivate init(B: Int, P: Int, canvas: [Float], x: [Float]) {
        self.B = B; self.P = P; self.canvas = canvas; self.x = x
    }
}

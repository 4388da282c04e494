// AdamTests.swift: the fused Adam step against a Float64 PyTorch formula, and the sum-of-squares / non-finite helpers.
import CKernels
import DRAWTestSupport
import Testing

private typealias Ref = PointwiseReference

@Suite(.serialized) struct AdamTests {
    /// Six steps with gradients that cross the clip, for (clip 5, gscale 0.7) and (no clip, gscale 1).
    /// Parameters are O(1) and move by ~lr per step: compared absolutely (floor 1) within 1e-6. m is a
    /// decaying sum of signed gradients that can cancel to ~0, so it is compared on the gradients' scale
    /// (floor 12, their range) within 1e-6; v is a positive sum, relative (floor 1e-9) within 1e-5.
    /// n = 40000 spans several of the kernel's OpenMP chunks.
    /// The reference gets the float hyperparameters the kernel gets: 1 - Float(0.999) is 1.3e-5 away from
    /// 0.001, which would otherwise show up in v.
    @Test func matchesPyTorchFormulaOverSteps() {
        let lr: Float = 1e-3, b1: Float = 0.5, b2: Float = 0.999, eps: Float = 1e-8
        var rng = SeededRNG(seed: 41)
        Ref.forEachSIMDPath { path in
            for n in Ref.tailSizes + [40_000] {
                for (clip, gscale) in [(Float(5), Float(0.7)), (Float(0), Float(1))] {
                    let p0 = randomFloats(n, in: -1...1, rng: &rng)
                    let p = GuardedBuffer(p0), m = GuardedBuffer(count: n), v = GuardedBuffer(count: n)
                    var rp = p0.map(Double.init), rm = [Double](repeating: 0, count: n), rv = rm
                    for step in 1...6 {
                        let g = randomFloats(n, in: -12...12, rng: &rng)
                        let gB = GuardedBuffer(g)
                        ck_adam_update(p.pointer, m.pointer, v.pointer, gB.pointer, n, lr, b1, b2, eps,
                                       clip, gscale, Int64(step))
                        Ref.adamStep(p: &rp, m: &rm, v: &rv, g: g.map(Double.init), lr: Double(lr),
                                     beta1: Double(b1), beta2: Double(b2), eps: Double(eps), clip: Double(clip),
                                     gscale: Double(gscale), step: step)
                    }
                    let ep = maxRelativeError(p.array, rp, floor: 1)
                    let em = maxRelativeError(m.array, rm, floor: 12)
                    let ev = maxRelativeError(v.array, rv, floor: 1e-9)
                    #expect(ep <= 1e-6 && em <= 1e-6 && ev <= 1e-5,
                            "path \(path) n \(n) clip \(clip): p \(ep) m \(em) v \(ev)")
                    #expect(p.sentinelsIntact && m.sentinelsIntact && v.sentinelsIntact, "path \(path) n \(n)")
                }
            }
        }
    }

    /// The clip acts on gscale * g: a gradient of 1e6 at gscale 0.5 moves m by exactly (1 - b1) * clip.
    @Test func clipAppliesAfterScale() {
        let p = GuardedBuffer([0, 0]), m = GuardedBuffer(count: 2), v = GuardedBuffer(count: 2)
        let g = GuardedBuffer([1e6, -4])
        ck_adam_update(p.pointer, m.pointer, v.pointer, g.pointer, 2, 1e-3, 0.5, 0.999, 1e-8, 5, 0.5, 1)
        #expect(m.array == [2.5, -1])
        #expect(abs(p.array[0] + 1e-3) < 1e-9 && abs(p.array[1] - 1e-3) < 1e-9, "first step moves by lr: \(p.array)")
    }

    @Test func oneAndTwoThreadsAgree() {
        let saved = ck_get_threads()
        defer { ck_set_threads(saved) }
        var rng = SeededRNG(seed: 42)
        let n = 100_003
        let p0 = randomFloats(n, rng: &rng), g = GuardedBuffer(randomFloats(n, in: -8...8, rng: &rng))
        Ref.forEachSIMDPath { path in
            var results: [[Float]] = []
            var sums: [Double] = []
            for threads in [1, 2] {
                ck_set_threads(Int32(threads))
                let p = GuardedBuffer(p0), m = GuardedBuffer(count: n), v = GuardedBuffer(count: n)
                for step in 1...3 {
                    ck_adam_update(p.pointer, m.pointer, v.pointer, g.pointer, n, 1e-3, 0.5, 0.999, 1e-8, 5, 1, Int64(step))
                }
                results.append(p.array + m.array + v.array)
                sums.append(ck_sum_squares(g.pointer, n))
            }
            #expect(Ref.agree(results[0], results[1]), "path \(path)")
            #expect(sums[0] == sums[1], "path \(path): sum of squares must not depend on the thread count")
        }
    }

    /// Float products are exact in double, so only the ordered double additions round: within 1e-12
    /// relative of the reference, and the same bits on every SIMD path.
    @Test func sumSquaresIsFloat64AndPathIndependent() {
        var rng = SeededRNG(seed: 43)
        for n in [0, 1, 7, 8, 9, 33, 1000, 70_001, 200_000] {
            let g = randomFloats(n, in: -3...3, rng: &rng)
            let ref = g.reduce(0.0) { $0 + Double($1) * Double($1) }
            var perPath: [Double] = []
            Ref.forEachSIMDPath { path in
                let s = g.withUnsafeBufferPointer { ck_sum_squares($0.baseAddress, n) }
                #expect(abs(s - ref) <= 1e-12 * max(ref, 1e-300), "path \(path) n \(n): \(s) vs \(ref)")
                perPath.append(s)
            }
            #expect(Set(perPath).count <= 1, "n \(n): paths differ \(perPath)")
        }
    }

    @Test func countNonfiniteFindsNaNAndInfOnly() {
        let n = 100_000
        var g = [Float](repeating: 1, count: n)
        let bad: [Int: Float] = [0: .nan, 17: .infinity, 65_536: -.infinity, 99_999: .nan,
                                 50_000: Float(bitPattern: 0xFFC0_0001)]
        for (i, x) in bad { g[i] = x }
        g[5] = .greatestFiniteMagnitude; g[6] = -.greatestFiniteMagnitude
        g[7] = .leastNonzeroMagnitude; g[8] = -0.0
        #expect(ck_count_nonfinite(g, n) == bad.count)
        #expect(ck_count_nonfinite(g, 17) == 1)
        #expect(ck_count_nonfinite(g, 0) == 0)
    }
}

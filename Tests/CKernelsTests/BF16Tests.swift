// BF16Tests.swift: bf16 rounding, bf16 panels, and the bf16 packed product against a Float64 reference on every bf16 path.
import CKernels
import DRAWTestSupport
import Testing

/// A uint16 buffer with sentinel words on both sides (GuardedBuffer's idea for packed bf16 panels).
private final class GuardedWords {
    static let pad = 16, sentinel: UInt16 = 0xBEEF
    let count: Int
    private var storage: [UInt16]
    init(count: Int, fill: UInt16 = 0) {
        self.count = count
        storage = [UInt16](repeating: Self.sentinel, count: count + 2 * Self.pad)
        for i in 0..<count { storage[Self.pad + i] = fill }
    }
    func with<R>(_ body: (UnsafeMutablePointer<UInt16>) -> R) -> R {
        storage.withUnsafeMutableBufferPointer { body($0.baseAddress! + Self.pad) }
    }
    var array: [UInt16] { Array(storage[Self.pad..<(Self.pad + count)]) }
    var sentinelsIntact: Bool {
        storage[..<Self.pad].allSatisfy { $0 == Self.sentinel } && storage[(Self.pad + count)...].allSatisfy { $0 == Self.sentinel }
    }
}

@Suite(.serialized) struct BF16Tests {
    /// The float32 sum's error bound over K exact products plus the bias and the old C (any summation order,
    /// Higham's γ_n ≈ n u): |computed − exact| ≤ (K + 2) u Σ |terms|, u = 2^-24, with exact the Float64 sum of
    /// the bf16-rounded inputs' products.
    static func bound(K: Int, magnitude: Double) -> Double { Double(K + 2) * 0x1p-24 * magnitude }

    static func rounded(_ x: Float) -> Double { Double(BF16Reference.round(x)) }

    @Test func roundingIsNearestEvenAsVcvtneps2bf16() {
        let edges: [Float] = [0, -0.0, 1, -1, 1.00390625, 1.005859375, 1.001953125, 1.0029296875, .pi, -.pi,
                              .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 3.3961776e38, .infinity,
                              -.infinity, .leastNormalMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                              Float(bitPattern: 0x0004_2000), 65504, 0.1, -0.3]
        var rng = SeededRNG(seed: 21)
        let random = (0..<20000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
        for x in edges + random {
            let got = ck_bf16_to_float(ck_bf16_from_float(x)), want = BF16Reference.round(x)
            if x.isNaN {
                #expect(got.isNaN, "\(x.bitPattern): NaN must stay NaN")
            } else {
                #expect(got.bitPattern == want.bitPattern, "x bits \(String(x.bitPattern, radix: 16)): got \(got), want \(want)")
            }
        }
        // Ties: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 and goes to the even 1; 1 + 3·2^-8 goes up to 1 + 2^-6.
        #expect(ck_bf16_to_float(ck_bf16_from_float(1.00390625)) == 1)
        #expect(ck_bf16_to_float(ck_bf16_from_float(1.01171875)) == 1.015625)
    }

    /// Shapes around every tile: rows around 4 (AVX2), 6 (AVX-512) and 16 (AMX), columns around 8/16-lane
    /// vectors and 64-column panels, K odd and even, tails of the 32-k AMX block.
    static let shapes: [(M: Int, K: Int, N: Int)] = [
        (1, 1, 1), (3, 5, 15), (4, 17, 16), (7, 33, 17), (13, 8, 63), (16, 20, 64), (17, 31, 65), (33, 5, 130),
        (6, 64, 9), (5, 2, 33),
    ] + (1...33).map { (5, $0, 20) } + (1...33).map { (3, 7, $0) }

    /// y = b + x W[k0 : k0 + K]ᵀ (or y += ..., with or without the bias) through ck_pack_transposed_rows_bf16 into
    /// a (Kp, N) stack at row k0 (odd and even), against Float64 on the rounded inputs.
    @Test func productMatchesFloat64OnEveryPath() {
        var rng = SeededRNG(seed: 22)
        for (si, (M, K, N)) in Self.shapes.enumerated() {
            let k0 = [0, 1, 2, 5][si % 4], Kp = k0 + K + 3, ldw = K + 2, ldx = K + 1, ldy = N + 4
            let W = randomFloats(N * ldw, rng: &rng), x = randomFloats(M * ldx, rng: &rng)
            let b = randomFloats(N, rng: &rng)
            let packed = GuardedWords(count: Int(ck_packed_size_bf16(Kp.i32, N.i32)))
            packed.with { ck_pack_transposed_rows_bf16($0, Kp.i32, k0.i32, W, ldw.i32, K.i32, N.i32) }
            #expect(packed.sentinelsIntact, "pack \(M)x\(K)x\(N)")
            var scratch = [Float](repeating: .nan, count: ck_bf16_scratch_floats(M.i32, K.i32))
            BF16Reference.forEachPath { path in
                for (accumulate, withBias): (Int32, Bool) in [(0, true), (1, true), (1, false), (0, false)] {
                    let y0 = randomFloats(M * ldy, rng: &rng)
                    let y = GuardedBuffer(y0)
                    packed.with { P in
                        ck_gemm_packed_bf16(y.pointer, ldy.i32, x, ldx.i32, P, Kp.i32, k0.i32, M.i32, N.i32, K.i32,
                                            accumulate, withBias ? b : nil, &scratch)
                    }
                    var worst = 0.0
                    for i in 0..<M {
                        for j in 0..<N {
                            var exact = (withBias ? Double(b[j]) : 0) + (accumulate == 1 ? Double(y0[i * ldy + j]) : 0)
                            var magnitude = abs(exact)
                            for k in 0..<K {
                                let t = Self.rounded(x[i * ldx + k]) * Self.rounded(W[j * ldw + k])
                                exact += t; magnitude += abs(t)
                            }
                            let e = abs(Double(y.pointer[i * ldy + j]) - exact) / Self.bound(K: K, magnitude: magnitude)
                            worst = max(worst, e.isNaN ? .infinity : e)
                        }
                    }
                    let what = "bf16 path \(BF16Reference.name(path)) \(M)x\(K)x\(N) k0 \(k0) acc \(accumulate) bias \(withBias)"
                    #expect(worst <= 1, "\(what): error / bound \(worst)")
                    #expect(y.sentinelsIntact, "\(what)")
                    #expect((0..<M).allSatisfy { i in (N..<ldy).allSatisfy { y.pointer[i * ldy + $0] == y0[i * ldy + $0] } },
                            "\(what): the gaps between rows are not outputs")
                }
            }
        }
    }

    /// AVX2 widens the same rounded inputs and sums each output with FMAs in nn_scalar's order; the products are
    /// exact, so the two paths give the same bits.
    @Test func avx2GivesTheScalarBits() {
        var rng = SeededRNG(seed: 23)
        for (M, K, N) in [(7, 33, 17), (17, 64, 130), (100, 75, 64), (5, 1, 3)] {
            let W = randomFloats(N * K, rng: &rng), x = randomFloats(M * K, rng: &rng), b = randomFloats(N, rng: &rng)
            var P = [UInt16](repeating: 0, count: Int(ck_packed_size_bf16((K + 1).i32, N.i32)))
            ck_pack_transposed_rows_bf16(&P, (K + 1).i32, 1, W, K.i32, K.i32, N.i32)
            var scratch = [Float](repeating: 0, count: ck_bf16_scratch_floats(M.i32, K.i32))
            var outs: [Int32: [Float]] = [:]
            BF16Reference.forEachPath { path in
                guard path <= Int32(CK_BF16_AVX2) else { return }
                var y = [Float](repeating: .nan, count: M * N)
                ck_gemm_packed_bf16(&y, N.i32, x, K.i32, P, (K + 1).i32, 1, M.i32, N.i32, K.i32, 0, b, &scratch)
                outs[path] = y
            }
            guard let avx2 = outs[Int32(CK_BF16_AVX2)] else { print("avx2 bf16 path not on this CPU: bit test skipped"); return }
            #expect(avx2.map(\.bitPattern) == outs[Int32(CK_BF16_SCALAR)]!.map(\.bitPattern), "\(M)x\(K)x\(N)")
        }
    }

    /// ck_pack_bf16 puts element (k, n) at [n / 64][k / 2][n % 64][k % 2], rounded; everything else is zero.
    @Test func packLayoutAndPadding() {
        var rng = SeededRNG(seed: 24)
        for (K, N) in [(1, 1), (5, 70), (32, 64), (33, 129)] {
            let ldw = N + 3, W = randomFloats(K * ldw, rng: &rng)
            let packed = GuardedWords(count: Int(ck_packed_size_bf16(K.i32, N.i32)), fill: 0xFFFF)
            packed.with { ck_pack_bf16($0, W, ldw.i32, K.i32, N.i32) }
            #expect(packed.sentinelsIntact)
            let pairs = Int(ck_bf16_panel_pairs(K.i32)), panel = pairs * 2 * Int(CK_PACK_COLS)
            var want = [UInt16](repeating: 0, count: packed.count)
            for k in 0..<K {
                for n in 0..<N {
                    want[(n / 64) * panel + (k / 2) * 128 + (n % 64) * 2 + k % 2] = ck_bf16_from_float(W[k * ldw + n])
                }
            }
            #expect(packed.array == want, "\(K)x\(N)")
        }
    }

    /// Large enough to split over panels and row blocks: 1 and 2 threads give the same bits on every bf16 path.
    @Test func oneAndTwoThreadsGiveTheSameBits() {
        PointwiseReference.simdPathLock.lock()
        let before = ck_get_threads()
        defer { ck_set_threads(before); PointwiseReference.simdPathLock.unlock() }
        var rng = SeededRNG(seed: 25)
        for (M, K, N) in [(100, 64, 200), (100, 257, 35)] {
            let W = randomFloats(N * K, rng: &rng), x = randomFloats(M * K, rng: &rng), b = randomFloats(N, rng: &rng)
            var P = [UInt16](repeating: 0, count: Int(ck_packed_size_bf16(K.i32, N.i32)))
            ck_pack_transposed_rows_bf16(&P, K.i32, 0, W, K.i32, K.i32, N.i32)
            var scratch = [Float](repeating: 0, count: ck_bf16_scratch_floats(M.i32, K.i32))
            BF16Reference.forEachPath { path in
                var outs: [[Float]] = []
                for threads: Int32 in [1, 2] {
                    ck_set_threads(threads)
                    var y = [Float](repeating: .nan, count: M * N)
                    ck_gemm_packed_bf16(&y, N.i32, x, K.i32, P, K.i32, 0, M.i32, N.i32, K.i32, 0, b, &scratch)
                    outs.append(y)
                }
                #expect(outs[0].map(\.bitPattern) == outs[1].map(\.bitPattern), "bf16 path \(BF16Reference.name(path)) \(M)x\(K)x\(N)")
                #expect(outs[0].allSatisfy { $0.isFinite })
            }
        }
    }

    /// K = 0: C = bias, C += bias, C = 0, or C left alone.
    @Test func emptyInnerDimension() {
        let C = GuardedBuffer(count: 6, fill: 3)
        let P = [UInt16](repeating: 0, count: Int(ck_packed_size_bf16(1, 6)))
        let b: [Float] = [1, 2, 3, 4, 5, 6]
        ck_gemm_packed_bf16(C.pointer, 6, [1], 1, P, 1, 0, 1, 6, 0, 1, nil, nil)
        #expect(C.array == [Float](repeating: 3, count: 6))
        ck_gemm_packed_bf16(C.pointer, 6, [1], 1, P, 1, 0, 1, 6, 0, 1, b, nil)
        #expect(C.array == b.map { $0 + 3 })
        ck_gemm_packed_bf16(C.pointer, 6, [1], 1, P, 1, 0, 1, 6, 0, 0, nil, nil)
        #expect(C.array == [Float](repeating: 0, count: 6))
        #expect(C.sentinelsIntact)
    }
}

// PackedGemmTests.swift: packed-weight products against a Float64 reference on every SIMD path, tails, K slices, threads.
import Testing
import CKernels
import DRAWTestSupport

@Suite(.serialized) struct PackedGemmTests {
    /// Float32 forward error bound of a K-term dot product (Higham's γ_K, doubled for the bias add and the
    /// accumulated C): |computed − exact| ≤ 2 (K + 2) u Σ |terms|, u = 2^-24.
    static func bound(K: Int, magnitude: Double) -> Double { 2 * Double(K + 2) * 0x1p-24 * magnitude }

    /// max over outputs of |got(i, j) − exact| / bound, exact = c0(i, j) + Σ_k a(i, k) w(k, j) in Float64.
    static func worstOverBound(M: Int, K: Int, N: Int, got: (Int, Int) -> Float, c0: (Int, Int) -> Double,
                               a: (Int, Int) -> Float, w: (Int, Int) -> Float) -> Double {
        var worst = 0.0
        for i in 0..<M {
            for j in 0..<N {
                var exact = c0(i, j), magnitude = abs(exact)
                for k in 0..<K {
                    let t = Double(a(i, k)) * Double(w(k, j))
                    exact += t; magnitude += abs(t)
                }
                worst = max(worst, abs(Double(got(i, j)) - exact) / bound(K: K, magnitude: magnitude))
            }
        }
        return worst
    }

    /// Shapes that hit every tail: rows around the 6-row tile, columns around 16-lane vectors and 64-column panels.
    static let shapes: [(M: Int, K: Int, N: Int)] = [
        (1, 1, 1), (5, 3, 15), (6, 17, 16), (7, 33, 17), (13, 8, 63), (12, 20, 64), (33, 5, 65), (19, 31, 130),
    ]

    /// y = b + x W[:, :K]ᵀ through ck_pack_transposed (packed with Kp = K + 3 rows, of which K are used).
    @Test func linearForwardPackedMatchesFloat64() {
        var rng = SeededRNG(seed: 11)
        for (M, K, N) in Self.shapes {
            let Kp = K + 3, ldw = Kp + 2, ldx = K + 1, ldy = N + 4
            let W = randomFloats(N * ldw, rng: &rng), x = randomFloats(M * ldx, rng: &rng)
            let b = randomFloats(N, rng: &rng)
            let packed = GuardedBuffer(count: ck_packed_size(Kp.i32, N.i32), fill: .nan)
            ck_pack_transposed(packed.pointer, W, ldw.i32, Kp.i32, N.i32)
            #expect(packed.sentinelsIntact, "pack \(M)x\(K)x\(N)")
            // Element i is column (i / (Kp·64))·64 + i % 64 of the packed matrix: past N it is zero padding.
            let panelWidth = Int(CK_PACK_COLS)
            let padding = packed.array.enumerated().filter { i, _ in (i / (Kp * panelWidth)) * panelWidth + i % panelWidth >= N }
            #expect(padding.allSatisfy { $0.element == 0 }, "pack \(M)x\(K)x\(N): padding past N")
            PointwiseReference.forEachSIMDPath { path in
                for accumulate: Int32 in [0, 1] {
                    let y0 = randomFloats(M * ldy, rng: &rng)
                    let y = GuardedBuffer(y0)
                    ck_linear_forward_packed(y.pointer, ldy.i32, x, ldx.i32, packed.pointer, Kp.i32, b, M.i32, K.i32,
                                             N.i32, accumulate)
                    // The bias and the old y enter as one term c0 = b + y0, as the kernel adds them before the products.
                    let worst = Self.worstOverBound(
                        M: M, K: K, N: N, got: { y.pointer[$0 * ldy + $1] },
                        c0: { i, j in Double(b[j]) + (accumulate == 1 ? Double(y0[i * ldy + j]) : 0) },
                        a: { x[$0 * ldx + $1] }, w: { W[$1 * ldw + $0] })
                    #expect(worst <= 1, "path \(path) \(M)x\(K)x\(N) accumulate \(accumulate): error / bound \(worst)")
                    #expect(y.sentinelsIntact)
                    // The bias is added in the tile's store, in the order of a broadcast (y0 + b, or b) followed by
                    // an accumulating product: the same bits as doing those two separately.
                    var twoPass = y0
                    for i in 0..<M { for j in 0..<N { twoPass[i * ldy + j] = accumulate == 1 ? y0[i * ldy + j] + b[j] : b[j] } }
                    ck_gemm_packed(&twoPass, ldy.i32, x, ldx.i32, packed.pointer, Kp.i32, M.i32, N.i32, K.i32, 1)
                    #expect((0..<M).allSatisfy { i in (0..<N).allSatisfy {
                        y.pointer[i * ldy + $0].bitPattern == twoPass[i * ldy + $0].bitPattern } },
                            "path \(path) \(M)x\(K)x\(N) accumulate \(accumulate): fused bias differs from two passes")
                    // The gaps between rows of y (columns N..<ldy) are not outputs.
                    #expect((0..<M).allSatisfy { i in (N..<ldy).allSatisfy { y.pointer[i * ldy + $0] == y0[i * ldy + $0] } })
                }
            }
        }
    }

    /// Two weights stacked along K with ck_pack_transposed_rows pack to the same floats as their concatenation
    /// [W1 | W2] (N, K1 + K2) packed at once, panel padding included; a product from a later row block is the
    /// product with that block alone.
    @Test func stackedRowsEqualTheConcatenation() {
        var rng = SeededRNG(seed: 14)
        for (K1, K2, N) in [(3, 5, 17), (8, 256, 130), (1, 1, 64)] {
            let K = K1 + K2, ld1 = K1 + 2, ld2 = K2 + 1
            let W1 = randomFloats(N * ld1, rng: &rng), W2 = randomFloats(N * ld2, rng: &rng)
            var cat = [Float](repeating: 0, count: N * K)
            for n in 0..<N {
                for k in 0..<K1 { cat[n * K + k] = W1[n * ld1 + k] }
                for k in 0..<K2 { cat[n * K + K1 + k] = W2[n * ld2 + k] }
            }
            let whole = GuardedBuffer(count: ck_packed_size(K.i32, N.i32), fill: .nan)
            ck_pack_transposed(whole.pointer, cat, K.i32, K.i32, N.i32)
            let stacked = GuardedBuffer(count: ck_packed_size(K.i32, N.i32), fill: .nan)
            ck_pack_transposed_rows(stacked.pointer, K.i32, 0, W1, ld1.i32, K1.i32, N.i32)
            ck_pack_transposed_rows(stacked.pointer, K.i32, K1.i32, W2, ld2.i32, K2.i32, N.i32)
            #expect(stacked.array.map(\.bitPattern) == whole.array.map(\.bitPattern), "\(K1)+\(K2)x\(N)")
            #expect(stacked.sentinelsIntact)

            let M = 7, x2 = randomFloats(M * K2, rng: &rng)
            let alone = GuardedBuffer(count: ck_packed_size(K2.i32, N.i32))
            ck_pack_transposed(alone.pointer, W2, ld2.i32, K2.i32, N.i32)
            var fromBlock = [Float](repeating: 0, count: M * N), direct = fromBlock
            ck_gemm_packed(&fromBlock, N.i32, x2, K2.i32, stacked.pointer + K1 * Int(CK_PACK_COLS), K.i32,
                           M.i32, N.i32, K2.i32, 0)
            ck_gemm_packed(&direct, N.i32, x2, K2.i32, alone.pointer, K2.i32, M.i32, N.i32, K2.i32, 0)
            #expect(fromBlock.map(\.bitPattern) == direct.map(\.bitPattern), "\(K1)+\(K2)x\(N): later block")
        }
    }

    /// C += A W through ck_pack (the backward's dx = dy W orientation).
    @Test func gemmPackedMatchesFloat64() {
        var rng = SeededRNG(seed: 12)
        for (M, K, N) in Self.shapes {
            let ldw = N + 3, lda = K + 2
            let W = randomFloats(K * ldw, rng: &rng), A = randomFloats(M * lda, rng: &rng)
            let packed = GuardedBuffer(count: ck_packed_size(K.i32, N.i32))
            ck_pack(packed.pointer, W, ldw.i32, K.i32, N.i32)
            PointwiseReference.forEachSIMDPath { path in
                let c0 = randomFloats(M * N, rng: &rng)
                let C = GuardedBuffer(c0)
                ck_gemm_packed(C.pointer, N.i32, A, lda.i32, packed.pointer, K.i32, M.i32, N.i32, K.i32, 1)
                let worst = Self.worstOverBound(M: M, K: K, N: N, got: { C.pointer[$0 * N + $1] },
                                                c0: { Double(c0[$0 * N + $1]) }, a: { A[$0 * lda + $1] },
                                                w: { W[$0 * ldw + $1] })
                #expect(worst <= 1, "path \(path) \(M)x\(K)x\(N): error / bound \(worst)")
                #expect(C.sentinelsIntact)
            }
        }
    }

    /// K = 0 overwrites with zeros, or leaves C alone when accumulating.
    @Test func emptyInnerDimension() {
        let C = GuardedBuffer(count: 6, fill: 3)
        let P = [Float](repeating: 1, count: Int(ck_packed_size(1, 6)))
        ck_gemm_packed(C.pointer, 6, [1], 1, P, 1, 1, 6, 0, 1)
        #expect(C.array == [Float](repeating: 3, count: 6))
        ck_gemm_packed(C.pointer, 6, [1], 1, P, 1, 1, 6, 0, 0)
        #expect(C.array == [Float](repeating: 0, count: 6))
        #expect(C.sentinelsIntact)
    }

    /// Large enough to split over panels and row blocks: 1 and 2 threads give the same bits on every path.
    @Test func oneAndTwoThreadsGiveTheSameBits() {
        PointwiseReference.simdPathLock.lock()
        let before = ck_get_threads()
        defer { ck_set_threads(before); PointwiseReference.simdPathLock.unlock() }
        var rng = SeededRNG(seed: 13)
        for (M, K, N) in [(100, 64, 200), (100, 256, 35)] {
            let W = randomFloats(N * K, rng: &rng), x = randomFloats(M * K, rng: &rng), b = randomFloats(N, rng: &rng)
            var packed = [Float](repeating: 0, count: Int(ck_packed_size(K.i32, N.i32)))
            ck_pack_transposed(&packed, W, K.i32, K.i32, N.i32)
            PointwiseReference.forEachSIMDPath { path in
                var outs: [[Float]] = []
                for threads: Int32 in [1, 2] {
                    ck_set_threads(threads)
                    var y = [Float](repeating: .nan, count: M * N)
                    ck_linear_forward_packed(&y, N.i32, x, K.i32, packed, K.i32, b, M.i32, K.i32, N.i32, 0)
                    outs.append(y)
                }
                #expect(outs[0].map(\.bitPattern) == outs[1].map(\.bitPattern), "path \(path) \(M)x\(K)x\(N)")
                #expect(outs[0].allSatisfy { $0.isFinite })
            }
        }
    }
}

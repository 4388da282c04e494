// DenormalTests.swift: kernels flush denormals to zero on every thread and every SIMD path, and give the caller its mode back.
import Testing
import CKernels
import DRAWTestSupport

/// A denormal float (below FLT_MIN = 1.18e-38) that the optimizer cannot fold away.
@inline(never) func opaqueDenormal() -> Float { Float(bitPattern: 0x0008_0000) }   // 7.3e-40

/// x · 1 in Swift, outside any kernel: denormal under the default mode, 0 where FTZ/DAZ leaked to the caller.
@inline(never) func swiftTimesOne(_ x: Float) -> Float { x * Float(Int.random(in: 1...1)) }

@Suite(.serialized) struct DenormalTests {
    /// C = A B with every A element denormal: under DAZ each product is 0. M·N·K is above ck_gemm's split
    /// threshold, so with 2 threads half the columns come from an OpenMP worker, which must flush too.
    @Test(arguments: [1, 2]) func gemmTreatsDenormalInputsAsZeroOnEveryThread(threads: Int32) {
        PointwiseReference.simdPathLock.lock()
        let before = ck_get_threads()
        defer { ck_set_threads(before); PointwiseReference.simdPathLock.unlock() }
        ck_set_threads(threads)
        let M = 64, N = 128, K = 16
        let A = [Float](repeating: opaqueDenormal(), count: M * K), B = [Float](repeating: 1, count: K * N)
        let C = GuardedBuffer(count: M * N, fill: .nan)
        ck_gemm(0, 0, Int32(M), Int32(N), Int32(K), 1, A, Int32(K), B, Int32(N), 0, C.pointer, Int32(N))
        #expect(C.array.allSatisfy { $0 == 0 }, "\(C.array.filter { $0 != 0 }.count) of \(M * N) outputs kept a denormal sum")
        #expect(C.sentinelsIntact)
        #expect(swiftTimesOne(opaqueDenormal()) != 0, "the caller's floating-point mode was not restored")
    }

    /// The glimpse products (where the filterbank's underflowed tails meet the image) see a denormal image as zero
    /// on every SIMD path; without DAZ, γ Σ Fy x Fx over 8×8 pixels of 7e-40 is a normal 4.7e-38.
    @Test func readTreatsDenormalPixelsAsZeroOnEveryPath() {
        let B = 3, C = 2, H = 8, W = 8, N = 3
        let x = [Float](repeating: opaqueDenormal(), count: B * C * H * W)
        let Fx = [Float](repeating: 1, count: B * N * W), Fy = [Float](repeating: 1, count: B * N * H)
        let params = (0..<B).flatMap { _ in [Float](arrayLiteral: 4, 4, 1, 1, 1) }
        PointwiseReference.forEachSIMDPath { path in
            let r = GuardedBuffer(count: B * 2 * C * N * N, fill: .nan)
            let T = GuardedBuffer(count: B * 2 * C * N * W), U = GuardedBuffer(count: B * 2 * C * N * H)
            ck_read_forward(r.pointer, Int32(2 * C * N * N), T.pointer, U.pointer, x, x, Fx, Fy, params,
                            Int32(B), Int32(C), Int32(H), Int32(W), Int32(N))
            #expect(r.array.allSatisfy { $0 == 0 }, "path \(path): \(r.array.prefix(4))")
            #expect(r.sentinelsIntact, "path \(path)")
        }
        #expect(swiftTimesOne(opaqueDenormal()) != 0, "the caller's floating-point mode was not restored")
    }
}

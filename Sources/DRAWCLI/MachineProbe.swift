// MachineProbe.swift: what a benchmark reports about the machine: its measured sgemm peak and this process's peak memory.
import DRAWKernels
import Foundation

enum MachineProbe {
    /// Best-of-`repeats` GFLOP/s of one n×n×n sgemm through ck_gemm (OpenBLAS) at the current thread count.
    static func sgemmPeak(n: Int = 1024, repeats: Int = 5) throws -> Double {
        let a = try ShapedBuffer([Float](repeating: 0.5, count: n * n), shape: Shape(n, n))
        let b = try ShapedBuffer([Float](repeating: 0.25, count: n * n), shape: Shape(n, n))
        let c = try ShapedBuffer.zeros(Shape(n, n))
        var best = Double.infinity
        for _ in 0..<(repeats + 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try gemm(a: a, b: b, c: c)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            best = min(best, dt)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// Peak resident set of this process so far, in MB (getrusage's ru_maxrss is in KiB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

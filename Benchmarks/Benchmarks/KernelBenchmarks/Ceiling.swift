// Ceiling.swift: the machine's limits measured once per run (FMA peak, copy bandwidth) that every kernel row is a share of.
import CCeiling
import CKernels
import Foundation

/// What this machine can do right now, on the kernels' threads and SIMD path.
struct Ceiling: Sendable {
    /// GFLOP/s of register-only FMA chains on ck_simd_path, all kernel threads at once.
    let fmaGFLOPs: Double
    /// GB/s (read + write) of a 256 MiB streaming copy, all kernel threads at once.
    let copyGBs: Double
    let threads: Int32, path: Int32

    static func measure() -> Ceiling {
        let threads = ck_get_threads(), path = ck_simd_path()
        return Ceiling(fmaGFLOPs: ceiling_fma_gflops(path, threads, 5), copyGBs: ceiling_copy_gbps(256 << 20, threads, 5),
                       threads: threads, path: path)
    }

    var summary: String {
        String(format: "ceilings (%d threads, %@): FMA peak %.1f GFLOP/s, streaming copy %.1f GB/s",
               threads, String(cString: ck_simd_path_name(path)), fmaGFLOPs, copyGBs)
    }

    /// `rate` (GFLOP/s or GB/s) as a percentage of the ceiling that bounds `work`.
    func percent(_ work: Work, rate: Double) -> Double {
        switch work {
        case .flops: 100 * rate / fmaGFLOPs
        case .bytes: 100 * rate / copyGBs
        }
    }
}

// BLASCorePolicy.swift: runs `draw` on OpenBLAS's AVX-512 kernels where the CPU has AVX-512 but OpenBLAS did not pick them.
import DRAWKernels
import Foundation

/// Debian's OpenBLAS 0.3.21 chooses its kernels once, when the library loads (before main), from a CPU table
/// that predates AMD Zen 4/5: on those AVX-512 parts it picks "Haswell" (AVX2). Measured on a 2-core Zen 5:
/// 1024³ sgemm 133 → 238 GFLOP/s per thread and color64 training +20 to 40% with OPENBLAS_CORETYPE=SkylakeX.
/// The core can only be chosen through OPENBLAS_CORETYPE before the library loads, so `draw` re-executes
/// itself once with it set to SkylakeX, also when the environment names an AVX2 core (machine images set
/// OPENBLAS_CORETYPE=Haswell so one setting runs everywhere; on an AVX-512 CPU that only costs speed).
/// DRAW_BLAS_CORE=keep leaves OpenBLAS's choice alone. Never on CPUs without AVX-512 (the SkylakeX kernels
/// would crash there). The build-info line says when this happened.
public enum BLASCorePolicy {
    static let marker = "DRAW_BLAS_REEXEC"
    static let avx512Cores: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// Call first thing in main. Returns only when no re-exec is needed (or it failed, which is harmless).
    public static func reexecWithBestCore() {
        let env = ProcessInfo.processInfo.environment
        guard env[marker] == nil, env["DRAW_BLAS_CORE"] != "keep" else { return }
        guard KernelRuntime.simdPath == .avx512 else { return }
        let core = KernelRuntime.blasCore
        guard !avx512Cores.contains(core) else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv(marker, core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc?): carry on with the core we have.
        if let previous = env["OPENBLAS_CORETYPE"] { setenv("OPENBLAS_CORETYPE", previous, 1) } else {
            unsetenv("OPENBLAS_CORETYPE")
        }
        unsetenv(marker)
    }

    /// The core OpenBLAS picked by itself, when this process was re-executed to change it.
    public static var replacedCore: String? { ProcessInfo.processInfo.environment[marker] }
}

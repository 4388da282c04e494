// Runtime.swift: the kernels' process-wide state (SIMD path, threads, build info) and their random numbers, from Swift.
import CKernels

/// A SIMD code path of the kernels.
public enum SIMDPath: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case scalar = 0, neon = 1, avx2 = 2, avx512 = 3
    /// "scalar", "neon", "avx2", "avx512".
    public var description: String { String(cString: ck_simd_path_name(rawValue)) }
}

/// A bf16 product path of the kernels (`--precision bf16`).
public enum BF16Path: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case scalar = 0, avx2 = 1, avx512bf16 = 2, amx = 3
    /// "scalar", "avx2", "avx512bf16", "amx".
    public var description: String { String(cString: ck_bf16_path_name(rawValue)) }
}

/// Process-wide kernel settings: one thread policy and one SIMD path for every kernel. The one Swift door to
/// that state: the model, the CLI and the benchmarks read and set it here, not through CKernels.
public enum KernelRuntime {
    /// The path in effect: the best the CPU supports unless forced.
    public static var simdPath: SIMDPath { SIMDPath(rawValue: ck_simd_path()) ?? .scalar }
    /// Forces `path` (nil: automatic); a path the CPU lacks falls back to the best below it. Returns the path in effect.
    @discardableResult
    public static func force(_ path: SIMDPath?) -> SIMDPath {
        SIMDPath(rawValue: ck_force_simd_path(path?.rawValue ?? -1)) ?? .scalar
    }
    /// OpenMP threads for the kernels (and ck_gemm's panels); at least 1.
    public static var threads: Int {
        get { Int(ck_get_threads()) }
        set { ck_set_threads(Int32(clamping: max(newValue, 1))) }
    }
    /// The bf16 path in effect: the best the CPU (and, for AMX, the kernel) allows.
    public static var bf16Path: BF16Path { BF16Path(rawValue: ck_bf16_path()) ?? .scalar }
    /// OpenBLAS's core as it chose it at run time ("Haswell", "Zen", …).
    public static var blasCore: String { String(cString: ck_blas_core()) }
    /// One line: SIMD and bf16 paths, OpenMP, threads, BLAS core and config (`ck_build_info`).
    public static var buildInfo: String {
        var buffer = [CChar](repeating: 0, count: 512)
        ck_build_info(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The kernels' xoshiro256** generator (`ck_rng_seed`, `ck_randn`, `ck_randu`), single-threaded.
public struct KernelRandom: Sendable {
    /// The 4-word state, advanced by every fill.
    public var state: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Seeded through splitmix64.
    public init(seed: UInt64) { withState { ck_rng_seed($0, seed) } }
    /// Continues from a saved state (e.g. one kept in a checkpoint).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) { self.state = state }

    /// Fills contiguous `out` with N(0, 1) samples (Box–Muller; an odd count drops the last pair's second).
    public mutating func fillNormal(_ out: ShapedBuffer) throws(KernelError) {
        try expectContiguous(out, "fillNormal", "out")
        withState { ck_randn(out.base, out.shape.count, $0) }
    }
    /// Fills contiguous `out` with uniform [0, 1) samples.
    public mutating func fillUniform(_ out: ShapedBuffer) throws(KernelError) {
        try expectContiguous(out, "fillUniform", "out")
        withState { ck_randu(out.base, out.shape.count, $0) }
    }

    private mutating func withState(_ body: (UnsafeMutablePointer<UInt64>) -> Void) {
        withUnsafeMutablePointer(to: &state) { $0.withMemoryRebound(to: UInt64.self, capacity: 4, body) }
    }
}

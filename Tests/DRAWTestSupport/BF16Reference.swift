// BF16Reference.swift: bf16 rounding by nearest distance (independent of the kernels' bit trick), and the bf16 paths to test.
import CKernels

public enum BF16Reference {
    /// x rounded to bf16 as a float: of the two bf16 values around x (its upper 16 bits, and one unit further from
    /// zero) the nearer in Float64, the one with an even last bit on a tie; zero and denormals to a signed zero
    /// (vcvtneps2bf16 treats denormal inputs as zero); NaN stays NaN; infinity stays.
    public static func round(_ x: Float) -> Float {
        if x.isNaN { return .nan }
        if x.isInfinite { return x }
        if x.isZero || x.isSubnormal { return x.sign == .minus ? -0.0 : 0.0 }
        let toward = x.bitPattern & 0xFFFF_0000
        let away = toward + 0x1_0000   // the next bf16 from zero (infinity past the largest)
        let lo = Float(bitPattern: toward), hi = Float(bitPattern: away)
        let dLo = abs(Double(x) - Double(lo)), dHi = hi.isInfinite ? abs(Double(x) - 0x1p128 * (x < 0 ? -1 : 1)) : abs(Double(hi) - Double(x))
        if dLo < dHi { return lo }
        if dHi < dLo { return hi }
        return (toward >> 16) & 1 == 0 ? lo : hi
    }

    /// The bf16 paths this CPU runs, scalar first; the ones it lacks are printed, with why, once per process.
    public static var paths: [Int32] {
        _ = skipReport
        return all.filter { $0 <= best }
    }

    #if arch(x86_64)
    static let all = [Int32(CK_BF16_SCALAR), Int32(CK_BF16_AVX2), Int32(CK_BF16_AVX512), Int32(CK_BF16_AMX)]
    #else
    static let all = [Int32(CK_BF16_SCALAR)]
    #endif
    static var best: Int32 { ck_force_bf16_path(-1) }
    static let skipReport: Void = {
        for p in all where p > best {
            print("bf16 path \(name(p)) not tested: this CPU (or, for AMX, its kernel) lacks it; the best here is \(name(best))")
        }
    }()

    public static func name(_ path: Int32) -> String { String(cString: ck_bf16_path_name(path)) }

    /// Runs body once per bf16 path this CPU runs with that path forced, then restores the automatic choice
    /// (under PointwiseReference.simdPathLock, like the float paths).
    public static func forEachPath(_ body: (Int32) -> Void) {
        PointwiseReference.simdPathLock.lock()
        defer { _ = ck_force_bf16_path(-1); PointwiseReference.simdPathLock.unlock() }
        for path in paths {
            _ = ck_force_bf16_path(path)
            body(path)
        }
    }
}

// PointwiseReference.swift: naive Float64 references for the pointwise kernels (LSTM, latent/KL, losses, Adam, RNG).
import CKernels
import Foundation

/// Straight from SPEC.md and ckernels.h, in Float64, no tricks beyond the stable forms of sigmoid/softplus.
public enum PointwiseReference {
    public static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }
    public static func softplus(_ x: Double) -> Double { max(x, 0) + log1p(Foundation.exp(-abs(x))) }

    /// PyTorch's LSTMCell gates: pre (B, 4H) as [i | f | g | o], cPrev (B, H) or nil (zeros).
    /// Returns h, c (B, H) and act (B, 4H) = sigma(i), sigma(f), tanh(g), sigma(o).
    public static func lstmForward(pre: [Double], cPrev: [Double]?, B: Int, H: Int)
        -> (h: [Double], c: [Double], act: [Double])
    {
        var h = [Double](repeating: 0, count: B * H), c = h
        var act = [Double](repeating: 0, count: B * 4 * H)
        for b in 0..<B {
            for j in 0..<H {
                let p = b * 4 * H
                let i = sigmoid(pre[p + j]), f = sigmoid(pre[p + H + j])
                let g = tanh(pre[p + 2 * H + j]), o = sigmoid(pre[p + 3 * H + j])
                let cn = f * (cPrev?[b * H + j] ?? 0) + i * g
                act[p + j] = i; act[p + H + j] = f; act[p + 2 * H + j] = g; act[p + 3 * H + j] = o
                c[b * H + j] = cn
                h[b * H + j] = o * tanh(cn)
            }
        }
        return (h, c, act)
    }

    /// z = mu + exp(logsigma) eps (eps nil: z = mu); kl_b = 0.5 sum (mu^2 + exp(2 logsigma) - 2 logsigma - 1).
    /// mu, logsigma, eps are (B, Z) packed.
    public static func latentForward(mu: [Double], logsigma: [Double], eps: [Double]?, B: Int, Z: Int)
        -> (z: [Double], kl: [Double])
    {
        var z = [Double](repeating: 0, count: B * Z), kl = [Double](repeating: 0, count: B)
        for b in 0..<B {
            for j in 0..<Z {
                let k = b * Z + j
                z[k] = mu[k] + Foundation.exp(logsigma[k]) * (eps?[k] ?? 0)
                kl[b] += 0.5 * (mu[k] * mu[k] + Foundation.exp(2 * logsigma[k]) - 2 * logsigma[k] - 1)
            }
        }
        return (z, kl)
    }

    public static func xhat(x: [Double], canvas: [Double]) -> [Double] {
        zip(x, canvas).map { $0 - sigmoid($1) }
    }

    /// Per-image sums of f(canvas_p, x_p) over rows of P.
    private static func perImage(_ canvas: [Double], _ x: [Double], B: Int, P: Int,
                                 _ f: (Double, Double) -> Double) -> [Double] {
        (0..<B).map { b in (0..<P).reduce(0.0) { $0 + f(canvas[b * P + $1], x[b * P + $1]) } }
    }
    /// BCE from logits: sum_p softplus(c) - x c.
    public static func bce(canvas: [Double], x: [Double], B: Int, P: Int) -> [Double] {
        perImage(canvas, x, B: B, P: P) { c, x in softplus(c) - x * c }
    }
    /// 0.5 sum_p (x - sigmoid(c))^2.
    public static func l2(canvas: [Double], x: [Double], B: Int, P: Int) -> [Double] {
        perImage(canvas, x, B: B, P: P) { c, x in 0.5 * (x - sigmoid(c)) * (x - sigmoid(c)) }
    }

    /// PyTorch's Adam (no weight decay) with the header's elementwise clip and global scale, in place.
    public static func adamStep(p: inout [Double], m: inout [Double], v: inout [Double], g: [Double],
                                lr: Double, beta1: Double, beta2: Double, eps: Double,
                                clip: Double, gscale: Double, step: Int) {
        let bc1 = 1 - pow(beta1, Double(step)), bc2 = 1 - pow(beta2, Double(step))
        for i in p.indices {
            var gi = gscale * g[i]
            if clip > 0 { gi = min(max(gi, -clip), clip) }
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            p[i] -= (lr / bc1) * m[i] / (v[i].squareRoot() / bc2.squareRoot() + eps)
        }
    }

    /// xoshiro256** (Blackman and Vigna), seeded by four splitmix64 outputs (which SeededRNG is).
    public struct Xoshiro256StarStar {
        public var s: [UInt64]
        public init(seed: UInt64) {
            var sm = SeededRNG(seed: seed)
            s = (0..<4).map { _ in sm.next() }
        }
        private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        public mutating func next() -> UInt64 {
            let result = Self.rotl(s[1] &* 5, 7) &* 9
            let t = s[1] << 17
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
            s[2] ^= t
            s[3] = Self.rotl(s[3], 45)
            return result
        }
        /// Box-Muller pairs in Float64: u1 in (0, 1], u2 in [0, 1), 53 bits each.
        public mutating func normals(_ n: Int) -> [Double] {
            var out: [Double] = []
            while out.count < n {
                let u1 = Double((next() >> 11) + 1) * 0x1.0p-53
                let u2 = Double(next() >> 11) * 0x1.0p-53
                let r = (-2 * Foundation.log(u1)).squareRoot()
                out.append(r * Foundation.cos(2 * Double.pi * u2))
                if out.count < n { out.append(r * Foundation.sin(2 * Double.pi * u2)) }
            }
            return out
        }
    }

    /// The SIMD paths this CPU supports, scalar first.
    public static var simdPaths: [Int32] {
        let best = ck_force_simd_path(-1)
        #if arch(x86_64)
        let all = [Int32(CK_SIMD_SCALAR), Int32(CK_SIMD_AVX2), Int32(CK_SIMD_AVX512)]
        #else
        let all = [Int32(CK_SIMD_SCALAR), Int32(CK_SIMD_NEON)]
        #endif
        return all.filter { $0 <= best }
    }

    /// The forced SIMD path is process-wide and Swift Testing runs suites in parallel: tests that force
    /// paths, or compare two runs bit for bit, hold this lock so another test cannot switch paths under them.
    /// Guards the process-wide kernel state (forced SIMD and bf16 paths, thread count) for the tests of every target:
    /// hold it while forcing a path, changing threads, or comparing runs bit for bit. Recursive, so a test
    /// that holds it may call helpers that take it again.
    public static let simdPathLock = NSRecursiveLock()

    /// Runs body once per supported SIMD path with that path forced, then restores the automatic choice.
    public static func forEachSIMDPath(_ body: (Int32) -> Void) {
        simdPathLock.lock()
        defer { _ = ck_force_simd_path(-1); simdPathLock.unlock() }
        for path in simdPaths {
            _ = ck_force_simd_path(path)
            body(path)
        }
    }

    /// Runs body on the automatic path with no other path-forcing test running (see simdPathLock).
    public static func withAutomaticSIMDPath(_ body: () -> Void) {
        simdPathLock.lock()
        defer { simdPathLock.unlock() }
        _ = ck_force_simd_path(-1)
        body()
    }

    /// Two runs that should agree to float rounding (1e-6 relative, floor 1e-3): thread counts, aliasing.
    /// Bit equality is what the kernels give, but a test elsewhere that forces a SIMD path without
    /// simdPathLock could switch paths (and FMA rounding) between the two runs.
    public static func agree(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && maxRelativeError(a, b.map(Double.init), floor: 1e-3) <= 1e-6
    }

    /// Sizes 1...33 hit every SIMD tail; the rest cover several vectors, odd sizes and multi-block rows.
    public static let tailSizes: [Int] = Array(1...33) + [64, 100, 257]
}

// GlimpseTestSupport.swift: what the attention, read and write tests share: shapes, SIMD-path loops, C-call wrappers, gradient checks.
import CKernels
import DRAWTestSupport
import Testing

/// The parent of every attention/read/write suite, serialized as a whole: they force SIMD paths and thread
/// counts, which are process-wide, and some compare two runs bit for bit.
@Suite(.serialized) enum GlimpseKernelTests {}

/// One test shape for the attention, read and write kernels.
struct GlimpseShape: Sendable, CustomStringConvertible {
    let B, C, H, W, N: Int
    var description: String { "B\(B) C\(C) H\(H) W\(W) N\(N)" }
}

extension Int { var i32: Int32 { Int32(self) } }

/// Every SIMD path this CPU runs (a forced path it lacks falls back, so keep the ones that stick); restores -1.
/// Only this architecture's paths are tried.
func supportedSIMDPaths() -> [Int32] {
    PointwiseReference.simdPathLock.lock()
    defer { _ = ck_force_simd_path(-1); PointwiseReference.simdPathLock.unlock() }
    #if arch(x86_64)
    let candidates = [CK_SIMD_SCALAR, CK_SIMD_AVX2, CK_SIMD_AVX512]
    #else
    let candidates = [CK_SIMD_SCALAR, CK_SIMD_NEON]
    #endif
    return candidates.map { Int32($0) }.filter { ck_force_simd_path($0) == $0 }
}

/// Runs body once per supported SIMD path with that path forced, then restores the automatic choice.
/// Holds the shared kernel-state lock throughout, so no other suite switches the path underneath.
func forEachSIMDPath(_ body: (String) throws -> Void) rethrows {
    PointwiseReference.simdPathLock.lock()
    defer { _ = ck_force_simd_path(-1); PointwiseReference.simdPathLock.unlock() }
    for path in supportedSIMDPaths() {
        _ = ck_force_simd_path(path)
        try body(String(cString: ck_simd_path_name(path)))
    }
}

/// A random attention head (B, 5) with windows on or near the image: g̃ in ±0.8, log σ² in [−1, 1.5],
/// log δ̃ in [−1, 0.5], log γ in ±1.
func randomHead(_ B: Int, rng: inout SeededRNG) -> [Float] {
    var head: [Float] = []
    for _ in 0..<B {
        head += [Float.random(in: -0.8...0.8, using: &rng), Float.random(in: -0.8...0.8, using: &rng),
                 Float.random(in: -1...1.5, using: &rng), Float.random(in: -1...0.5, using: &rng),
                 Float.random(in: -1...1, using: &rng)]
    }
    return head
}

func doubles(_ a: [Float]) -> [Double] { a.map(Double.init) }
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// Leading-dimension copy: rows of `width` values placed at stride `ld` in a NaN-guarded buffer (gaps stay sentinels).
func strided(_ a: [Float], rows: Int, width: Int, ld: Int) -> GuardedBuffer {
    let g = GuardedBuffer(count: rows * ld)
    for i in 0..<(rows * ld) { g.pointer[i] = Float(bitPattern: GuardedBuffer.sentinelBits) }
    for r in 0..<rows { for c in 0..<width { g.pointer[r * ld + c] = a[r * width + c] } }
    return g
}
/// The rows of a strided buffer, gaps dropped.
func unstrided(_ g: GuardedBuffer, rows: Int, width: Int, ld: Int) -> [Float] {
    (0..<rows).flatMap { r in (0..<width).map { g.pointer[r * ld + $0] } }
}
/// True when every gap between the rows of a strided buffer still holds the sentinel bits.
func gapsIntact(_ g: GuardedBuffer, rows: Int, width: Int, ld: Int) -> Bool {
    (0..<rows).allSatisfy { r in (width..<ld).allSatisfy { g.pointer[r * ld + $0].bitPattern == GuardedBuffer.sentinelBits } }
}

/// The C attention forward; head is passed with row stride 7 to exercise ldh.
func cAttention(head: [Float], _ s: GlimpseShape) -> (params: GuardedBuffer, Fx: GuardedBuffer, Fy: GuardedBuffer) {
    let h = strided(head, rows: s.B, width: 5, ld: 7)
    let params = GuardedBuffer(count: s.B * 5), Fx = GuardedBuffer(count: s.B * s.N * s.W)
    let Fy = GuardedBuffer(count: s.B * s.N * s.H)
    ck_attention_forward(params.pointer, Fx.pointer, Fy.pointer, h.pointer, 7, s.B.i32, s.H.i32, s.W.i32, s.N.i32)
    return (params, Fx, Fy)
}

/// γ column of params (B, 5).
func gammas(_ params: [Double]) -> [Double] { stride(from: 4, to: params.count, by: 5).map { params[$0] } }

/// max_k |g_k − fd_k| / max_k |fd_k|: the gradient error relative to its largest component.
func gradientError(_ g: [Double], _ fd: [Double]) -> Double {
    precondition(g.count == fd.count)
    let scale = fd.map(abs).max() ?? 0
    var worst = 0.0
    for k in g.indices {
        let e = abs(g[k] - fd[k])
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return scale > 0 ? worst / scale : worst
}

/// Central differences of f at every coordinate of x with step h.
func finiteDifferences(_ f: ([Double]) -> Double, at x: [Double], h: Double) -> [Double] {
    x.indices.map { centralDifference(f, at: x, index: $0, h: h) }
}

/// Directional check for large inputs: (f(x + h v) − f(x − h v)) / 2h against g · v for a random ±1 direction v;
/// returns |fd − g·v| / Σ|g_k v_k|.
func directionalError(_ f: ([Double]) -> Double, at x: [Double], gradient g: [Double], h: Double,
                      rng: inout SeededRNG) -> Double {
    let v = x.map { _ in Bool.random(using: &rng) ? 1.0 : -1.0 }
    let fd = (f(zip(x, v).map { $0 + h * $1 }) - f(zip(x, v).map { $0 - h * $1 })) / (2 * h)
    let gv = dot(g, v)
    let scale = zip(g, v).reduce(0) { $0 + abs($1.0 * $1.1) }
    let e = abs(fd - gv) / max(scale, 1e-300)
    return e.isNaN ? .infinity : e
}

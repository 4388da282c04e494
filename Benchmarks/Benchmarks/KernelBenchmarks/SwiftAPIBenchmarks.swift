// SwiftAPIBenchmarks.swift: the same kernels through DRAWKernels' checked Swift API, to measure what the checks cost.
import Benchmark
import CKernels
import DRAWKernels
import Foundation

/// Inputs of the Swift-API rows as owning ShapedBuffers (copies of Color64Inputs, made once).
final class SwiftAPIInputs: @unchecked Sendable {
    let x, xhat, params, Fx, Fy, r, T, U, h, c, act, pre, cPrev, mu, logSigma, eps, z, kl: ShapedBuffer

    convenience init(_ k: Color64Inputs) {
        typealias S = Color64Inputs
        self.init(shapes: (S.B, S.C, S.H, S.W, S.N, S.E, S.Z))
        for (b, values) in [(x, k.x), (xhat, k.xhat), (params, k.params), (Fx, k.Fx), (Fy, k.Fy), (r, k.r), (T, k.T),
                            (U, k.U), (h, k.h), (c, k.c), (act, k.act), (pre, k.pre), (cPrev, k.cPrev), (mu, k.mu),
                            (logSigma, k.logsig), (eps, k.eps), (z, k.z), (kl, k.kl)] {
            precondition(values.count == b.shape.count)
            b.base.update(from: values, count: values.count)
        }
    }

    /// Zeroed buffers for these sizes.
    init(shapes s: (B: Int, C: Int, H: Int, W: Int, N: Int, E: Int, Z: Int)) {
        let (B, C, H, W, N, E, Z) = s
        func make(_ shape: Shape) -> ShapedBuffer { try! .zeros(shape) }
        x = make(Shape(B, C, H, W)); xhat = make(Shape(B, C, H, W))
        params = make(Shape(B, 5)); Fx = make(Shape(B, N, W)); Fy = make(Shape(B, N, H))
        r = make(Shape(B, 2 * C * N * N)); T = make(Shape(B, 2 * C, N, W)); U = make(Shape(B, 2 * C, N, H))
        h = make(Shape(B, E)); c = make(Shape(B, E)); act = make(Shape(B, 4 * E))
        pre = make(Shape(B, 4 * E)); cPrev = make(Shape(B, E))
        mu = make(Shape(B, Z)); logSigma = make(Shape(B, Z)); eps = make(Shape(B, Z))
        z = make(Shape(B, Z)); kl = make(Shape(B))
    }
}

/// Rows named like their raw twins plus ", Swift API"; each also counts mallocs (the checks must make none).
func registerSwiftAPIRows(_ k: Color64Inputs, readFlops: Double) {
    typealias S = Color64Inputs
    let s = SwiftAPIInputs(k)
    let f = Double(S.B)
    kernel("read forward, Swift API", .flops(readFlops), mallocs: true) {
        try! readForward(r: s.r, T: s.T, U: s.U, x: s.x, xhat: s.xhat, Fx: s.Fx, Fy: s.Fy, params: s.params)
    }
    kernel("lstm forward, Swift API", .bytes(4 * f * Double(S.E) * (4 + 4 + 1 + 2)), mallocs: true) {
        try! lstmForward(h: s.h, c: s.c, act: s.act, pre: s.pre, cPrev: s.cPrev)
    }
    kernel("latent forward, Swift API", .bytes(4 * f * Double(S.Z) * 4), mallocs: true) {
        try! latentForward(z: s.z, kl: s.kl, mu: s.mu, logSigma: s.logSigma, eps: s.eps)
    }
}

/// What the checks cost alone: the same call through the Swift API and raw, on sizes so small (B = 1, a 2 × 2 image,
/// N = 2; an LSTM of 1) that the kernel itself is a few nanoseconds; the difference of the two rows' "ns per call"
/// is the checks. readForward has the most arguments (8 shapes, 28 overlap pairs), lstmForward few.
func registerCheckRows() {
    let t = SwiftAPIInputs.tiny()
    callRow("checks: read forward 1x1x2x2 N 2, raw") {
        ck_read_forward(t.r.base, 8, t.T.base, t.U.base, t.x.base, t.xhat.base, t.Fx.base, t.Fy.base, t.params.base,
                        1, 1, 2, 2, 2)
    }
    callRow("checks: read forward 1x1x2x2 N 2, Swift API") {
        try! readForward(r: t.r, T: t.T, U: t.U, x: t.x, xhat: t.xhat, Fx: t.Fx, Fy: t.Fy, params: t.params)
    }
    callRow("checks: lstm forward 1x1, raw") { ck_lstm_forward(t.h.base, 1, t.c.base, t.act.base, t.pre.base, t.cPrev.base, 1, 1) }
    callRow("checks: lstm forward 1x1, Swift API") {
        try! lstmForward(h: t.h, c: t.c, act: t.act, pre: t.pre, cPrev: t.cPrev)
    }
}

/// A row reporting nanoseconds per call (a loop of `benchmark.scaledIterations` calls, kilo-scaled) and mallocs.
func callRow(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let metric = BenchmarkMetric.custom("ns per call", polarity: .prefersSmaller)
    Benchmark(name, configuration: .init(metrics: [metric, .mallocCountTotal], scalingFactor: .kilo,
                                         maxDuration: .seconds(1), maxIterations: 10_000)) { benchmark in
        let start = DispatchTime.now().uptimeNanoseconds
        var calls = 0
        for _ in benchmark.scaledIterations { body(); calls += 1 }
        let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls)
        benchmark.measurement(metric, Int(ns.rounded()))
    }
}

extension SwiftAPIInputs {
    /// The tiny inputs of the check rows, filled by the attention kernel so the read has a real window.
    static func tiny() -> SwiftAPIInputs { SwiftAPIInputs(tinyShapes: ()) }

    convenience init(tinyShapes: ()) {
        self.init(shapes: (B: 1, C: 1, H: 2, W: 2, N: 2, E: 1, Z: 1))
        let head = try! ShapedBuffer.zeros(Shape(1, 5))
        try! attentionForward(params: params, Fx: Fx, Fy: Fy, head: head)
        for i in 0..<4 { x.base[i] = Float(i) / 4; pre.base[i] = Float(i) - 1.5 }
    }
}

// KernelBenchmarks.swift: each kernel's forward and backward at the color64 shapes, in GFLOP/s or GB/s.
import Benchmark
import CKernels
import enum DRAWKernels.KernelRuntime
import Foundation

/// Model FLOPs (2 per multiply-add, as the peers' RESULTS.md counts) or bytes moved per call, and the metric.
enum Work {
    case flops(Double)
    case bytes(Double)
    var metric: BenchmarkMetric { if case .flops = self { .custom("GFLOP/s", polarity: .prefersLarger) } else {
        .custom("GB/s", polarity: .prefersLarger) } }
    /// The rate as a share of this run's ceiling: FMA peak for products, copy bandwidth for elementwise kernels.
    var share: BenchmarkMetric { if case .flops = self { .custom("% of FMA peak", polarity: .prefersLarger) } else {
        .custom("% of copy bandwidth", polarity: .prefersLarger) } }
    var amount: Double { switch self { case let .flops(f): f; case let .bytes(b): b } }
}

/// Measured once per benchmark process, before any kernel is timed.
nonisolated(unsafe) var ceiling = Ceiling(fmaGFLOPs: 1, copyGBs: 1, threads: 1, path: 0)

/// Rows whose rate has a committed threshold (Thresholds/KernelBenchmarks.<row>.p90.json, the rate's p90 on this
/// machine, written by `scripts/bench-compare.sh --update-thresholds`): the products, the glimpses and Adam, the step's bulk.
let thresholdRows: Set<String> = [
    "gemm encoder gates, packed weight (64x1024x662)", "read forward", "read backward", "write forward",
    "write backward", "lstm forward", "adam (981k parameters)",
]

/// Registers one kernel: runs `body` in the timed loop and reports `work` per call as a rate and as a share of
/// the ceiling. The shared machine drifts by up to a third, so a main row fails at 35% below the other baseline's
/// p50 (`baseline check`) or below its committed p90 (`thresholds check`).
func kernel(_ name: String, _ work: Work, mallocs: Bool = false, _ body: @escaping @Sendable () -> Void) {
    let thresholds: [BenchmarkMetric: BenchmarkThresholds]? = thresholdRows.contains(name)
        ? [work.metric: BenchmarkThresholds(relative: [.p50: 35, .p90: 35])] : nil
    Benchmark(name, configuration: .init(metrics: [.wallClock, work.metric, work.share] + (mallocs ? [.mallocCountTotal] : []),
                                         maxDuration: .seconds(2), maxIterations: 100_000, thresholds: thresholds)) { benchmark in
        let start = DispatchTime.now().uptimeNanoseconds
        var calls = 0
        for _ in benchmark.scaledIterations { body(); calls += 1 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let rate = work.amount * Double(calls) / seconds / 1e9
        benchmark.measurement(work.metric, Int(rate.rounded()))
        benchmark.measurement(work.share, Int(ceiling.percent(work, rate: rate).rounded()))
    }
}

let benchmarks: @Sendable () -> Void = {
    typealias S = Color64Inputs
    let k = Color64Inputs()
    ceiling = .measure()
    print(ceiling.summary)
    print("kernels: \(KernelRuntime.buildInfo); color64 shapes B \(S.B), \(S.C)x\(S.H)x\(S.W), N \(S.N), LSTM \(S.E), Z \(S.Z)")
    validateForwards(k)
    validateBackwards(k)
    validatePackedGemm(k)
    validatePackedGemmBF16(k)
    let B = Int32(S.B), C = Int32(S.C), H = Int32(S.H), W = Int32(S.W), N = Int32(S.N), R = Int32(S.R)
    let E = Int32(S.E), Z = Int32(S.Z), P = Int32(S.P), In = Int32(S.R + S.E + S.D)
    let f = Double(S.B), Pd = Double(S.P), Nd = Double(S.N), Hd = Double(S.H), Wd = Double(S.W), Cd = Double(S.C)
    let readFlops = f * 2 * Cd * 2 * (Hd * Wd * Nd + Nd * Hd * Nd)
    let writeFlops = f * Cd * 2 * (Nd * Nd * Wd + Hd * Nd * Wd)

    kernel("gemm encoder gates (64x1024x662)", .flops(2 * f * 4 * Double(S.E) * Double(In))) {
        ck_gemm(0, 1, B, 4 * E, In, 1, k.gemmA, In, k.gemmB, In, 0, &k.gemmC, 4 * E)
    }
    kernel("gemm encoder gates, packed weight (64x1024x662)", .flops(2 * f * 4 * Double(S.E) * Double(In))) {
        ck_linear_forward_packed(&k.gemmC, 4 * E, k.gemmA, In, k.gemmPacked, In, nil, B, In, 4 * E, 0)
    }
    kernel("gemm encoder gates, bf16 packed weight (64x1024x662, \(String(cString: ck_bf16_path_name(ck_bf16_path()))))",
           .flops(2 * f * 4 * Double(S.E) * Double(In))) {
        ck_gemm_packed_bf16(&k.gemmC, 4 * E, k.gemmA, In, k.gemmPackedBF16, In, 0, B, 4 * E, In, 0, nil, &k.bf16Scratch)
    }
    kernel("attention forward", .bytes(4 * f * (5 + 5 + Nd * (Hd + Wd)))) {
        ck_attention_forward(&k.params, &k.Fx, &k.Fy, k.head, 5, B, H, W, N)
    }
    kernel("attention backward", .bytes(4 * f * (5 + 5 + 5 + 2 * Nd * (Hd + Wd)))) {
        ck_attention_backward(&k.dhead, 5, k.dparams, k.dFx, k.dFy, k.params, k.Fx, k.Fy, B, H, W, N)
    }
    kernel("read forward", .flops(readFlops)) {
        ck_read_forward(&k.r, R, &k.T, &k.U, k.x, k.xhat, k.Fx, k.Fy, k.params, B, C, H, W, N)
    }
    kernel("read backward", .flops(2 * readFlops)) {
        ck_read_backward(nil, &k.dxhat, &k.dFx, &k.dFy, &k.dparams, k.dr, R, k.T, k.U, k.Fx, k.Fy, k.params,
                         B, C, H, W, N)
    }
    kernel("write forward", .flops(writeFlops)) {
        ck_write_forward(&k.canvas, k.dcanvas, k.w, C * N * N, k.Fx, k.Fy, k.params, B, C, H, W, N)
    }
    kernel("write backward", .flops(2 * writeFlops)) {
        ck_write_backward(&k.dw, C * N * N, &k.dFx, &k.dFy, &k.dparams, k.dcanvas, k.w, C * N * N, k.Fx, k.Fy,
                          k.params, B, C, H, W, N)
    }
    kernel("lstm forward", .bytes(4 * f * Double(S.E) * (4 + 4 + 1 + 2))) {
        ck_lstm_forward(&k.h, E, &k.c, &k.act, k.pre, k.cPrev, B, E)
    }
    kernel("lstm backward", .bytes(4 * f * Double(S.E) * (4 + 4 + 1 + 1 + 2 + 1))) {
        ck_lstm_backward(&k.dpre, &k.dcPrev, k.dh, k.dc, k.act, k.c, k.cPrev, B, E)
    }
    kernel("latent forward", .bytes(4 * f * Double(S.Z) * 4)) {
        ck_latent_forward(&k.z, Z, &k.kl, k.mu, k.logsig, Z, k.eps, B, Z)
    }
    kernel("latent backward", .bytes(4 * f * Double(S.Z) * 7)) {
        ck_latent_backward(&k.dmu, &k.dlogsig, Z, k.dz, k.dkl, k.mu, k.logsig, Z, k.eps, B, Z)
    }
    kernel("xhat forward", .bytes(4 * f * Pd * 3)) { ck_xhat_forward(&k.xhat, k.x, k.canvas, B, P) }
    kernel("xhat backward", .bytes(4 * f * Pd * 4)) { ck_xhat_backward(&k.dcanvas, k.dxhat, k.x, k.xhat, B, P) }
    kernel("l2 loss forward", .bytes(4 * f * Pd * 2)) { ck_l2_forward(&k.loss, k.canvas, k.x, B, P) }
    kernel("l2 loss backward", .bytes(4 * f * Pd * 3)) { ck_l2_backward(&k.dcanvas, k.dkl, k.canvas, k.x, B, P) }
    kernel("adam (981k parameters)", .bytes(4 * Double(k.slab.count) * 7)) {
        ck_adam_update(&k.slab, &k.m, &k.v, k.grad, k.slab.count, 1e-3, 0.5, 0.999, 1e-8, 5, 1, 10)
    }
    registerSwiftAPIRows(k, readFlops: readFlops)
    registerCheckRows()
    registerConvRows()
    registerStepRows()
}


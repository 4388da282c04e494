// Validation.swift: each benchmarked kernel checked once against its Float64 reference (or finite differences) before timing.
import CKernels
import DRAWTestSupport
import Foundation

/// Stops the benchmark run when a kernel disagrees with its reference: a fast wrong kernel has no throughput.
/// Errors are relative to max(|reference|, 1): absolute for the many values below 1.
func require(_ ok: Bool, _ what: String) {
    if !ok { fatalError("validation failed before timing: \(what)") }
    FileHandle.standardError.write(Data("validated: \(what)\n".utf8))
}

func doubles(_ a: [Float]) -> [Double] { a.map(Double.init) }

/// Directional check of a backward: ⟨gradient, v⟩ against the central difference of loss along v.
/// Float32 forwards at h = 1e-2 agree to about 1e-3 relative for these smooth kernels.
func directionalAgrees(loss: ([Float]) -> Double, at x: [Float], gradient: [Float], seed: UInt64) -> Bool {
    var rng = SeededRNG(seed: seed)
    let v = randomFloats(x.count, in: -1...1, rng: &rng)
    let h: Float = 1e-2
    let plus = zip(x, v).map { $0 + h * $1 }, minus = zip(x, v).map { $0 - h * $1 }
    let fd = (loss(plus) - loss(minus)) / Double(2 * h)
    let analytic = zip(gradient, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    return abs(fd - analytic) <= 2e-2 * max(abs(analytic), 1e-3) + 1e-3
}

/// The forward kernels against SPEC.md's formulas in Float64, on the benchmark's own inputs.
func validateForwards(_ k: Color64Inputs) {
    typealias S = Color64Inputs
    let B = S.B, C = S.C, H = S.H, W = S.W, N = S.N
    let ref = referenceAttention(head: doubles(k.head), B: B, N: N, H: H, W: W)
    require(maxRelativeError(k.Fx, ref.Fx, floor: 1) <= 1e-4 && maxRelativeError(k.Fy, ref.Fy, floor: 1) <= 1e-4
            && maxRelativeError(k.params, ref.params, floor: 1) <= 1e-5, "attention forward vs Float64 filterbank")
    var r = [Float](repeating: 0, count: B * S.R), T = k.T, U = k.U
    ck_read_forward(&r, Int32(S.R), &T, &U, k.x, k.xhat, k.Fx, k.Fy, k.params, Int32(B), Int32(C), Int32(H), Int32(W),
                    Int32(N))
    let gammas = stride(from: 4, to: k.params.count, by: 5).map { Double(k.params[$0]) }
    let rr = referenceRead(x: doubles(k.x), xhat: doubles(k.xhat), Fx: doubles(k.Fx), Fy: doubles(k.Fy),
                           gamma: gammas, B: B, C: C, H: H, W: W, N: N)
    require(maxRelativeError(r, rr, floor: 1) <= 1e-4, "read forward vs Float64 glimpses")
    var canvas = k.canvas
    ck_write_forward(&canvas, k.canvas, k.w, Int32(C * N * N), k.Fx, k.Fy, k.params, Int32(B), Int32(C), Int32(H), Int32(W), Int32(N))
    let rw = referenceWrite(canvas: doubles(k.canvas), w: doubles(k.w), Fx: doubles(k.Fx), Fy: doubles(k.Fy),
                            gamma: gammas, B: B, C: C, H: H, W: W, N: N)
    require(maxRelativeError(canvas, rw, floor: 1) <= 1e-4, "write forward vs Float64 patches")
    var h = k.h, c = k.c, act = k.act
    ck_lstm_forward(&h, Int32(S.E), &c, &act, k.pre, k.cPrev, Int32(B), Int32(S.E))
    let rl = PointwiseReference.lstmForward(pre: doubles(k.pre), cPrev: doubles(k.cPrev), B: B, H: S.E)
    require(maxRelativeError(h, rl.h, floor: 1) <= 1e-5 && maxRelativeError(c, rl.c, floor: 1) <= 1e-5, "LSTM forward vs Float64 gates")
    var z = k.z, kl = k.kl
    ck_latent_forward(&z, Int32(S.Z), &kl, k.mu, k.logsig, Int32(S.Z), k.eps, Int32(B), Int32(S.Z))
    let rz = PointwiseReference.latentForward(mu: doubles(k.mu), logsigma: doubles(k.logsig), eps: doubles(k.eps),
                                              B: B, Z: S.Z)
    require(maxRelativeError(z, rz.z, floor: 1) <= 1e-5 && maxRelativeError(kl, rz.kl, floor: 1) <= 1e-5, "latent forward vs Float64")
    var loss = k.loss
    ck_l2_forward(&loss, k.canvas, k.x, Int32(B), Int32(S.P))
    let r2 = PointwiseReference.l2(canvas: doubles(k.canvas), x: doubles(k.x), B: B, P: S.P)
    require(maxRelativeError(loss, r2, floor: 1) <= 1e-5, "L2 loss forward vs Float64")
}

/// The backward kernels by directional finite differences of their forwards.
func validateBackwards(_ k: Color64Inputs) {
    typealias S = Color64Inputs
    let B = Int32(S.B), C = Int32(S.C), H = Int32(S.H), W = Int32(S.W), N = Int32(S.N), R = Int32(S.R)
    // Read: L = Σ weights · r(x̂), gradient with respect to x̂.
    let weights = k.dr
    var T = k.T, U = k.U
    func readLoss(_ xh: [Float]) -> Double {
        var r = [Float](repeating: 0, count: S.B * S.R)
        ck_read_forward(&r, R, &T, &U, k.x, xh, k.Fx, k.Fy, k.params, B, C, H, W, N)
        return zip(r, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    _ = readLoss(k.xhat)  // T and U of the point the gradient is taken at
    var dxhat = [Float](repeating: 0, count: S.B * S.P)
    var dFx = [Float](repeating: 0, count: k.Fx.count), dFy = [Float](repeating: 0, count: k.Fy.count)
    var dparams = [Float](repeating: 0, count: k.params.count)
    ck_read_backward(nil, &dxhat, &dFx, &dFy, &dparams, weights, R, T, U, k.Fx, k.Fy, k.params, B, C, H, W, N)
    require(directionalAgrees(loss: readLoss, at: k.xhat, gradient: dxhat, seed: 1), "read backward (x̂) vs finite differences")
    // Write: L = Σ weights · canvas(w), gradient with respect to w.
    let zeros = [Float](repeating: 0, count: S.B * S.P)
    func writeLoss(_ w: [Float]) -> Double {
        var canvas = [Float](repeating: 0, count: S.B * S.P)
        ck_write_forward(&canvas, zeros, w, C * N * N, k.Fx, k.Fy, k.params, B, C, H, W, N)
        return zip(canvas, k.dcanvas).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    var dw = [Float](repeating: 0, count: k.w.count)
    dFx = dFx.map { _ in 0 }; dFy = dFy.map { _ in 0 }; dparams = dparams.map { _ in 0 }
    ck_write_backward(&dw, C * N * N, &dFx, &dFy, &dparams, k.dcanvas, k.w, C * N * N, k.Fx, k.Fy, k.params, B, C, H, W, N)
    require(directionalAgrees(loss: writeLoss, at: k.w, gradient: dw, seed: 2), "write backward (w) vs finite differences")
    // LSTM: L = Σ dh · h(pre), gradient with respect to the pre-activations.
    func lstmLoss(_ pre: [Float]) -> Double {
        var h = k.h, c = k.c, act = k.act
        ck_lstm_forward(&h, Int32(S.E), &c, &act, pre, k.cPrev, B, Int32(S.E))
        return zip(h, k.dh).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    var h = k.h, c = k.c, act = k.act
    ck_lstm_forward(&h, Int32(S.E), &c, &act, k.pre, k.cPrev, B, Int32(S.E))
    var dpre = [Float](repeating: 0, count: k.pre.count)
    ck_lstm_backward(&dpre, nil, k.dh, nil, act, c, k.cPrev, B, Int32(S.E))
    require(directionalAgrees(loss: lstmLoss, at: k.pre, gradient: dpre, seed: 3), "LSTM backward vs finite differences")
}

/// Every output of y = A Bᵀ (A (M, K), B (N, K)) within `factor` (K + 2) u Σ|terms| of the Float64 dot product of
/// the inputs as `round` leaves them (Higham's bound, with the float32 product's validation keeping its factor 2).
func requireProduct(_ y: [Float], _ A: [Float], _ B: [Float], M: Int, K: Int, N: Int, factor: Double,
                    round: (Float) -> Double, _ what: String) {
    // One verdict for all M·N outputs (one line, not one per output): the worst error as a share of its bound.
    var worst = 0.0, worstAt = (0, 0)
    for i in 0..<M {
        for j in 0..<N {
            var exact = 0.0, magnitude = 0.0
            for q in 0..<K {
                let t = round(A[i * K + q]) * round(B[j * K + q])
                exact += t; magnitude += abs(t)
            }
            let bound = max(factor * Double(K + 2) * 0x1p-24 * magnitude, .leastNormalMagnitude)
            let share = abs(Double(y[i * N + j]) - exact) / bound
            if !worst.isNaN, !(share <= worst) { (worst, worstAt) = (share, (i, j)) }   // a NaN output stays the worst
        }
    }
    require(worst <= 1, "\(what), all \(M)x\(N) outputs within Higham's bound (worst \(String(format: "%.3f", worst)) "
            + "of it at (\(worstAt.0), \(worstAt.1)))")
}

/// The packed product against Float64 dot products on every output (bound 2 (K + 2) u Σ|terms|).
func validatePackedGemm(_ k: Color64Inputs) {
    typealias S = Color64Inputs
    let M = S.B, K = S.R + S.E + S.D, N = 4 * S.E
    var y = [Float](repeating: .nan, count: M * N)
    ck_linear_forward_packed(&y, Int32(N), k.gemmA, Int32(K), k.gemmPacked, Int32(K), nil, Int32(M), Int32(K), Int32(N), 0)
    requireProduct(y, k.gemmA, k.gemmB, M: M, K: K, N: N, factor: 2, round: { Double($0) }, "packed gemm output")
}

/// The bf16 product against Float64 dot products of the bf16-rounded inputs (bound (K + 2) u Σ|terms|).
func validatePackedGemmBF16(_ k: Color64Inputs) {
    typealias S = Color64Inputs
    let M = S.B, K = S.R + S.E + S.D, N = 4 * S.E
    var y = [Float](repeating: .nan, count: M * N)
    ck_gemm_packed_bf16(&y, Int32(N), k.gemmA, Int32(K), k.gemmPackedBF16, Int32(K), 0, Int32(M), Int32(N), Int32(K), 0,
                        nil, &k.bf16Scratch)
    requireProduct(y, k.gemmA, k.gemmB, M: M, K: K, N: N, factor: 1,
                   round: { Double(ck_bf16_to_float(ck_bf16_from_float($0))) }, "bf16 packed gemm output")
}

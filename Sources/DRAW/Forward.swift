// Forward.swift: SPEC.md steps 1–6 for t = 1…T over a batch, caching what the backward needs, and the losses.
import DRAWKernels

extension DRAWModel {
    /// The forward pass on `cache.x`; ε is already in `cache.eps` unless `mode` is `.mean`.
    func forward(_ k: ForwardCache, mode: LatentMode) -> LossReport {
        let c = config, L = layout, p = params.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let In = c.encoderInputSize, head = c.fused.headRow, K = head.width, row = c.fused.stepRow
        let Nr = c.readN, Nw = c.writeN, Wd = k.rowWidth, H = c.height, W = c.width
        let image = Shape(B, c.channels, H, W), x = view(k.x, image)
        let useEps = if case .mean = mode { false } else { true }
        let w = packedWeights()
        zero(k.canvas[0], B * P)   // c_0 = 0 (without the history, the one canvas buffer holds the last c_T)

        if c.attention {
            // h_dec(0) = 0, so the first read head is its bias (a linear layer with no input columns).
            copyRows(k.heads[0], K, p + L.headB, 0, rows: B, columns: K)
        } else {
            // Without attention r = [x, x̂]: x's share of the encoder gates (with both biases) is the same every step.
            let columns = c.fused.encoderColumns.x
            kernels { () throws(KernelError) in
                try linearForward(y: view(k.xProj, Shape(B, 4 * E)), x: view(k.x, Shape(B, P)),
                                  weight: view(p + L.encWih + columns.lowerBound, Shape(4 * E, columns.count), rowStride: In),
                                  bias: view(w.encBias, Shape(4 * E)))
            }
        }
        for t in 1...T {
            // h_enc(0) = h_dec(0) = 0: at t = 1 the products on them would add exact zeros, so they are left out
            // (the encoder multiplies only the r columns, the decoder only z).
            let first = t == 1
            let stepRow = k.stepRows[t]
            // 1. x̂ = x − sigmoid(c_{t−1})
            let xhat = view(k.xhat[t], image)
            kernels { () throws(KernelError) in try xhatForward(xhat: xhat, x: x, canvas: view(k.canvas[t - 1], image)) }

            // 2. read into the step row's first columns (x̂ itself without attention).
            if c.attention {
                let window = k.readWindow(t, B: B, N: Nr, H: H, W: W)
                kernels { () throws(KernelError) in
                    try attentionForward(params: window.params, Fx: window.Fx, Fy: window.Fy,
                                         head: view(k.heads[t - 1] + head.readAttention.lowerBound, Shape(B, 5), rowStride: K))
                    try readForward(r: view(stepRow + row.read.lowerBound, Shape(B, row.read.count), rowStride: Wd),
                                    T: view(k.readT[t], Shape(B, 2 * c.channels, Nr, W)),
                                    U: view(k.readU[t], Shape(B, 2 * c.channels, Nr, H)), x: x, xhat: xhat,
                                    Fx: window.Fx, Fy: window.Fy, params: window.params)
                }
            } else {
                copyRows(stepRow + row.read.lowerBound, Wd, k.xhat[t], P, rows: B, columns: P)
            }

            // 3. encoder gates = [W_ih | W_hh] [r, h_enc(t−1), h_dec(t−1)] + b_ih + b_hh: one product over the row
            // (x's share and the biases are in xProj without attention).
            let gates = k.encAct[t], encIn = first ? row.read.count : row.encoderInput.count
            if c.attention {
                linear(gates, 4 * E, stepRow, Wd, w.encT, w.encBias, rows: B, in: encIn, out: 4 * E, accumulate: false)
            } else {
                copy(gates, k.xProj, B * 4 * E)
                linear(gates, 4 * E, stepRow, Wd, w.encT, nil, rows: B, in: encIn, out: 4 * E, accumulate: true)
            }
            lstm(h: k.hEnc[t], rowStride: Wd, c: k.cEnc[t], gates: gates, cPrev: k.cEnc[t - 1], B: B, H: E)

            // 4. [μ, log σ] = one (2Z, E) linear; z = μ + exp(log σ)·ε, into the row
            linear(k.ml[t], 2 * Z, k.hEnc[t], Wd, w.mlT, p + L.mlB, rows: B, in: E, out: 2 * Z, accumulate: false)
            kernels { () throws(KernelError) in
                try latentForward(z: view(k.z[t], Shape(B, Z), rowStride: Wd), kl: view(k.kl[t], Shape(B)),
                                  mu: view(k.ml[t], Shape(B, Z), rowStride: 2 * Z),
                                  logSigma: view(k.ml[t] + Z, Shape(B, Z), rowStride: 2 * Z),
                                  eps: useEps ? view(k.eps[t], Shape(B, Z)) : nil)
            }

            // 5. decoder gates = [W_hh | W_ih] [h_dec(t−1), z_t] + b_hh + b_ih (at t = 1 only the z rows)
            let dgates = k.decAct[t]
            if first {
                linear(dgates, 4 * D, k.z[t], Wd, w.decT.rows(from: row.decoderZRow), w.decBias, rows: B, in: Z, out: 4 * D,
                       accumulate: false)
            } else {
                linear(dgates, 4 * D, k.hDec[t - 1], Wd, w.decT, w.decBias, rows: B, in: row.decoderInput.count, out: 4 * D,
                       accumulate: false)
            }
            lstm(h: k.hDec[t], rowStride: Wd, c: k.cDec[t], gates: dgates, cPrev: k.cDec[t - 1], B: B, H: D)

            // 6. write; with attention one GEMM on h_dec(t) gives w, the write head and the read head of step t+1
            if c.attention {
                linear(k.heads[t], K, k.hDec[t], Wd, w.headT, p + L.headB, rows: B, in: D, out: K, accumulate: false)
                // c_t = c_{t−1} + write: in place, or into the next history slot (the kernel copies c_{t−1} first).
                let window = k.writeWindow(t, B: B, N: Nw, H: H, W: W)
                kernels { () throws(KernelError) in
                    try attentionForward(params: window.params, Fx: window.Fx, Fy: window.Fy,
                                         head: view(k.heads[t] + head.writeAttention.lowerBound, Shape(B, 5), rowStride: K))
                    try writeForward(canvas: view(k.canvas[t], image), canvasPrev: view(k.canvas[t - 1], image),
                                     w: view(k.heads[t] + head.write.lowerBound, Shape(B, head.write.count), rowStride: K),
                                     Fx: window.Fx, Fy: window.Fy, params: window.params)
                }
            } else {
                // c_t = c_{t−1} + write(h_dec(t)): the GEMM adds straight into the canvas.
                if k.keepsCanvases { copy(k.canvas[t], k.canvas[t - 1], B * P) }
                linear(k.canvas[t], P, k.hDec[t], Wd, w.headT, p + L.headB, rows: B, in: D, out: P, accumulate: true)
            }
        }
        return losses(k)
    }

    /// Per-image recon on c_T and KL summed over the steps, in Float64.
    func losses(_ k: ForwardCache) -> LossReport {
        let B = k.batch, T = config.steps, P = config.pixels
        kernels { () throws(KernelError) in
            try lossForward(config.loss.kernel, loss: view(k.recon, Shape(B)), canvas: view(k.canvas[T], Shape(B, P)),
                            x: view(k.x, Shape(B, P)))
        }
        var recon = [Double](repeating: 0, count: B), kl = recon, total = recon
        for b in 0..<B {
            recon[b] = Double(k.recon[b])
            for t in 1...T { kl[b] += Double(k.kl[t][b]) }
            total[b] = recon[b] + Double(klWeight) * kl[b]
        }
        return LossReport(total: total, recon: recon, kl: kl)
    }
}

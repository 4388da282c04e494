// Forward.swift: SPEC.md steps 1–6 for t = 1…T over a batch, caching what the backward needs, and the losses.
import CKernels

extension DRAWModel {
    /// The forward pass on `cache.x`; ε is already in `cache.eps` unless `mode` is `.mean`.
    func forward(_ k: ForwardCache, mode: LatentMode) -> LossReport {
        let c = config, L = layout, p = params.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let In = c.encoderInputSize, head = c.fused.headRow, K = head.width, row = c.fused.stepRow
        let Nr = c.readN, Nw = c.writeN, Wd = k.rowWidth
        let useEps = if case .mean = mode { false } else { true }
        let w = packedWeights()
        zero(k.canvas[0], B * P)   // c_0 = 0 (without the history, the one canvas buffer holds the last c_T)

        if c.attention {
            // h_dec(0) = 0, so the first read head is its bias (a linear layer with no input columns).
            ck_linear_forward(k.heads[0], K.c, k.hDec[0], Wd.c, p + L.headW, D.c, p + L.headB, B.c, 0, K.c, 0)
        } else {
            // Without attention r = [x, x̂]: x's share of the encoder gates (with both biases) is the same every step.
            let x = c.fused.encoderColumns.x
            ck_linear_forward(k.xProj, (4 * E).c, k.x, P.c, p + L.encWih + x.lowerBound, In.c, w.encBias, B.c,
                              x.count.c, (4 * E).c, 0)
        }
        for t in 1...T {
            // h_enc(0) = h_dec(0) = 0: at t = 1 the products on them would add exact zeros, so they are left out
            // (the encoder multiplies only the r columns, the decoder only z).
            let first = t == 1
            let stepRow = k.stepRows[t]
            // 1. x̂ = x − sigmoid(c_{t−1})
            ck_xhat_forward(k.xhat[t], k.x, k.canvas[t - 1], B.c, P.c)

            // 2. read into the step row's first columns (x̂ itself without attention).
            if c.attention {
                ck_attention_forward(k.readParams[t], k.readFx[t], k.readFy[t],
                                     k.heads[t - 1] + head.readAttention.lowerBound, K.c, B.c, Nr.c, c.height.c, c.width.c)
                ck_read_forward(stepRow + row.read.lowerBound, Wd.c, k.readT[t], k.readU[t], k.x, k.xhat[t], k.readFx[t], k.readFy[t],
                                k.readParams[t], B.c, c.channels.c, c.height.c, c.width.c, Nr.c)
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
            ck_lstm_forward(k.hEnc[t], Wd.c, k.cEnc[t], gates, gates, k.cEnc[t - 1], B.c, E.c)

            // 4. [μ, log σ] = one (2Z, E) linear; z = μ + exp(log σ)·ε, into the row
            linear(k.ml[t], 2 * Z, k.hEnc[t], Wd, w.mlT, p + L.mlB, rows: B, in: E, out: 2 * Z, accumulate: false)
            ck_latent_forward(k.z[t], Wd.c, k.kl[t], k.ml[t], k.ml[t] + Z, (2 * Z).c, useEps ? k.eps[t] : nil, B.c, Z.c)

            // 5. decoder gates = [W_hh | W_ih] [h_dec(t−1), z_t] + b_hh + b_ih (at t = 1 only the z rows)
            let dgates = k.decAct[t]
            if first {
                linear(dgates, 4 * D, k.z[t], Wd, w.decT.rows(from: row.decoderZRow), w.decBias, rows: B, in: Z, out: 4 * D,
                       accumulate: false)
            } else {
                linear(dgates, 4 * D, k.hDec[t - 1], Wd, w.decT, w.decBias, rows: B, in: row.decoderInput.count, out: 4 * D,
                       accumulate: false)
            }
            ck_lstm_forward(k.hDec[t], Wd.c, k.cDec[t], dgates, dgates, k.cDec[t - 1], B.c, D.c)

            // 6. write; with attention one GEMM on h_dec(t) gives w, the write head and the read head of step t+1
            if c.attention {
                linear(k.heads[t], K, k.hDec[t], Wd, w.headT, p + L.headB, rows: B, in: D, out: K, accumulate: false)
                ck_attention_forward(k.writeParams[t], k.writeFx[t], k.writeFy[t],
                                     k.heads[t] + head.writeAttention.lowerBound, K.c, B.c, Nw.c, c.height.c, c.width.c)
                // c_t = c_{t−1} + write: in place, or into the next history slot (the kernel copies c_{t−1} first).
                ck_write_forward(k.canvas[t], k.canvas[t - 1], k.heads[t] + head.write.lowerBound, K.c, k.writeFx[t], k.writeFy[t], k.writeParams[t],
                                 B.c, c.channels.c, c.height.c, c.width.c, Nw.c)
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
        switch config.loss {
        case .bce: ck_bce_forward(k.recon, k.canvas[T], k.x, B.c, P.c)
        case .l2: ck_l2_forward(k.recon, k.canvas[T], k.x, B.c, P.c)
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

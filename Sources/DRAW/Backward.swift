// Backward.swift: backpropagation through time: the sequential state gradients step by step, then each weight
// gradient as one GEMM over all T·B rows.
import CKernels

extension DRAWModel {
    /// Accumulates d(batch-mean loss)/d parameters into `grads` from the forward cached in `k`.
    /// `reconstructionGradient`, when given, writes dL/dc_T `[B, P]` (already zero) in place of the config's loss.
    func backward(_ k: ForwardCache, _ s: BackwardScratch, mode: LatentMode,
                  reconstructionGradient: ((UnsafeMutablePointer<Float>) -> Void)? = nil) {
        let c = config, L = layout, p = params.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let R = c.readSize, In = c.encoderInputSize, head = c.fused.headRow, K = head.width
        let H = c.height, W = c.width, C = c.channels, Nr = c.readN, Nw = c.writeN
        let useEps = if case .mean = mode { false } else { true }
        let w = packedWeights(backward: true)
        s.reset()

        // loss = mean_b (recon_b + klWeight · KL_b)
        for b in 0..<B {
            s.dRecon[b] = 1 / Float(B)
            s.dKL[b] = klWeight / Float(B)
        }
        if let reconstructionGradient { reconstructionGradient(s.dCanvas) } else {
            switch c.loss {
            case .bce: ck_bce_backward(s.dCanvas, s.dRecon, k.canvas[T], k.x, B.c, P.c)
            case .l2: ck_l2_backward(s.dCanvas, s.dRecon, k.canvas[T], k.x, B.c, P.c)
            }
        }

        for t in stride(from: T, through: 1, by: -1) {
            // 6. write: dCanvas is dL/dc_t here (c_t = c_{t−1} + write passes it through unchanged).
            if c.attention {
                zero(s.dFx, B * Nw * W); zero(s.dFy, B * Nw * H); zero(s.dParams, B * 5)
                let write = head.write.lowerBound, writeHead = head.writeAttention.lowerBound
                ck_write_backward(s.dHeads[t] + write, K.c, s.dFx, s.dFy, s.dParams, s.dCanvas,
                                  k.heads[t] + write, K.c, k.writeFx[t], k.writeFy[t], k.writeParams[t],
                                  B.c, C.c, H.c, W.c, Nw.c)
                ck_attention_backward(s.dHeads[t] + writeHead, K.c, s.dParams, s.dFx, s.dFy, k.writeParams[t],
                                      k.writeFx[t], k.writeFy[t], k.heads[t] + writeHead, K.c, B.c, Nw.c, H.c, W.c)
            } else {
                copy(s.dHeads[t] + head.write.lowerBound, s.dCanvas, B * P)
            }
            // h_dec(t) fed the head GEMM (write, write head, read head of t+1; that last part was filled at t+1).
            accumulateProduct(s.dhDec, D, s.dHeads[t], K, w.headN, rows: B, out: D)

            // 5. decoder LSTM; then h_dec(t−1) and z get their share through W_hh and W_ih.
            zero(s.dcDecNext, B * D)
            ck_lstm_backward(k.dDecPre[t], s.dcDecNext, s.dhDec, s.dcDec, k.decAct[t], k.cDec[t], k.cDec[t - 1],
                             B.c, D.c)
            (s.dcDec, s.dcDecNext) = (s.dcDecNext, s.dcDec)
            zero(s.dhDec, B * D); zero(s.dz, B * Z)
            accumulateProduct(s.dz, Z, k.dDecPre[t], 4 * D, w.decIhN, rows: B, out: Z)
            // h_enc(0) and h_dec(0) are constants: at t = 1 their gradients are not needed.
            if t > 1 { accumulateProduct(s.dhDec, D, k.dDecPre[t], 4 * D, w.decHhN, rows: B, out: D) }

            // 4. latent and KL, then h_enc(t) through the stacked [μ; log σ] weight.
            ck_latent_backward(s.dML[t], s.dML[t] + Z, (2 * Z).c, s.dz, s.dKL, k.ml[t], k.ml[t] + Z, (2 * Z).c,
                               useEps ? k.eps[t] : nil, B.c, Z.c)
            accumulateProduct(s.dhEnc, E, s.dML[t], 2 * Z, w.mlN, rows: B, out: E)

            // 3. encoder LSTM; h_enc(t−1) through W_hh, h_dec(t−1) through W_ih's second column block.
            zero(s.dcEncNext, B * E)
            ck_lstm_backward(k.dEncPre[t], s.dcEncNext, s.dhEnc, s.dcEnc, k.encAct[t], k.cEnc[t], k.cEnc[t - 1],
                             B.c, E.c)
            (s.dcEnc, s.dcEncNext) = (s.dcEncNext, s.dcEnc)
            zero(s.dhEnc, B * E)
            if t > 1 {
                accumulateProduct(s.dhEnc, E, k.dEncPre[t], 4 * E, w.encHhN, rows: B, out: E)
                accumulateProduct(s.dhDec, D, k.dEncPre[t], 4 * E, w.encIhHdN, rows: B, out: D)
            }

            // 2. read (its head is in heads[t−1], fed by h_dec(t−1)); 1. x̂ = x − sigmoid(c_{t−1}).
            zero(s.dxhat, B * P)
            if c.attention {
                zero(s.dr, B * R)
                accumulateProduct(s.dr, R, k.dEncPre[t], 4 * E, w.encIhRN, rows: B, out: R)
                zero(s.dFx, B * Nr * W); zero(s.dFy, B * Nr * H); zero(s.dParams, B * 5)
                ck_read_backward(nil, s.dxhat, s.dFx, s.dFy, s.dParams, s.dr, R.c, k.readT[t], k.readU[t],
                                 k.readFx[t], k.readFy[t], k.readParams[t], B.c, C.c, H.c, W.c, Nr.c)
                let readHead = head.readAttention.lowerBound
                ck_attention_backward(s.dHeads[t - 1] + readHead, K.c, s.dParams, s.dFx, s.dFy, k.readParams[t],
                                      k.readFx[t], k.readFy[t], k.heads[t - 1] + readHead, K.c, B.c, Nr.c, H.c, W.c)
            } else if t > 1 {
                let xhat = c.fused.encoderColumns.stepRead
                ck_linear_backward(s.dxhat, P.c, nil, 0, nil, k.dEncPre[t], (4 * E).c, k.xhat[t], P.c,
                                   p + L.encWih + xhat.lowerBound, In.c, B.c, xhat.count.c, (4 * E).c)
            }
            // c_0 is a constant, so the canvas gradient stops at t = 1; sigmoid(c_{t−1}) = x − x̂_t.
            if t > 1 { ck_xhat_backward(s.dCanvas, s.dxhat, k.x, k.xhat[t], B.c, P.c) }
        }
        weightGradients(k, s)
    }

    /// dW += dYᵀ X for every weight, each one GEMM over the T·B rows; the recurrent weights and the head stack skip
    /// the rows of h(0) = 0 (they add nothing), while the head biases sum all (T+1)·B rows (the first carry the
    /// first read head's bias gradient).
    private func weightGradients(_ k: ForwardCache, _ s: BackwardScratch) {
        let c = config, L = layout, p = params.base, g = grads.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let In = c.encoderInputSize, K = c.fused.headRow.width, row = c.fused.stepRow, Wd = k.rowWidth.c
        let columns = c.fused.encoderColumns
        let TB = (T * B).c, E4 = (4 * E).c, D4 = (4 * D).c

        // db += 1ᵀ dY: the bias gradients as GEMMs with a row of ones over all rows.
        func biasGradient(_ db: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, rows: Int, width: Int) {
            ck_gemm(0, 0, 1, width.c, rows.c, 1, s.ones, rows.c, dy, width.c, 1, db, width.c)
        }
        let recurrentRows = ((T - 1) * B).c   // steps t = 2…T, whose h(t−1) is not the zero state
        // The inputs are columns of the cache's step rows (stride Wd), T·B (or (T−1)·B) consecutive rows each.
        ck_linear_backward(nil, 0, g + L.headW, D.c, nil, s.dHeads[1], K.c, k.hDec[1], Wd,
                           p + L.headW, D.c, TB, D.c, K.c)
        biasGradient(g + L.headB, s.dHeads[0], rows: (T + 1) * B, width: K)
        ck_linear_backward(nil, 0, g + L.decWih, Z.c, nil, k.dDecPre[1], D4, k.z[1], Wd,
                           p + L.decWih, Z.c, TB, Z.c, D4)
        ck_linear_backward(nil, 0, g + L.decWhh, D.c, nil, k.dDecPre[2], D4, k.hDec[1], Wd,
                           p + L.decWhh, D.c, recurrentRows, D.c, D4)
        biasGradient(g + L.decBih, k.dDecPre[1], rows: T * B, width: 4 * D)
        ck_linear_backward(nil, 0, g + L.mlW, E.c, nil, s.dML[1], (2 * Z).c, k.hEnc[1], Wd,
                           p + L.mlW, E.c, TB, E.c, (2 * Z).c)
        biasGradient(g + L.mlB, s.dML[1], rows: T * B, width: 2 * Z)
        // W_ih's per-step columns: r (or x̂) over all T·B rows, h_dec(t−1) over the rows of t = 2…T.
        let read = columns.stepRead.lowerBound, hDec = columns.hDec.lowerBound
        ck_linear_backward(nil, 0, g + L.encWih + read, In.c, nil, k.dEncPre[1], E4, k.stepRows[1] + row.read.lowerBound,
                           Wd, p + L.encWih + read, In.c, TB, row.read.count.c, E4)
        ck_linear_backward(nil, 0, g + L.encWih + hDec, In.c, nil, k.dEncPre[2], E4, k.hDec[1], Wd,
                           p + L.encWih + hDec, In.c, recurrentRows, D.c, E4)
        if !c.attention {
            // x is the same at every step: Σ_t dgates_t (one GEMM with a row of ones), then one GEMM with x.
            ck_gemm(0, 0, 1, (B * 4 * E).c, T.c, 1, s.ones, T.c, k.dEncPre[1], (B * 4 * E).c, 0,
                    s.dEncPreSum, (B * 4 * E).c)
            ck_linear_backward(nil, 0, g + L.encWih + columns.x.lowerBound, In.c, nil, s.dEncPreSum, E4, k.x, P.c,
                               p + L.encWih + columns.x.lowerBound, In.c, B.c, columns.x.count.c, E4)
        }
        ck_linear_backward(nil, 0, g + L.encWhh, E.c, nil, k.dEncPre[2], E4, k.hEnc[1], Wd,
                           p + L.encWhh, E.c, recurrentRows, E.c, E4)
        biasGradient(g + L.encBhh, k.dEncPre[1], rows: T * B, width: 4 * E)
        // b_ih and b_hh of an LSTM get the same gradient (the column sums of its gate gradients): summed once, then
        // added to the twin (the gradient slab is zero on entry, so the twin holds exactly that sum).
        add(g + L.encBih, g + L.encBhh, 4 * E)
        add(g + L.decBhh, g + L.decBih, 4 * D)
    }
}

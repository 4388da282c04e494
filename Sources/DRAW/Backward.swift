// Backward.swift: backpropagation through time: the sequential state gradients step by step, then each weight
// gradient as one GEMM over all T·B rows.
import DRAWKernels

extension DRAWModel {
    /// Accumulates d(batch-mean loss)/d parameters into `grads` from the forward cached in `k`.
    /// `reconstructionGradient`, when given, writes dL/dc_T `[B, P]` (already zero) in place of the config's loss.
    func backward(_ k: ForwardCache, _ s: BackwardScratch, mode: LatentMode,
                  reconstructionGradient: ((UnsafeMutablePointer<Float>) -> Void)? = nil) {
        let c = config, L = layout, p = params.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let R = c.readSize, In = c.encoderInputSize, head = c.fused.headRow, K = head.width
        let H = c.height, W = c.width, C = c.channels, Nr = c.readN, Nw = c.writeN
        let image = Shape(B, C, H, W), x = view(k.x, image), dCanvas = view(s.dCanvas, image)
        let useEps = if case .mean = mode { false } else { true }
        let w = packedWeights(backward: true)
        s.reset()

        // loss = mean_b (recon_b + klWeight · KL_b)
        for b in 0..<B {
            s.dRecon[b] = 1 / Float(B)
            s.dKL[b] = klWeight / Float(B)
        }
        if let reconstructionGradient { reconstructionGradient(s.dCanvas) } else {
            kernels { () throws(KernelError) in
                try lossBackward(c.loss.kernel, dcanvas: dCanvas, dloss: view(s.dRecon, Shape(B)),
                                 canvas: view(k.canvas[T], image), x: x)
            }
        }

        for t in stride(from: T, through: 1, by: -1) {
            // 6. write: dCanvas is dL/dc_t here (c_t = c_{t−1} + write passes it through unchanged).
            if c.attention {
                zero(s.dFx, B * Nw * W); zero(s.dFy, B * Nw * H); zero(s.dParams, B * 5)
                let write = head.write.lowerBound, writeHead = head.writeAttention.lowerBound
                let window = k.writeWindow(t, B: B, N: Nw, H: H, W: W), d = s.window(B: B, N: Nw, H: H, W: W)
                let patch = Shape(B, head.write.count)
                kernels { () throws(KernelError) in
                    try writeBackward(dw: view(s.dHeads[t] + write, patch, rowStride: K), dFx: d.Fx, dFy: d.Fy,
                                      dparams: d.params, dcanvas: dCanvas, w: view(k.heads[t] + write, patch, rowStride: K),
                                      Fx: window.Fx, Fy: window.Fy, params: window.params)
                    try attentionBackward(dhead: view(s.dHeads[t] + writeHead, Shape(B, 5), rowStride: K),
                                          dparams: d.params, dFx: d.Fx, dFy: d.Fy, params: window.params,
                                          Fx: window.Fx, Fy: window.Fy)
                }
            } else {
                copy(s.dHeads[t] + head.write.lowerBound, s.dCanvas, B * P)
            }
            // h_dec(t) fed the head GEMM (write, write head, read head of t+1; that last part was filled at t+1).
            accumulateProduct(s.dhDec, D, s.dHeads[t], K, w.headN, rows: B, out: D)

            // 5. decoder LSTM; then h_dec(t−1) and z get their share through W_hh and W_ih.
            zero(s.dcDecNext, B * D)
            lstmGradient(k.decAct[t], dcPrev: s.dcDecNext, dh: s.dhDec, dc: s.dcDec, c: k.cDec[t], cPrev: k.cDec[t - 1],
                         B: B, H: D)
            (s.dcDec, s.dcDecNext) = (s.dcDecNext, s.dcDec)
            zero(s.dhDec, B * D); zero(s.dz, B * Z)
            accumulateProduct(s.dz, Z, k.dDecPre[t], 4 * D, w.decIhN, rows: B, out: Z)
            // h_enc(0) and h_dec(0) are constants: at t = 1 their gradients are not needed.
            if t > 1 { accumulateProduct(s.dhDec, D, k.dDecPre[t], 4 * D, w.decHhN, rows: B, out: D) }

            // 4. latent and KL, then h_enc(t) through the stacked [μ; log σ] weight. With free bits, a step whose
            // batch-mean KL is under λ has the constant term λ in place of its KL: no KL gradient.
            let klIsFree = freeBits > 0 && batchMean(k.kl[t], B) < Double(freeBits)
            kernels { () throws(KernelError) in
                let latent = Shape(B, Z)
                try latentBackward(dmu: view(s.dML[t], latent, rowStride: 2 * Z),
                                   dlogSigma: view(s.dML[t] + Z, latent, rowStride: 2 * Z), dz: view(s.dz, latent),
                                   dkl: klIsFree ? nil : view(s.dKL, Shape(B)), mu: view(k.ml[t], latent, rowStride: 2 * Z),
                                   logSigma: view(k.ml[t] + Z, latent, rowStride: 2 * Z),
                                   eps: useEps ? view(k.eps[t], latent) : nil)
            }
            accumulateProduct(s.dhEnc, E, s.dML[t], 2 * Z, w.mlN, rows: B, out: E)

            // 3. encoder LSTM; h_enc(t−1) through W_hh, h_dec(t−1) through W_ih's second column block.
            zero(s.dcEncNext, B * E)
            lstmGradient(k.encAct[t], dcPrev: s.dcEncNext, dh: s.dhEnc, dc: s.dcEnc, c: k.cEnc[t], cPrev: k.cEnc[t - 1],
                         B: B, H: E)
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
                accumulateProduct(s.dr, R, k.dEncPre[t], 4 * E, w.encIhRN!, rows: B, out: R)
                zero(s.dFx, B * Nr * W); zero(s.dFy, B * Nr * H); zero(s.dParams, B * 5)
                let window = k.readWindow(t, B: B, N: Nr, H: H, W: W), d = s.window(B: B, N: Nr, H: H, W: W)
                let readHead = head.readAttention.lowerBound
                kernels { () throws(KernelError) in
                    try readBackward(dx: nil, dxhat: view(s.dxhat, image), dFx: d.Fx, dFy: d.Fy, dparams: d.params,
                                     dr: view(s.dr, Shape(B, R)), T: view(k.readT[t], Shape(B, 2 * C, Nr, W)),
                                     U: view(k.readU[t], Shape(B, 2 * C, Nr, H)), Fx: window.Fx, Fy: window.Fy,
                                     params: window.params)
                    try attentionBackward(dhead: view(s.dHeads[t - 1] + readHead, Shape(B, 5), rowStride: K),
                                          dparams: d.params, dFx: d.Fx, dFy: d.Fy, params: window.params,
                                          Fx: window.Fx, Fy: window.Fy)
                }
            } else if t > 1 {
                let xhat = c.fused.encoderColumns.stepRead
                kernels { () throws(KernelError) in
                    try linearBackward(dx: view(s.dxhat, Shape(B, P)), dW: nil, db: nil,
                                       dy: view(k.dEncPre[t], Shape(B, 4 * E)), x: view(k.xhat[t], Shape(B, P)),
                                       weight: view(p + L.encWih + xhat.lowerBound, Shape(4 * E, xhat.count), rowStride: In))
                }
            }
            // c_0 is a constant, so the canvas gradient stops at t = 1; sigmoid(c_{t−1}) = x − x̂_t.
            if t > 1 {
                kernels { () throws(KernelError) in
                    try xhatBackward(dcanvas: dCanvas, dxhat: view(s.dxhat, image), x: x, xhat: view(k.xhat[t], image))
                }
            }
        }
        weightGradients(k, s)
    }

    /// dW += dYᵀ X for every weight, each one GEMM over the T·B rows; the recurrent weights and the head stack skip
    /// the rows of h(0) = 0 (they add nothing), while the head biases sum all (T+1)·B rows (the first carry the
    /// first read head's bias gradient).
    private func weightGradients(_ k: ForwardCache, _ s: BackwardScratch) {
        let c = config, L = layout, p = params.base, g = grads.base
        let B = k.batch, T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let In = c.encoderInputSize, K = c.fused.headRow.width, row = c.fused.stepRow, Wd = k.rowWidth
        let columns = c.fused.encoderColumns

        // dW (out, in) += dYᵀ X over `rows` rows, for the weight at `offset` in the slabs (row stride ldw).
        func weightGradient(_ offset: Int, _ ldw: Int, dy: UnsafeMutablePointer<Float>, _ lddy: Int,
                            x: UnsafeMutablePointer<Float>, _ ldx: Int, rows: Int, in: Int, out: Int) {
            guard rows > 0 else { return }
            kernels { () throws(KernelError) in
                try linearBackward(dx: nil, dW: view(g + offset, Shape(out, `in`), rowStride: ldw), db: nil,
                                   dy: view(dy, Shape(rows, out), rowStride: lddy),
                                   x: view(x, Shape(rows, `in`), rowStride: ldx),
                                   weight: view(p + offset, Shape(out, `in`), rowStride: ldw))
            }
        }
        // db += 1ᵀ dY: the bias gradients as GEMMs with a row of ones over all rows.
        func biasGradient(_ offset: Int, _ dy: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
            kernels { () throws(KernelError) in
                try gemm(a: view(s.ones, Shape(1, rows)), b: view(dy, Shape(rows, width)), beta: 1,
                         c: view(g + offset, Shape(1, width)))
            }
        }
        let TB = T * B, recurrentRows = (T - 1) * B   // steps t = 2…T, whose h(t−1) is not the zero state
        // The inputs are columns of the cache's step rows (stride Wd), T·B (or (T−1)·B) consecutive rows each.
        weightGradient(L.headW, D, dy: s.dHeads[1], K, x: k.hDec[1], Wd, rows: TB, in: D, out: K)
        biasGradient(L.headB, s.dHeads[0], rows: (T + 1) * B, width: K)
        weightGradient(L.decWih, Z, dy: k.dDecPre[1], 4 * D, x: k.z[1], Wd, rows: TB, in: Z, out: 4 * D)
        weightGradient(L.decWhh, D, dy: k.dDecPre[2], 4 * D, x: k.hDec[1], Wd, rows: recurrentRows, in: D, out: 4 * D)
        biasGradient(L.decBih, k.dDecPre[1], rows: TB, width: 4 * D)
        weightGradient(L.mlW, E, dy: s.dML[1], 2 * Z, x: k.hEnc[1], Wd, rows: TB, in: E, out: 2 * Z)
        biasGradient(L.mlB, s.dML[1], rows: TB, width: 2 * Z)
        // W_ih's per-step columns: r (or x̂) over all T·B rows, h_dec(t−1) over the rows of t = 2…T.
        let read = columns.stepRead.lowerBound, hDec = columns.hDec.lowerBound
        weightGradient(L.encWih + read, In, dy: k.dEncPre[1], 4 * E, x: k.stepRows[1] + row.read.lowerBound, Wd,
                       rows: TB, in: row.read.count, out: 4 * E)
        weightGradient(L.encWih + hDec, In, dy: k.dEncPre[2], 4 * E, x: k.hDec[1], Wd, rows: recurrentRows, in: D,
                       out: 4 * E)
        if !c.attention {
            // x is the same at every step: Σ_t dgates_t (one GEMM with a row of ones), then one GEMM with x.
            kernels { () throws(KernelError) in
                try gemm(a: view(s.ones, Shape(1, T)), b: view(k.dEncPre[1], Shape(T, B * 4 * E)),
                         c: view(s.dEncPreSum, Shape(1, B * 4 * E)))
            }
            weightGradient(L.encWih + columns.x.lowerBound, In, dy: s.dEncPreSum, 4 * E, x: k.x, P, rows: B,
                           in: columns.x.count, out: 4 * E)
        }
        weightGradient(L.encWhh, E, dy: k.dEncPre[2], 4 * E, x: k.hEnc[1], Wd, rows: recurrentRows, in: E, out: 4 * E)
        biasGradient(L.encBhh, k.dEncPre[1], rows: TB, width: 4 * E)
        // b_ih and b_hh of an LSTM get the same gradient (the column sums of its gate gradients): summed once, then
        // added to the twin (the gradient slab is zero on entry, so the twin holds exactly that sum).
        add(g + L.encBih, g + L.encBhh, 4 * E)
        add(g + L.decBhh, g + L.decBih, 4 * D)
    }
}

/// The mean of `n` floats, summed in Float64.
private func batchMean(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var sum = 0.0
    for i in 0..<n { sum += Double(p[i]) }
    return sum / Double(n)
}

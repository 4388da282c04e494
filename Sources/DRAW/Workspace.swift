// Workspace.swift: the forward caches and backward scratch for one batch size, allocated once and reused every step.
import Foundation

/// Everything the forward stores for the backward, as [t][B][…] buffers (one allocation).
/// Indexing follows SPEC.md: `canvas[0]`, `hEnc[0]`, `cDec[0]` … are the zero initial states.
final class ForwardCache {
    let batch: Int
    private let arena: FloatArena
    /// x (B, C, H, W), the batch being modelled.
    let x: UnsafeMutablePointer<Float>
    /// c_t (B, P), t = 0…T, when the cache keeps the canvas history (`reconstruct` shows every step). Otherwise one
    /// buffer that every t names (stride 0): the write adds into it in place, and the backward needs only c_T
    /// (x̂_t carries sigmoid(c_{t−1}) = x − x̂_t for it), which saves T·B·P floats.
    let canvas: StepBuffer
    let keepsCanvases: Bool
    /// x̂_t (B, P), t = 1…T.
    let xhat: StepBuffer
    /// One row per image and step, t = 1…T+1, holding what the step's products read side by side:
    /// `[r_t | h_enc(t−1) | h_dec(t−1) | z_t]` (`rowWidth` floats; x̂_t instead of r_t without attention, x's
    /// columns giving the same product every step: `xProj`). The encoder gates are one product over the first
    /// `FusedLayout.StepRow.encoderInput` columns, the decoder gates one over `[h_dec(t−1) | z_t]`; the LSTMs and the latent
    /// write their h and z straight into the rows the next products read (no copies), and each weight gradient
    /// is one GEMM over T·B of these rows. Row T+1 holds only h_enc(T) and h_dec(T); row 1's states are the
    /// zero initial states (never written).
    let stepRows: StepBuffer
    /// Floats per row of `stepRows` (`FusedLayout.StepRow.width`).
    let rowWidth: Int
    /// W_ih[:, :P] x + b_ih + b_hh (B, 4E), the same every step (no attention only).
    let xProj: UnsafeMutablePointer<Float>
    /// Encoder gate activations (B, 4E) t = 1…T (the backward overwrites step t's with its gate gradients);
    /// cell states (B, E) t = 0…T; hidden states t = 0…T as views into `stepRows` (row stride `rowWidth`).
    let encAct, cEnc, hEnc: StepBuffer
    /// [μ, log σ] (B, 2Z), ε (B, Z), KL per image (B), t = 1…T; z_t a view into `stepRows` (stride `rowWidth`).
    let ml, eps, z, kl: StepBuffer
    /// Decoder gate activations (B, 4D) t = 1…T (gate gradients after the backward); cell states (B, D) t = 0…T;
    /// hidden states t = 0…T, views into `stepRows` (stride `rowWidth`).
    let decAct, cDec, hDec: StepBuffer
    /// The backward's gate gradients (B, 4E), (B, 4D), t = 1…T: each step's are written over its activations once
    /// the LSTM backward has read them, so BPTT keeps no second (T, B, 4H) buffer.
    var dEncPre: StepBuffer { encAct }
    var dDecPre: StepBuffer { decAct }
    /// The stacked head GEMM on h_dec(t) (B, `FusedLayout.HeadRow.width`), t = 0…T: [write w | write head (5) | read head of t+1 (5)]
    /// (attention only: without it write(h_dec) goes straight into the canvas).
    let heads: StepBuffer
    /// Attention windows: params (B, 5), Fx (B, N, W), Fy (B, N, H) for read and write, t = 1…T.
    let readParams, readFx, readFy, writeParams, writeFx, writeFy: StepBuffer
    /// The read kernel's products for its backward, t = 1…T: Fy X (B, 2C, Nr, W) and Fx Xᵀ (B, 2C, Nr, H) for the
    /// planes X of x and x̂ (attention only).
    let readT, readU: StepBuffer
    /// Per-image reconstruction loss (B).
    let recon: UnsafeMutablePointer<Float>

    init(config c: DRAWConfig, batch B: Int, canvasHistory: Bool = false) {
        batch = B
        keepsCanvases = canvasHistory
        let T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let Nr = c.attention ? c.readN : 0, Nw = c.attention ? c.writeN : 0
        var plan = FloatArena.Plan()
        // (offset, floats per step, first t) for each buffer, then views once the block exists.
        func steps(_ width: Int, from first: Int) -> (Int, Int, Int) {
            (plan.reserve((T + 1 - first) * B * width), B * width, first)
        }
        let x = plan.reserve(B * P), xProj = plan.reserve(c.attention ? 0 : B * 4 * E), recon = plan.reserve(B)
        let canvas = canvasHistory ? steps(P, from: 0) : (plan.reserve(B * P), 0, 0)
        let row = c.fused.stepRow, Wd = row.width
        let xhat = steps(P, from: 1), rows = (plan.reserve((T + 1) * B * Wd), B * Wd, 1)
        let encAct = steps(4 * E, from: 1), cEnc = steps(E, from: 0)
        let ml = steps(2 * Z, from: 1), eps = steps(Z, from: 1), kl = steps(1, from: 1)
        let decAct = steps(4 * D, from: 1), cDec = steps(D, from: 0)
        let heads = steps(c.attention ? c.fused.headRow.width : 0, from: 0)
        let rp = steps(5 * (Nr > 0 ? 1 : 0), from: 1), rfx = steps(Nr * c.width, from: 1), rfy = steps(Nr * c.height, from: 1)
        let rT = steps(2 * c.channels * Nr * c.width, from: 1), rU = steps(2 * c.channels * c.height * Nr, from: 1)
        let wp = steps(5 * (Nw > 0 ? 1 : 0), from: 1), wfx = steps(Nw * c.width, from: 1), wfy = steps(Nw * c.height, from: 1)
        arena = FloatArena(plan)
        let a = arena
        func view(_ s: (Int, Int, Int)) -> StepBuffer { StepBuffer(base: a[s.0], stride: s.1, first: s.2) }
        self.x = a[x]; self.xProj = a[xProj]; self.recon = a[recon]
        self.canvas = view(canvas); self.xhat = view(xhat)
        let stepRows = view(rows)
        self.stepRows = stepRows; rowWidth = Wd
        // h(t) lives in row t+1 (where step t+1 reads it as h(t−1)), z_t in row t.
        hEnc = StepBuffer(base: stepRows.base + row.hEnc.lowerBound, stride: B * Wd, first: 0)
        hDec = StepBuffer(base: stepRows.base + row.hDec.lowerBound, stride: B * Wd, first: 0)
        z = StepBuffer(base: stepRows.base + row.z.lowerBound, stride: B * Wd, first: 1)
        self.encAct = view(encAct); self.cEnc = view(cEnc)
        self.ml = view(ml); self.eps = view(eps); self.kl = view(kl)
        self.decAct = view(decAct); self.cDec = view(cDec); self.heads = view(heads)
        readParams = view(rp); readFx = view(rfx); readFy = view(rfy); readT = view(rT); readU = view(rU)
        writeParams = view(wp); writeFx = view(wfx); writeFy = view(wfy)
    }
}

/// The backward's gradient buffers: per-step head and [μ, log σ] gradients (so each weight gradient is one GEMM
/// over all T·B rows after the time loop; the LSTM gate gradients live in the cache's activation buffers) and
/// the carried gradients of the recurrent state.
final class BackwardScratch {
    let batch: Int
    private let arena: FloatArena
    /// d heads (B, `FusedLayout.HeadRow.width`) t = 0…T; d[μ, log σ] (B, 2Z), t = 1…T.
    let dHeads, dML: StepBuffer
    /// Gradient reaching c_t (B, P), h_enc (B, E), h_dec (B, D) from later steps; cell gradients double-buffered.
    let dCanvas, dhEnc, dhDec, dz, dxhat, dr: UnsafeMutablePointer<Float>
    var dcEnc, dcEncNext, dcDec, dcDecNext: UnsafeMutablePointer<Float>
    /// Attention scratch: dFx (B, N, W), dFy (B, N, H), dparams (B, 5), N = max(Nr, Nw).
    let dFx, dFy, dParams: UnsafeMutablePointer<Float>
    /// Σ_t d encoder pre-activation (B, 4E), for W_ih's x block (no attention only).
    let dEncPreSum: UnsafeMutablePointer<Float>
    /// Ones ((T+1)·B), to sum rows with one GEMM (bias gradients, x's steps); dloss/drecon and dloss/dKL per image (B).
    let ones, dRecon, dKL: UnsafeMutablePointer<Float>

    init(config c: DRAWConfig, batch B: Int) {
        batch = B
        let T = c.steps, P = c.pixels, E = c.encSize, D = c.decSize, Z = c.zSize
        let N = c.attention ? max(c.readN, c.writeN) : 0
        var plan = FloatArena.Plan()
        let K = c.fused.headRow.width
        let dHeads = plan.reserve((T + 1) * B * K), dML = plan.reserve(T * B * 2 * Z)
        let dCanvas = plan.reserve(B * P), dhEnc = plan.reserve(B * E), dhDec = plan.reserve(B * D)
        let dz = plan.reserve(B * Z), dxhat = plan.reserve(B * P), dr = plan.reserve(c.attention ? B * c.readSize : 0)
        let dcEnc = plan.reserve(B * E), dcEncNext = plan.reserve(B * E)
        let dcDec = plan.reserve(B * D), dcDecNext = plan.reserve(B * D)
        let dFx = plan.reserve(B * N * c.width), dFy = plan.reserve(B * N * c.height), dParams = plan.reserve(B * 5)
        let dEncPreSum = plan.reserve(c.attention ? 0 : B * 4 * E)
        let ones = plan.reserve((T + 1) * B), dRecon = plan.reserve(B), dKL = plan.reserve(B)
        arena = FloatArena(plan)
        let a = arena
        self.dHeads = StepBuffer(base: a[dHeads], stride: B * K, first: 0)
        self.dML = StepBuffer(base: a[dML], stride: B * 2 * Z, first: 1)
        self.dCanvas = a[dCanvas]; self.dhEnc = a[dhEnc]; self.dhDec = a[dhDec]; self.dz = a[dz]
        self.dxhat = a[dxhat]; self.dr = a[dr]
        self.dcEnc = a[dcEnc]; self.dcEncNext = a[dcEncNext]; self.dcDec = a[dcDec]; self.dcDecNext = a[dcDecNext]
        self.dFx = a[dFx]; self.dFy = a[dFy]; self.dParams = a[dParams]; self.dEncPreSum = a[dEncPreSum]
        self.ones = a[ones]; self.dRecon = a[dRecon]; self.dKL = a[dKL]
        onesCount = (T + 1) * B
        reset()
    }
    private let onesCount: Int

    /// Zeroes every buffer the backward accumulates into (all of them), then refills the constants.
    func reset() {
        zero(arena.base, arena.count)
        for i in 0..<onesCount { ones[i] = 1 }
    }
}

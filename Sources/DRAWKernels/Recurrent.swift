// Recurrent.swift: the LSTM cell and the latent/KL kernels (SPEC.md steps 3 to 5) behind shape checks.
import CKernels

/// PyTorch's LSTMCell update from the pre-activations (`ck_lstm_forward`), gate order i, f, g, o.
/// Shapes:
/// - h: (B, H), any row stride (e.g. h's columns of a wider row), overwritten.
/// - c: (B, H), overwritten; B and H are read from its shape.
/// - act: (B, 4H) σ(i), σ(f), tanh(g), σ(o), overwritten; may be `pre` itself.
/// - pre: (B, 4H) = W_ih x + b_ih + W_hh h + b_hh. cPrev: (B, H) or nil (zeros).
public func lstmForward(h: ShapedBuffer, c: ShapedBuffer, act: ShapedBuffer, pre: ShapedBuffer,
                        cPrev: ShapedBuffer?) throws(KernelError) {
    let k: StaticString = "lstmForward"
    try require(c.shape.rank == 2, k, "c", "has shape \(c.shape), expected (B, H)")
    let B = c.shape[0], H = c.shape[1]
    try expectDense(c, Shape(B, H), k, "c")
    try expect(h, Shape(B, H), k, "h")
    try expectDense(act, Shape(B, 4 * H), k, "act")
    try expectDense(pre, Shape(B, 4 * H), k, "pre")
    try expectDense(cPrev, Shape(B, H), k, "cPrev")
    var ops = Operands(k)
    let preIndex = ops.input("pre", pre)
    ops.input("cPrev", cPrev)
    ops.output("h", h); ops.output("c", c); ops.output("act", act, mayBe: preIndex)
    try ops.check()
    ck_lstm_forward(h.base, h.rowStride.c, c.base, act.base, pre.base, cPrev?.base, B.c, H.c)
}

/// The LSTM cell's backward (`ck_lstm_backward`): dpre is OVERWRITTEN, dcPrev accumulated.
/// Shapes:
/// - dpre: (B, 4H), overwritten; may be `act` itself (BPTT then needs no second buffer).
/// - dcPrev: (B, H) += , or nil.
/// - dh: (B, H); dc: (B, H), the gradient reaching c from later steps, or nil (zero).
/// - act: (B, 4H), c: (B, H) from the forward (B, H read from c); cPrev: (B, H) or nil (zeros).
public func lstmBackward(dpre: ShapedBuffer, dcPrev: ShapedBuffer?, dh: ShapedBuffer, dc: ShapedBuffer?,
                         act: ShapedBuffer, c: ShapedBuffer, cPrev: ShapedBuffer?) throws(KernelError) {
    let k: StaticString = "lstmBackward"
    try require(c.shape.rank == 2, k, "c", "has shape \(c.shape), expected (B, H)")
    let B = c.shape[0], H = c.shape[1]
    try expectDense(c, Shape(B, H), k, "c")
    try expectDense(act, Shape(B, 4 * H), k, "act")
    try expectDense(dpre, Shape(B, 4 * H), k, "dpre")
    try expectDense(dh, Shape(B, H), k, "dh")
    try expectDense(dc, Shape(B, H), k, "dc")
    try expectDense(cPrev, Shape(B, H), k, "cPrev")
    try expectDense(dcPrev, Shape(B, H), k, "dcPrev")
    var ops = Operands(k)
    let actIndex = ops.input("act", act)
    ops.input("dh", dh); ops.input("dc", dc); ops.input("c", c); ops.input("cPrev", cPrev)
    ops.output("dpre", dpre, mayBe: actIndex); ops.output("dcPrev", dcPrev)
    try ops.check()
    ck_lstm_backward(dpre.base, dcPrev?.base, dh.base, dc?.base, act.base, c.base, cPrev?.base, B.c, H.c)
}

/// z = μ + exp(log σ)·ε and the per-image KL (`ck_latent_forward`).
/// Shapes:
/// - z: (B, Z), any row stride, overwritten. kl: (B), overwritten.
/// - mu, logSigma: (B, Z) with one row stride between them (two halves of one product's output, say).
/// - eps: (B, Z) or nil (z = μ, evaluation mode).
public func latentForward(z: ShapedBuffer, kl: ShapedBuffer, mu: ShapedBuffer, logSigma: ShapedBuffer,
                          eps: ShapedBuffer?) throws(KernelError) {
    let k: StaticString = "latentForward"
    try require(mu.shape.rank == 2, k, "mu", "has shape \(mu.shape), expected (B, Z)")
    let B = mu.shape[0], Z = mu.shape[1]
    try expect(logSigma, Shape(B, Z), k, "logSigma")
    try expectRowStride(logSigma, mu.rowStride, k, "logSigma")
    try expect(z, Shape(B, Z), k, "z")
    try expectDense(kl, Shape(B), k, "kl")
    try expectDense(eps, Shape(B, Z), k, "eps")
    var ops = Operands(k)
    ops.input("mu", mu); ops.input("logSigma", logSigma); ops.input("eps", eps)
    ops.output("z", z); ops.output("kl", kl)
    try ops.check()
    ck_latent_forward(z.base, z.rowStride.c, kl.base, mu.base, logSigma.base, mu.rowStride.c, eps?.base, B.c, Z.c)
}

/// Accumulates dμ and d log σ from dz and dkl (`ck_latent_backward`).
/// Shapes:
/// - dmu, dlogSigma: (B, Z) with one row stride between them, +=.
/// - dz: (B, Z) or nil; dkl: (B) or nil.
/// - mu, logSigma: the forward's (B, Z) inputs, one row stride; eps: (B, Z) or nil.
public func latentBackward(dmu: ShapedBuffer, dlogSigma: ShapedBuffer, dz: ShapedBuffer?, dkl: ShapedBuffer?,
                           mu: ShapedBuffer, logSigma: ShapedBuffer, eps: ShapedBuffer?) throws(KernelError) {
    let k: StaticString = "latentBackward"
    try require(mu.shape.rank == 2, k, "mu", "has shape \(mu.shape), expected (B, Z)")
    let B = mu.shape[0], Z = mu.shape[1]
    try expect(logSigma, Shape(B, Z), k, "logSigma")
    try expect(dmu, Shape(B, Z), k, "dmu")
    try expect(dlogSigma, Shape(B, Z), k, "dlogSigma")
    try expectRowStride(logSigma, mu.rowStride, k, "logSigma")
    try expectRowStride(dlogSigma, dmu.rowStride, k, "dlogSigma")
    try expectDense(dz, Shape(B, Z), k, "dz")
    try expectDense(dkl, Shape(B), k, "dkl")
    try expectDense(eps, Shape(B, Z), k, "eps")
    var ops = Operands(k)
    ops.input("dz", dz); ops.input("dkl", dkl); ops.input("mu", mu); ops.input("logSigma", logSigma)
    ops.input("eps", eps)
    ops.output("dmu", dmu); ops.output("dlogSigma", dlogSigma)
    try ops.check()
    ck_latent_backward(dmu.base, dlogSigma.base, dmu.rowStride.c, dz?.base, dkl?.base, mu.base, logSigma.base,
                       mu.rowStride.c, eps?.base, B.c, Z.c)
}

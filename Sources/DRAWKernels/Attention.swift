// Attention.swift: the attention filterbank, read and write kernels (SPEC.md steps 2 and 6) behind shape checks.
import CKernels

/// Constants of the C kernels.
public enum Kernels {
    /// The largest attention window N the attention, read and write kernels accept (CK_MAX_N).
    public static let maxWindow = Int(CK_MAX_N)
}

/// The window every glimpse kernel takes: Fx (B, N, W), Fy (B, N, H), params (B, 5), all contiguous, and
/// N in 2…CK_MAX_N (the kernels' per-thread scratch is on the stack, sized by it).
func expectWindow(Fx: ShapedBuffer, Fy: ShapedBuffer, params: ShapedBuffer, B: Int, N: Int, H: Int, W: Int,
                  _ k: StaticString) throws(KernelError) {
    try expectDense(Fx, Shape(B, N, W), k, "Fx")
    try expectDense(Fy, Shape(B, N, H), k, "Fy")
    try expectDense(params, Shape(B, 5), k, "params")
    try requireWindow(N, k, "Fx")
}

/// Window parameters and Gaussian filterbanks from the raw attention head outputs (`ck_attention_forward`).
/// Shapes:
/// - params: (B, 5), overwritten with (gx, gy, σ², δ, γ).
/// - Fx: (B, N, W), overwritten; N (2…`Kernels.maxWindow`) and W are read from its shape.
/// - Fy: (B, N, H), overwritten; H is read from its shape.
/// - head: (B, 5) raw outputs (g̃x, g̃y, log σ², log δ̃, log γ), any row stride.
public func attentionForward(params: ShapedBuffer, Fx: ShapedBuffer, Fy: ShapedBuffer,
                             head: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "attentionForward"
    let B = head.shape[0], N = Fx.shape[1], W = Fx.shape[2], H = Fy.shape[2]
    try expect(head, Shape(B, 5), k, "head")
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    var ops = Operands(k)
    ops.input("head", head)
    ops.output("params", params); ops.output("Fx", Fx); ops.output("Fy", Fy)
    try ops.check()
    ck_attention_forward(params.base, Fx.base, Fy.base, head.base, head.rowStride.c, B.c, H.c, W.c, N.c)
}

/// Accumulates dhead from the gradients of the window parameters and filterbanks (`ck_attention_backward`).
/// Shapes:
/// - dhead: (B, 5), any row stride, += .
/// - dparams: (B, 5) or nil; all five columns are read. dFx: (B, N, W) or nil. dFy: (B, N, H) or nil.
/// - params, Fx, Fy: the forward's outputs, (B, 5), (B, N, W), (B, N, H).
public func attentionBackward(dhead: ShapedBuffer, dparams: ShapedBuffer?, dFx: ShapedBuffer?, dFy: ShapedBuffer?,
                              params: ShapedBuffer, Fx: ShapedBuffer, Fy: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "attentionBackward"
    let B = params.shape[0], N = Fx.shape[1], W = Fx.shape[2], H = Fy.shape[2]
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    try expect(dhead, Shape(B, 5), k, "dhead")
    try expectDense(dparams, Shape(B, 5), k, "dparams")
    try expectDense(dFx, Shape(B, N, W), k, "dFx")
    try expectDense(dFy, Shape(B, N, H), k, "dFy")
    var ops = Operands(k)
    ops.input("dparams", dparams); ops.input("dFx", dFx); ops.input("dFy", dFy)
    ops.input("params", params); ops.input("Fx", Fx); ops.input("Fy", Fy)
    ops.output("dhead", dhead)
    try ops.check()
    ck_attention_backward(dhead.base, dhead.rowStride.c, dparams?.base, dFx?.base, dFy?.base,
                          params.base, Fx.base, Fy.base, B.c, H.c, W.c, N.c)
}

/// The read glimpses r = [γ Fy x_c Fxᵀ | γ Fy x̂_c Fxᵀ] and the intermediates the backward needs (`ck_read_forward`).
/// Shapes:
/// - r: (B, 2·C·N²), any row stride (e.g. the r columns of the encoder's input row), overwritten.
/// - T: (B, 2C, N, W) = Fy X per plane, overwritten. U: (B, 2C, N, H) = Fx Xᵀ, overwritten.
/// - x, xhat: (B, C, H, W); B, C, H, W are read from x's shape.
/// - Fx: (B, N, W), Fy: (B, N, H), params: (B, 5) (γ is column 4) from `attentionForward`.
public func readForward(r: ShapedBuffer, T: ShapedBuffer, U: ShapedBuffer, x: ShapedBuffer, xhat: ShapedBuffer,
                        Fx: ShapedBuffer, Fy: ShapedBuffer, params: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "readForward"
    try require(x.shape.rank == 4, k, "x", "has shape \(x.shape), expected (B, C, H, W)")
    let B = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3], N = Fx.shape[1]
    try expectDense(x, Shape(B, C, H, W), k, "x")
    try expectDense(xhat, Shape(B, C, H, W), k, "xhat")
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    try expect(r, Shape(B, 2 * C * N * N), k, "r")
    try expectDense(T, Shape(B, 2 * C, N, W), k, "T")
    try expectDense(U, Shape(B, 2 * C, N, H), k, "U")
    var ops = Operands(k)
    ops.input("x", x); ops.input("xhat", xhat); ops.input("Fx", Fx); ops.input("Fy", Fy); ops.input("params", params)
    ops.output("r", r); ops.output("T", T); ops.output("U", U)
    try ops.check()
    ck_read_forward(r.base, r.rowStride.c, T.base, U.base, x.base, xhat.base, Fx.base, Fy.base, params.base,
                    B.c, C.c, H.c, W.c, N.c)
}

/// Accumulates the read's input gradients from dr (`ck_read_backward`); any output may be nil.
/// Shapes:
/// - dx, dxhat: (B, C, H, W) +=. dFx: (B, N, W) +=, dFy: (B, N, H) +=, dparams: (B, 5), column 4 (dγ) +=.
/// - dr: (B, 2·C·N²), any row stride.
/// - T: (B, 2C, N, W) and U: (B, 2C, N, H) from `readForward`; B, C, N, W from T's shape, H from U's.
/// - Fx, Fy, params: the window, as in `readForward`.
public func readBackward(dx: ShapedBuffer?, dxhat: ShapedBuffer?, dFx: ShapedBuffer?, dFy: ShapedBuffer?,
                         dparams: ShapedBuffer?, dr: ShapedBuffer, T: ShapedBuffer, U: ShapedBuffer,
                         Fx: ShapedBuffer, Fy: ShapedBuffer, params: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "readBackward"
    try require(T.shape.rank == 4 && T.shape[1] % 2 == 0, k, "T", "has shape \(T.shape), expected (B, 2C, N, W)")
    let B = T.shape[0], C = T.shape[1] / 2, N = T.shape[2], W = T.shape[3], H = U.shape[3]
    try expectDense(T, Shape(B, 2 * C, N, W), k, "T")
    try expectDense(U, Shape(B, 2 * C, N, H), k, "U")
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    try expect(dr, Shape(B, 2 * C * N * N), k, "dr")
    try expectDense(dx, Shape(B, C, H, W), k, "dx")
    try expectDense(dxhat, Shape(B, C, H, W), k, "dxhat")
    try expectDense(dFx, Shape(B, N, W), k, "dFx")
    try expectDense(dFy, Shape(B, N, H), k, "dFy")
    try expectDense(dparams, Shape(B, 5), k, "dparams")
    var ops = Operands(k)
    ops.input("dr", dr); ops.input("T", T); ops.input("U", U)
    ops.input("Fx", Fx); ops.input("Fy", Fy); ops.input("params", params)
    ops.output("dx", dx); ops.output("dxhat", dxhat); ops.output("dFx", dFx); ops.output("dFy", dFy)
    ops.output("dparams", dparams)
    try ops.check()
    ck_read_backward(dx?.base, dxhat?.base, dFx?.base, dFy?.base, dparams?.base, dr.base, dr.rowStride.c,
                     T.base, U.base, Fx.base, Fy.base, params.base, B.c, C.c, H.c, W.c, N.c)
}

/// canvas = canvasPrev + (1/γ) Fyᵀ w_c Fx per channel (`ck_write_forward`).
/// Shapes:
/// - canvas: (B, C, H, W), overwritten; B, C, H, W are read from its shape.
/// - canvasPrev: (B, C, H, W); may be `canvas` itself (then the patch is added in place), no other overlap.
/// - w: (B, C·N²), any row stride. Fx: (B, N, W), Fy: (B, N, H), params: (B, 5), the write window.
public func writeForward(canvas: ShapedBuffer, canvasPrev: ShapedBuffer, w: ShapedBuffer,
                         Fx: ShapedBuffer, Fy: ShapedBuffer, params: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "writeForward"
    try require(canvas.shape.rank == 4, k, "canvas", "has shape \(canvas.shape), expected (B, C, H, W)")
    let B = canvas.shape[0], C = canvas.shape[1], H = canvas.shape[2], W = canvas.shape[3], N = Fx.shape[1]
    try expectDense(canvas, Shape(B, C, H, W), k, "canvas")
    try expectDense(canvasPrev, Shape(B, C, H, W), k, "canvasPrev")
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    try expect(w, Shape(B, C * N * N), k, "w")
    var ops = Operands(k)
    let prev = ops.input("canvasPrev", canvasPrev)
    ops.input("w", w); ops.input("Fx", Fx); ops.input("Fy", Fy); ops.input("params", params)
    ops.output("canvas", canvas, mayBe: prev)
    try ops.check()
    ck_write_forward(canvas.base, canvasPrev.base, w.base, w.rowStride.c, Fx.base, Fy.base, params.base,
                     B.c, C.c, H.c, W.c, N.c)
}

/// Accumulates the write's input gradients from dcanvas (`ck_write_backward`); any output may be nil.
/// Shapes:
/// - dw: (B, C·N²), any row stride, +=. dFx: (B, N, W), dFy: (B, N, H), dparams: (B, 5) (column 4) +=.
/// - dcanvas: (B, C, H, W); B, C, H, W are read from its shape.
/// - w, Fx, Fy, params: the forward's inputs.
public func writeBackward(dw: ShapedBuffer?, dFx: ShapedBuffer?, dFy: ShapedBuffer?, dparams: ShapedBuffer?,
                          dcanvas: ShapedBuffer, w: ShapedBuffer, Fx: ShapedBuffer, Fy: ShapedBuffer,
                          params: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "writeBackward"
    try require(dcanvas.shape.rank == 4, k, "dcanvas", "has shape \(dcanvas.shape), expected (B, C, H, W)")
    let B = dcanvas.shape[0], C = dcanvas.shape[1], H = dcanvas.shape[2], W = dcanvas.shape[3], N = Fx.shape[1]
    try expectDense(dcanvas, Shape(B, C, H, W), k, "dcanvas")
    try expectWindow(Fx: Fx, Fy: Fy, params: params, B: B, N: N, H: H, W: W, k)
    try expect(w, Shape(B, C * N * N), k, "w")
    try expect(dw, Shape(B, C * N * N), k, "dw")
    try expectDense(dFx, Shape(B, N, W), k, "dFx")
    try expectDense(dFy, Shape(B, N, H), k, "dFy")
    try expectDense(dparams, Shape(B, 5), k, "dparams")
    var ops = Operands(k)
    ops.input("dcanvas", dcanvas); ops.input("w", w); ops.input("Fx", Fx); ops.input("Fy", Fy)
    ops.input("params", params)
    ops.output("dw", dw); ops.output("dFx", dFx); ops.output("dFy", dFy); ops.output("dparams", dparams)
    try ops.check()
    ck_write_backward(dw?.base, (dw?.rowStride ?? 0).c, dFx?.base, dFy?.base, dparams?.base, dcanvas.base,
                      w.base, w.rowStride.c, Fx.base, Fy.base, params.base, B.c, C.c, H.c, W.c, N.c)
}

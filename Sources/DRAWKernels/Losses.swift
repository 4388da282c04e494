// Losses.swift: x̂, sigmoid and the two reconstruction losses (SPEC.md step 1 and "Loss") behind shape checks.
import CKernels

// Images are contiguous (B, …) views of any rank (B, C, H, W or B, P): the kernels see (B, P), P = the row length.

/// x̂ = x − sigmoid(canvas) (`ck_xhat_forward`). xhat, x, canvas: one shape (B, …), contiguous; xhat overwritten.
public func xhatForward(xhat: ShapedBuffer, x: ShapedBuffer, canvas: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "xhatForward"
    try expectDense(x, x.shape, k, "x")
    try expectDense(canvas, x.shape, k, "canvas")
    try expectDense(xhat, x.shape, k, "xhat")
    var ops = Operands(k)
    ops.input("x", x); ops.input("canvas", canvas)
    ops.output("xhat", xhat)
    try ops.check()
    ck_xhat_forward(xhat.base, x.base, canvas.base, x.shape.rows.c, x.shape.rowLength.c)
}

/// dcanvas += −dxhat·s(1 − s), s = x − xhat (`ck_xhat_backward`). Every argument one shape (B, …), contiguous.
public func xhatBackward(dcanvas: ShapedBuffer, dxhat: ShapedBuffer, x: ShapedBuffer, xhat: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "xhatBackward"
    try expectDense(x, x.shape, k, "x")
    try expectDense(xhat, x.shape, k, "xhat")
    try expectDense(dxhat, x.shape, k, "dxhat")
    try expectDense(dcanvas, x.shape, k, "dcanvas")
    var ops = Operands(k)
    ops.input("dxhat", dxhat); ops.input("x", x); ops.input("xhat", xhat)
    ops.output("dcanvas", dcanvas)
    try ops.check()
    ck_xhat_backward(dcanvas.base, dxhat.base, x.base, xhat.base, x.shape.rows.c, x.shape.rowLength.c)
}

/// out = sigmoid(input), and per-image sums of out in Float64 when `sums` (B values) is given (`ck_sigmoid_forward`).
public func sigmoidForward(out: ShapedBuffer, sums: UnsafeMutableBufferPointer<Double>?,
                           input: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "sigmoidForward"
    try expectDense(input, input.shape, k, "input")
    try expectDense(out, input.shape, k, "out")
    if let sums, sums.count != input.shape.rows || sums.baseAddress == nil {
        throw .shapeMismatch(kernel: "\(k)", argument: "sums", expected: Shape(input.shape.rows), got: Shape(max(sums.count, 0)))
    }
    var ops = Operands(k)
    ops.input("input", input)
    ops.output("out", out)
    try ops.check()
    ck_sigmoid_forward(out.base, sums?.baseAddress, input.base, input.shape.rows.c, input.shape.rowLength.c)
}

/// The per-image loss of `kind` from the canvas logits: loss (B), overwritten; canvas, x: one shape (B, …).
/// `.bce` is Σ softplus(c) − x·c (`ck_bce_forward`), `.l2` is 0.5·Σ (x − sigmoid(c))² (`ck_l2_forward`).
public func lossForward(_ kind: LossKind, loss: ShapedBuffer, canvas: ShapedBuffer, x: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "lossForward"
    try expectDense(canvas, canvas.shape, k, "canvas")
    try expectDense(x, canvas.shape, k, "x")
    try expectDense(loss, Shape(canvas.shape.rows), k, "loss")
    var ops = Operands(k)
    ops.input("canvas", canvas); ops.input("x", x)
    ops.output("loss", loss)
    try ops.check()
    let B = canvas.shape.rows.c, P = canvas.shape.rowLength.c
    switch kind {
    case .bce: ck_bce_forward(loss.base, canvas.base, x.base, B, P)
    case .l2: ck_l2_forward(loss.base, canvas.base, x.base, B, P)
    }
}

/// dcanvas += dloss_b · ∂loss_b/∂canvas for `kind` (`ck_bce_backward`, `ck_l2_backward`).
/// dcanvas, canvas, x: one shape (B, …); dloss: (B).
public func lossBackward(_ kind: LossKind, dcanvas: ShapedBuffer, dloss: ShapedBuffer, canvas: ShapedBuffer,
                         x: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "lossBackward"
    try expectDense(canvas, canvas.shape, k, "canvas")
    try expectDense(x, canvas.shape, k, "x")
    try expectDense(dcanvas, canvas.shape, k, "dcanvas")
    try expectDense(dloss, Shape(canvas.shape.rows), k, "dloss")
    var ops = Operands(k)
    ops.input("dloss", dloss); ops.input("canvas", canvas); ops.input("x", x)
    ops.output("dcanvas", dcanvas)
    try ops.check()
    let B = canvas.shape.rows.c, P = canvas.shape.rowLength.c
    switch kind {
    case .bce: ck_bce_backward(dcanvas.base, dloss.base, canvas.base, x.base, B, P)
    case .l2: ck_l2_backward(dcanvas.base, dloss.base, canvas.base, x.base, B, P)
    }
}

/// The reconstruction losses the kernels implement.
public enum LossKind: Sendable {
    /// Binary cross-entropy from logits.
    case bce
    /// Half the squared error of sigmoid(canvas).
    case l2
}

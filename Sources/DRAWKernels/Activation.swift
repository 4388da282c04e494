// Activation.swift: the conv nets' pointwise kernels (LeakyReLU, the sigmoid's backward, the half squared distance) behind shape checks.
import CKernels

// Like the losses, these take contiguous views of any rank: (B, …) where a per-image value is involved.

/// y = x > 0 ? x : slope·x (`ck_leaky_relu_forward`; slope 0 is ReLU). y and x: one shape, contiguous; y overwritten,
/// and may be x itself.
public func leakyReLUForward(y: ShapedBuffer, x: ShapedBuffer, slope: Float) throws(KernelError) {
    let k: StaticString = "leakyReLUForward"
    try expectDense(x, x.shape, k, "x")
    try expectDense(y, x.shape, k, "y")
    var ops = Operands(k)
    let input = ops.input("x", x)
    ops.output("y", y, mayBe: input)
    try ops.check()
    ck_leaky_relu_forward(y.base, x.base, x.shape.count, slope)
}

/// dx += dy·(y > 0 ? 1 : slope) from the forward's OUTPUT y (`ck_leaky_relu_backward`), so the forward may run in
/// place. slope ≥ 0 (then y > 0 exactly where x > 0). dx, dy, y: one shape, contiguous.
public func leakyReLUBackward(dx: ShapedBuffer, dy: ShapedBuffer, y: ShapedBuffer, slope: Float) throws(KernelError) {
    let k: StaticString = "leakyReLUBackward"
    try expectDense(y, y.shape, k, "y")
    try expectDense(dy, y.shape, k, "dy")
    try expectDense(dx, y.shape, k, "dx")
    try require(slope >= 0, k, "slope", "is \(slope), must be >= 0 (the gradient is read from the output's sign)")
    var ops = Operands(k)
    ops.input("dy", dy); ops.input("y", y)
    ops.output("dx", dx)
    try ops.check()
    ck_leaky_relu_backward(dx.base, dy.base, y.base, y.shape.count, slope)
}

/// dx += dy·y(1 − y) from the forward's output y = sigmoid(x) (`ck_sigmoid_backward`). One shape (B, …), contiguous.
public func sigmoidBackward(dx: ShapedBuffer, dy: ShapedBuffer, y: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "sigmoidBackward"
    try expectDense(y, y.shape, k, "y")
    try expectDense(dy, y.shape, k, "dy")
    try expectDense(dx, y.shape, k, "dx")
    var ops = Operands(k)
    ops.input("dy", dy); ops.input("y", y)
    ops.output("dx", dx)
    try ops.check()
    ck_sigmoid_backward(dx.base, dy.base, y.base, y.shape.rows.c, y.shape.rowLength.c)
}

/// loss (B) = 0.5·Σ_p (a − target)² per image, overwritten (`ck_sqdist_forward`). a, target: one shape (B, …).
public func squaredDistanceForward(loss: ShapedBuffer, a: ShapedBuffer, target: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "squaredDistanceForward"
    try expectDense(a, a.shape, k, "a")
    try expectDense(target, a.shape, k, "target")
    try expectDense(loss, Shape(a.shape.rows), k, "loss")
    var ops = Operands(k)
    ops.input("a", a); ops.input("target", target)
    ops.output("loss", loss)
    try ops.check()
    ck_sqdist_forward(loss.base, a.base, target.base, a.shape.rows.c, a.shape.rowLength.c)
}

/// da += dloss_b·(a − target) (`ck_sqdist_backward`). da, a, target: one shape (B, …); dloss: (B).
public func squaredDistanceBackward(da: ShapedBuffer, dloss: ShapedBuffer, a: ShapedBuffer,
                                    target: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "squaredDistanceBackward"
    try expectDense(a, a.shape, k, "a")
    try expectDense(target, a.shape, k, "target")
    try expectDense(da, a.shape, k, "da")
    try expectDense(dloss, Shape(a.shape.rows), k, "dloss")
    var ops = Operands(k)
    ops.input("dloss", dloss); ops.input("a", a); ops.input("target", target)
    ops.output("da", da)
    try ops.check()
    ck_sqdist_backward(da.base, dloss.base, a.base, target.base, a.shape.rows.c, a.shape.rowLength.c)
}

// Products.swift: the matrix products (ck_gemm and the linear layer) behind shape checks.
import CKernels

/// C = α·op(A)·op(B) + β·C, row-major (`ck_gemm`, the only caller of BLAS).
/// Shapes:
/// - a: (M, K), or (K, M) when `transposeA`; any row stride. b: (K, N), or (N, K) when `transposeB`.
/// - c: (M, N), any row stride; must not overlap a or b.
public func gemm(transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1, a: ShapedBuffer,
                 b: ShapedBuffer, beta: Float = 0, c: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "gemm"
    try require(a.shape.rank == 2, k, "a", "has shape \(a.shape), expected a matrix")
    try require(b.shape.rank == 2, k, "b", "has shape \(b.shape), expected a matrix")
    let M = transposeA ? a.shape[1] : a.shape[0], K = transposeA ? a.shape[0] : a.shape[1]
    let N = transposeB ? b.shape[0] : b.shape[1]
    try expect(b, transposeB ? Shape(N, K) : Shape(K, N), k, "b")
    try expect(c, Shape(M, N), k, "c")
    var ops = Operands(k)
    ops.input("a", a); ops.input("b", b)
    ops.output("c", c)
    try ops.check()
    ck_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, M.c, N.c, K.c, alpha, a.base, a.rowStride.c, b.base,
            b.rowStride.c, beta, c.base, c.rowStride.c)
}

/// y = x·Wᵀ + b over M rows, or y += … when `accumulate` (`ck_linear_forward`).
/// Shapes:
/// - y: (M, out), x: (M, in), weight: (out, in), each with any row stride; bias: (out) or nil.
public func linearForward(y: ShapedBuffer, x: ShapedBuffer, weight: ShapedBuffer, bias: ShapedBuffer?,
                          accumulate: Bool = false) throws(KernelError) {
    let k: StaticString = "linearForward"
    try require(weight.shape.rank == 2, k, "weight", "has shape \(weight.shape), expected (out, in)")
    try require(x.shape.rank == 2, k, "x", "has shape \(x.shape), expected (M, in)")
    let M = x.shape[0], out = weight.shape[0], inputs = weight.shape[1]
    try expect(x, Shape(M, inputs), k, "x")
    try expect(y, Shape(M, out), k, "y")
    try expectDense(bias, Shape(out), k, "bias")
    var ops = Operands(k)
    ops.input("x", x); ops.input("weight", weight); ops.input("bias", bias)
    ops.output("y", y)
    try ops.check()
    ck_linear_forward(y.base, y.rowStride.c, x.base, x.rowStride.c, weight.base, weight.rowStride.c, bias?.base,
                      M.c, inputs.c, out.c, accumulate ? 1 : 0)
}

/// Accumulates dx += dy·W, dW += dyᵀ·x, db += Σ_rows dy (`ck_linear_backward`); any output may be nil.
/// Shapes:
/// - dx: (M, in), dW: (out, in), any row stride; db: (out).
/// - dy: (M, out), x: (M, in), weight: (out, in), any row stride.
public func linearBackward(dx: ShapedBuffer?, dW: ShapedBuffer?, db: ShapedBuffer?, dy: ShapedBuffer,
                           x: ShapedBuffer, weight: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "linearBackward"
    try require(weight.shape.rank == 2, k, "weight", "has shape \(weight.shape), expected (out, in)")
    try require(dy.shape.rank == 2, k, "dy", "has shape \(dy.shape), expected (M, out)")
    let M = dy.shape[0], out = weight.shape[0], inputs = weight.shape[1]
    try expect(dy, Shape(M, out), k, "dy")
    try expect(x, Shape(M, inputs), k, "x")
    try expect(dx, Shape(M, inputs), k, "dx")
    try expect(dW, Shape(out, inputs), k, "dW")
    try expectDense(db, Shape(out), k, "db")
    var ops = Operands(k)
    ops.input("dy", dy); ops.input("x", x); ops.input("weight", weight)
    ops.output("dx", dx); ops.output("dW", dW); ops.output("db", db)
    try ops.check()
    ck_linear_backward(dx?.base, (dx?.rowStride ?? 0).c, dW?.base, (dW?.rowStride ?? 0).c, db?.base,
                       dy.base, dy.rowStride.c, x.base, x.rowStride.c, weight.base, weight.rowStride.c,
                       M.c, inputs.c, out.c)
}

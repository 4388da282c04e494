// Convolution.swift: im2col/col2im and the 2-D convolution's forward and backward (conv.c) behind shape checks.
import CKernels

/// One convolution's input and window: x (B, C, H, W), a square kernel × kernel window moved by `stride`, zero
/// padding `pad` on every side, so an axis of n pixels gives (n + 2·pad − kernel) / stride + 1 outputs.
/// The output channel count is the weight's (O, C, k, k) first dimension.
public struct ConvolutionGeometry: Equatable, Sendable {
    /// (B, C, H, W) of the input.
    public let input: Shape
    public let kernel: Int, stride: Int, pad: Int
    /// Output rows and columns (Ho, Wo).
    public let outputHeight: Int, outputWidth: Int

    /// Throws unless `input` is (B, C, H, W), kernel and stride ≥ 1, pad ≥ 0 and the padded image holds one window.
    public init(input: Shape, kernel: Int, stride: Int = 1, pad: Int = 0) throws(KernelError) {
        let k: StaticString = "ConvolutionGeometry"
        try require(input.rank == 4, k, "input", "has shape \(input), expected (B, C, H, W)")
        try require(kernel >= 1 && stride >= 1 && pad >= 0, k, "kernel",
                    "\(kernel) stride \(stride) pad \(pad): kernel and stride must be >= 1, pad >= 0")
        try require(input[2] + 2 * pad >= kernel && input[3] + 2 * pad >= kernel, k, "kernel",
                    "\(kernel) does not fit the \(input[2]) x \(input[3]) image padded by \(pad)")
        let (B, C, H, W) = (input[0], input[1], input[2], input[3])
        let Ho = (H + 2 * pad - kernel) / stride + 1, Wo = (W + 2 * pad - kernel) / stride + 1
        let (taps, o1) = C.multipliedReportingOverflow(by: kernel * kernel)
        let (pixels, o2) = B.multipliedReportingOverflow(by: Ho * Wo)
        try require(!o1 && !o2 && taps <= Int(Int32.max) && pixels <= Int(Int32.max), k, "input",
                    "\(input) with kernel \(kernel) gives a column matrix past the kernels' C int")
        (self.input, self.kernel, self.stride, self.pad) = (input, kernel, stride, pad)
        (outputHeight, outputWidth) = (Ho, Wo)
    }

    /// im2col's matrix: (C·k·k, B·Ho·Wo).
    public var columns: Shape { Shape(input[1] * kernel * kernel, input[0] * outputHeight * outputWidth) }
    /// The output map for `channels` output channels: (B, O, Ho, Wo).
    public func output(channels O: Int) -> Shape { Shape(input[0], O, outputHeight, outputWidth) }
    /// The weight for `channels` output channels, PyTorch's nn.Conv2d layout: (O, C, k, k).
    public func weight(channels O: Int) -> Shape { Shape(O, input[1], kernel, kernel) }
    /// The convolution's scratch for `channels` output channels: (O, B·Ho·Wo).
    public func work(channels O: Int) -> Shape { Shape(O, input[0] * outputHeight * outputWidth) }
    /// The bf16 products' scratch for `channels` output channels (`ck_conv2d_bf16_scratch_floats`).
    public func bf16Scratch(channels O: Int) -> Shape {
        let (B, C, H, W, kk, s, p) = cArguments
        return Shape(ck_conv2d_bf16_scratch_floats(B, C, H, W, O.c, kk, s, p))
    }

    fileprivate var cArguments: (Int32, Int32, Int32, Int32, Int32, Int32, Int32) {
        (input[0].c, input[1].c, input[2].c, input[3].c, kernel.c, stride.c, pad.c)
    }
}

/// col = im2col(x) (`ck_im2col`): row (c·k + i)·k + j, column b·Ho·Wo + oh·Wo + ow holds
/// x[b, c, oh·s − p + i, ow·s − p + j] (0 outside the image). Overwrites.
/// col: `geometry.columns`, x: `geometry.input`, both contiguous.
public func im2col(col: ShapedBuffer, x: ShapedBuffer, _ geometry: ConvolutionGeometry) throws(KernelError) {
    let k: StaticString = "im2col"
    try expectDense(x, geometry.input, k, "x")
    try expectDense(col, geometry.columns, k, "col")
    var ops = Operands(k)
    ops.input("x", x)
    ops.output("col", col)
    try ops.check()
    let (B, C, H, W, kk, s, p) = geometry.cArguments
    ck_im2col(col.base, x.base, B, C, H, W, kk, s, p)
}

/// dx += the adjoint of im2col applied to dcol (`ck_col2im`).
/// dx: `geometry.input`, dcol: `geometry.columns`, both contiguous.
public func col2im(dx: ShapedBuffer, dcol: ShapedBuffer, _ geometry: ConvolutionGeometry) throws(KernelError) {
    let k: StaticString = "col2im"
    try expectDense(dcol, geometry.columns, k, "dcol")
    try expectDense(dx, geometry.input, k, "dx")
    var ops = Operands(k)
    ops.input("dcol", dcol)
    ops.output("dx", dx)
    try ops.check()
    let (B, C, H, W, kk, s, p) = geometry.cArguments
    ck_col2im(dx.base, dcol.base, B, C, H, W, kk, s, p)
}

/// y = conv(x, weight) + bias (`ck_conv2d_forward`), one GEMM over the whole batch. Every argument contiguous.
/// Shapes (O from weight's first dimension):
/// - y: (B, O, Ho, Wo), overwritten.
/// - col: `geometry.columns`, overwritten with im2col(x) and kept for the backward. work: (O, B·Ho·Wo), scratch.
/// - x: `geometry.input`; weight: (O, C, k, k); bias: (O) or nil.
/// - bf16Scratch: `geometry.bf16Scratch(channels: O)` for the product in bf16 (`ck_conv2d_forward_bf16`,
///   `--precision bf16`), nil for float32.
public func conv2dForward(y: ShapedBuffer, col: ShapedBuffer, work: ShapedBuffer, x: ShapedBuffer,
                          weight: ShapedBuffer, bias: ShapedBuffer?, bf16Scratch: ShapedBuffer? = nil,
                          _ geometry: ConvolutionGeometry) throws(KernelError) {
    let k: StaticString = "conv2dForward"
    let O = weight.shape[0]
    try expectDense(weight, geometry.weight(channels: O), k, "weight")
    try expectDense(x, geometry.input, k, "x")
    try expectDense(bias, Shape(O), k, "bias")
    try expectDense(y, geometry.output(channels: O), k, "y")
    try expectDense(col, geometry.columns, k, "col")
    try expectDense(work, geometry.work(channels: O), k, "work")
    try expectDense(bf16Scratch, geometry.bf16Scratch(channels: O), k, "bf16Scratch")
    var ops = Operands(k)
    ops.input("x", x); ops.input("weight", weight); ops.input("bias", bias)
    ops.output("y", y); ops.output("col", col); ops.output("work", work); ops.output("bf16Scratch", bf16Scratch)
    try ops.check()
    let (B, C, H, W, kk, s, p) = geometry.cArguments
    ck_conv2d_forward_bf16(y.base, col.base, work.base, bf16Scratch?.base, x.base, weight.base, bias?.base,
                           B, C, H, W, O.c, kk, s, p)
}

/// Accumulates dx, dweight and dbias from dy (`ck_conv2d_backward`); any of the three may be nil. Every argument
/// contiguous.
/// Shapes (O from weight's first dimension):
/// - dx: `geometry.input`, dweight: (O, C, k, k), dbias: (O), += .
/// - work: (O, B·Ho·Wo), scratch; dcol: `geometry.columns`, scratch (needed only with dx, else nil).
/// - dy: (B, O, Ho, Wo); col: the forward's im2col (`geometry.columns`); weight: (O, C, k, k).
/// - bf16Scratch: as for `conv2dForward`: dx's product in bf16 (`ck_conv2d_backward_bf16`; dweight and dbias
///   stay float32), nil for float32.
public func conv2dBackward(dx: ShapedBuffer?, dweight: ShapedBuffer?, dbias: ShapedBuffer?, work: ShapedBuffer,
                           dcol: ShapedBuffer?, bf16Scratch: ShapedBuffer? = nil, dy: ShapedBuffer, col: ShapedBuffer,
                           weight: ShapedBuffer, _ geometry: ConvolutionGeometry) throws(KernelError) {
    let k: StaticString = "conv2dBackward"
    let O = weight.shape[0]
    try expectDense(weight, geometry.weight(channels: O), k, "weight")
    try expectDense(dy, geometry.output(channels: O), k, "dy")
    try expectDense(col, geometry.columns, k, "col")
    try expectDense(dx, geometry.input, k, "dx")
    try expectDense(dweight, geometry.weight(channels: O), k, "dweight")
    try expectDense(dbias, Shape(O), k, "dbias")
    try expectDense(work, geometry.work(channels: O), k, "work")
    try expectDense(dcol, geometry.columns, k, "dcol")
    try require(dx == nil || dcol != nil, k, "dcol", "is nil, but dx needs it as scratch")
    try expectDense(bf16Scratch, geometry.bf16Scratch(channels: O), k, "bf16Scratch")
    var ops = Operands(k)
    ops.input("dy", dy); ops.input("col", col); ops.input("weight", weight)
    ops.output("dx", dx); ops.output("dweight", dweight); ops.output("dbias", dbias)
    ops.output("work", work); ops.output("dcol", dcol); ops.output("bf16Scratch", bf16Scratch)
    try ops.check()
    let (B, C, H, W, kk, s, p) = geometry.cArguments
    ck_conv2d_backward_bf16(dx?.base, dweight?.base, dbias?.base, work.base, dcol?.base, bf16Scratch?.base, dy.base,
                            col.base, weight.base, B, C, H, W, O.c, kk, s, p)
}

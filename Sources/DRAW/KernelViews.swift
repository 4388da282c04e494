// KernelViews.swift: the model's buffers as borrowed DRAWKernels views (no copy, no allocation), and the one place a refused kernel call ends.
import DRAWKernels

/// A borrowed `shape` view at `p`, rows `rowStride` floats apart (default: contiguous), covering exactly the floats
/// the shape names (the workspaces planned their memory from the same sizes). A struct on the stack: no allocation.
@inline(__always)
func view(_ p: UnsafeMutablePointer<Float>, _ shape: Shape, rowStride: Int? = nil) -> ShapedBuffer {
    let stride = rowStride ?? shape.rowLength
    let extent = (shape.rows - 1) * stride + shape.rowLength
    do { return try ShapedBuffer(UnsafeMutableBufferPointer(start: p, count: extent), shape: shape, rowStride: stride) }
    catch { refused(error) }
}

/// `view` of a read-only pointer (the kernels' inputs are never written; the views are shared with outputs).
@inline(__always)
func view(_ p: UnsafePointer<Float>, _ shape: Shape, rowStride: Int? = nil) -> ShapedBuffer {
    view(UnsafeMutablePointer(mutating: p), shape, rowStride: rowStride)
}

/// Runs the model's DRAWKernels calls. The config was validated and every buffer sized from it before any call, so
/// a refused call is a bug in the model, never bad input: it stops there with the kernel's message (which names the
/// kernel, the argument and both shapes) instead of letting C write past a buffer.
@inline(__always)
func kernels<R>(_ body: () throws(KernelError) -> R) -> R {
    do { return try body() } catch { refused(error) }
}

private func refused(_ error: KernelError) -> Never {
    fatalError("DRAW: a kernel call was refused (a bug in the model's buffers): \(error)")
}

// The loss-term kernels on plain pointers (B rows of P values; arrays pass as `&a` or `a`), for the sharp losses'
// terms (named rows… so they do not shadow DRAWKernels' checked functions), which work on arrays of their own rather than the workspaces.

/// loss_b = 0.5·Σ_p (a − target)², overwritten.
func rowsSquaredDistanceForward(_ loss: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ target: UnsafePointer<Float>,
                            rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in try squaredDistanceForward(loss: view(loss, Shape(B)), a: view(a, Shape(B, P)), target: view(target, Shape(B, P))) }
}

/// da += dloss_b · (a − target).
func rowsSquaredDistanceBackward(_ da: UnsafeMutablePointer<Float>, _ dloss: UnsafePointer<Float>, _ a: UnsafePointer<Float>,
                             _ target: UnsafePointer<Float>, rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in
        try squaredDistanceBackward(da: view(da, Shape(B, P)), dloss: view(dloss, Shape(B)), a: view(a, Shape(B, P)),
                                    target: view(target, Shape(B, P)))
    }
}

/// loss_b = Σ_p softplus(logit) − target·logit (binary cross-entropy of logits), overwritten.
func rowsBCEForward(_ loss: UnsafeMutablePointer<Float>, _ logits: UnsafePointer<Float>, _ targets: UnsafePointer<Float>,
                rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in try lossForward(.bce, loss: view(loss, Shape(B)), canvas: view(logits, Shape(B, P)), x: view(targets, Shape(B, P))) }
}

/// dlogits += dloss_b · (sigmoid(logit) − target).
func rowsBCEBackward(_ dlogits: UnsafeMutablePointer<Float>, _ dloss: UnsafePointer<Float>, _ logits: UnsafePointer<Float>,
                 _ targets: UnsafePointer<Float>, rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in
        try lossBackward(.bce, dcanvas: view(dlogits, Shape(B, P)), dloss: view(dloss, Shape(B)),
                         canvas: view(logits, Shape(B, P)), x: view(targets, Shape(B, P)))
    }
}

/// out = sigmoid(input), elementwise over B rows of P.
func rowsSigmoidForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in try sigmoidForward(out: view(out, Shape(B, P)), sums: nil, input: view(input, Shape(B, P))) }
}

/// dx += dy · y(1 − y) for y = sigmoid(x).
func rowsSigmoidBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                     rows B: Int, columns P: Int) {
    kernels { () throws(KernelError) in try sigmoidBackward(dx: view(dx, Shape(B, P)), dy: view(dy, Shape(B, P)), y: view(y, Shape(B, P))) }
}

extension ReconstructionLoss {
    /// The kernels' name for this loss.
    var kernel: LossKind {
        switch self {
        case .bce: .bce
        case .l2: .l2
        }
    }
}

/// An attention window's kernel views: params (B, 5), Fx (B, N, W), Fy (B, N, H).
struct WindowViews {
    let params, Fx, Fy: ShapedBuffer

    init(params: UnsafeMutablePointer<Float>, Fx: UnsafeMutablePointer<Float>, Fy: UnsafeMutablePointer<Float>,
         B: Int, N: Int, H: Int, W: Int) {
        self.params = view(params, Shape(B, 5))
        self.Fx = view(Fx, Shape(B, N, W))
        self.Fy = view(Fy, Shape(B, N, H))
    }
}

extension ForwardCache {
    /// Step t's read and write windows.
    func readWindow(_ t: Int, B: Int, N: Int, H: Int, W: Int) -> WindowViews {
        WindowViews(params: readParams[t], Fx: readFx[t], Fy: readFy[t], B: B, N: N, H: H, W: W)
    }
    func writeWindow(_ t: Int, B: Int, N: Int, H: Int, W: Int) -> WindowViews {
        WindowViews(params: writeParams[t], Fx: writeFx[t], Fy: writeFy[t], B: B, N: N, H: H, W: W)
    }
}

/// One LSTM cell update with the gate activations written over the pre-activations in `gates` (B, 4H), and h into
/// a row buffer of stride `rowStride`.
@inline(__always)
func lstm(h: UnsafeMutablePointer<Float>, rowStride: Int, c: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>,
          cPrev: UnsafeMutablePointer<Float>, B: Int, H: Int) {
    let g = view(gates, Shape(B, 4 * H))
    kernels { () throws(KernelError) in
        try lstmForward(h: view(h, Shape(B, H), rowStride: rowStride), c: view(c, Shape(B, H)), act: g, pre: g,
                        cPrev: view(cPrev, Shape(B, H)))
    }
}

extension BackwardScratch {
    /// The attention scratch (dparams, dFx, dFy) as one window's views (N = Nr or Nw).
    func window(B: Int, N: Int, H: Int, W: Int) -> WindowViews {
        WindowViews(params: dParams, Fx: dFx, Fy: dFy, B: B, N: N, H: H, W: W)
    }
}

/// The LSTM cell's backward with the gate gradients written over the activations in `gates` (B, 4H), dcPrev
/// accumulated (the caller zeroes it).
@inline(__always)
func lstmGradient(_ gates: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
                  dc: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, cPrev: UnsafeMutablePointer<Float>,
                  B: Int, H: Int) {
    let g = view(gates, Shape(B, 4 * H)), state = Shape(B, H)
    kernels { () throws(KernelError) in
        try lstmBackward(dpre: g, dcPrev: view(dcPrev, state), dh: view(dh, state), dc: view(dc, state), act: g,
                         c: view(c, state), cPrev: view(cPrev, state))
    }
}

/// out (rows, P) = sigmoid(input), with each row's sum in Float64 into `sums` (rows values) when given.
@inline(__always)
func sigmoid(_ out: UnsafeMutablePointer<Float>, of input: UnsafeMutablePointer<Float>, rows: Int, _ P: Int,
             sums: UnsafeMutablePointer<Double>? = nil) {
    let shape = Shape(rows, P)
    kernels { () throws(KernelError) in
        try sigmoidForward(out: view(out, shape), sums: sums.map { UnsafeMutableBufferPointer(start: $0, count: rows) },
                           input: view(input, shape))
    }
}

extension DRAWModel {
    /// The model's generator (ε in training, z in generation) as the kernels' KernelRandom, advanced by `body`.
    func withRandom<R>(_ body: (inout KernelRandom) throws(KernelError) -> R) -> R {
        var r = KernelRandom(state: (rngState[0], rngState[1], rngState[2], rngState[3]))
        defer { (rngState[0], rngState[1], rngState[2], rngState[3]) = r.state }
        return kernels { () throws(KernelError) in try body(&r) }
    }

    /// Fills contiguous `out` with N(0, 1) from the model's generator.
    func fillNormal(_ out: ShapedBuffer) { withRandom { (r: inout KernelRandom) throws(KernelError) in try r.fillNormal(out) } }
}

extension FloatArena {
    /// The whole arena as one contiguous view.
    var all: ShapedBuffer { view(base, Shape(count)) }
}

/// NaNs and infinities among n floats at p (0 for n = 0).
func countNonFinite(_ p: UnsafePointer<Float>, _ n: Int) -> Int {
    n == 0 ? 0 : kernels { () throws(KernelError) in try nonFiniteCount(view(p, Shape(n))) }
}

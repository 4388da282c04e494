// Optimizer.swift: the fused Adam step and the slab reductions (sum of squares, non-finite count) behind shape checks.
import CKernels

/// One Adam step's settings (ckernels.h `ck_adam_update`).
public struct AdamStep: Sendable, Equatable {
    public var learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
    /// Elementwise clip of the (scaled) gradient to [−clip, clip]; ≤ 0: none.
    public var clip: Float
    /// Global scale applied before the clip (1: none), e.g. from global-norm clipping.
    public var gradientScale: Float
    /// 1-based step number, for the bias corrections.
    public var step: Int64

    /// No defaults here: the model's AdamSettings own them (SPEC.md "Training defaults").
    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, clip: Float,
                gradientScale: Float = 1, step: Int64) {
        (self.learningRate, self.beta1, self.beta2, self.epsilon) = (learningRate, beta1, beta2, epsilon)
        (self.clip, self.gradientScale, self.step) = (clip, gradientScale, step)
    }
}

/// One fused Adam step over a slab (`ck_adam_update`): p, m, v updated in place from g.
/// All four contiguous with one shape; p, m, v pairwise distinct and none overlapping g.
public func adamUpdate(parameters p: ShapedBuffer, m: ShapedBuffer, v: ShapedBuffer, gradient g: ShapedBuffer,
                       _ s: AdamStep) throws(KernelError) {
    let k: StaticString = "adamUpdate"
    try expectDense(p, p.shape, k, "parameters")
    try expectDense(m, p.shape, k, "m")
    try expectDense(v, p.shape, k, "v")
    try expectDense(g, p.shape, k, "gradient")
    try require(s.step >= 1, k, "step", "is \(s.step), must be >= 1 (the bias corrections divide by 1 - beta^step)")
    var ops = Operands(k)
    ops.input("gradient", g)
    ops.output("parameters", p); ops.output("m", m); ops.output("v", v)
    try ops.check()
    ck_adam_update(p.base, m.base, v.base, g.base, p.shape.count, s.learningRate, s.beta1, s.beta2, s.epsilon,
                   s.clip, s.gradientScale, s.step)
}

/// Σ g² in Float64 (`ck_sum_squares`), the same bits for any thread count and SIMD path. g contiguous.
public func sumOfSquares(_ g: ShapedBuffer) throws(KernelError) -> Double {
    try expectContiguous(g, "sumOfSquares", "g")
    return ck_sum_squares(g.base, g.shape.count)
}

/// How many values of g are NaN or ±Inf (`ck_count_nonfinite`). g contiguous.
public func nonFiniteCount(_ g: ShapedBuffer) throws(KernelError) -> Int {
    try expectContiguous(g, "nonFiniteCount", "g")
    return ck_count_nonfinite(g.base, g.shape.count)
}

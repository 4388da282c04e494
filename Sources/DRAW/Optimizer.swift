// Optimizer.swift: Adam over the whole parameter slab in one fused C loop, with SPEC.md's defaults.
import DRAWKernels

/// Adam's hyperparameters (SPEC.md "Training defaults"). Saved in checkpoints so a resumed run is identical.
public struct AdamSettings: Codable, Equatable, Sendable {
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Each gradient value is clamped to [−clip, clip] first; 0 or less turns it off.
    public var clip: Float = 5
    /// When set, the whole gradient is first scaled down so its L2 norm is at most this.
    public var maxGradNorm: Float? = nil

    public init(learningRate: Float = 1e-3, beta1: Float = 0.5, beta2: Float = 0.999, epsilon: Float = 1e-8,
                clip: Float = 5, maxGradNorm: Float? = nil) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.clip = clip
        self.maxGradNorm = maxGradNorm
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", beta1, beta2, epsilon = "eps", clip, maxGradNorm = "max_grad_norm"
    }
}

extension DRAWModel {
    /// One Adam step with the gradient slab (step counter first, so the bias correction is 1-based).
    /// Throws, changing nothing, when a gradient is NaN or Inf; throws `diverged` (the model is then unusable)
    /// when the update made a parameter or moment non-finite. `gradientScale` multiplies the gradient first
    /// (1/ranks after an allreduce sum), inside the fused kernel, before any clipping.
    public func applyAdam(gradientScale: Float = 1) throws {
        let bad = kernels { () throws(KernelError) in try nonFiniteCount(grads.all) }
        if bad > 0 { throw DRAWError.nonFiniteGradient(step: step + 1, count: bad) }
        var scale = gradientScale
        if let maxNorm = adam.maxGradNorm, maxNorm > 0 {
            let norm = gradientNorm * Double(gradientScale)
            if norm > Double(maxNorm) { scale = Float(Double(gradientScale) * Double(maxNorm) / norm) }
        }
        step += 1
        let settings = AdamStep(learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2,
                                epsilon: adam.epsilon, clip: adam.clip, gradientScale: scale, step: step)
        kernels { () throws(KernelError) in
            try adamUpdate(parameters: params.all, m: adamM.all, v: adamV.all, gradient: grads.all, settings)
        }
        parametersChanged()
        // A finite gradient can still overflow a moment or a weight (a learning rate of 1e30): the model is then
        // poisoned, so say so at once, before anything could save it.
        if let bad = firstNonFiniteTensor() { throw DRAWError.diverged(step: step, tensor: bad) }
    }

    /// Forgets Adam's moments and the step count (fine-tuning a trained model on new data starts here).
    public func resetOptimizer() {
        zero(adamM.base, adamM.count)
        zero(adamV.base, adamV.count)
        step = 0
        hasOptimizerState = true
    }

    /// One Adam step with `gradient` (a slab of `layout.count` floats in the same layout as `gradientSlab`,
    /// e.g. gradients averaged over processes): copies it into the gradient slab, then `applyAdam()`.
    public func applyAdam(gradient: UnsafeBufferPointer<Float>, gradientScale: Float = 1) throws {
        guard gradient.count == grads.count else {
            throw DRAWError.shapeMismatch(what: "gradient slab", expected: "\(grads.count) floats", got: gradient.count)
        }
        copy(grads.base, gradient.baseAddress!, grads.count)
        try applyAdam(gradientScale: gradientScale)
    }

    /// L2 norm of the last computed gradient (for logs and global-norm clipping).
    public var gradientNorm: Double { kernels { () throws(KernelError) in try sumOfSquares(grads.all) }.squareRoot() }
}

// DRAWModel.swift: the model object: config, parameter/gradient/Adam slabs, RNG, and the public API around them.
import DRAWKernels
import Foundation

/// How the latent z = μ + σ·ε is drawn at each step.
public enum LatentMode: Sendable {
    /// Evaluation: z = μ (ε = 0).
    case mean
    /// Training: a fresh ε ~ N(0, I) every step from the model's RNG.
    case sampled
    /// The caller's ε, `[T][B][Z]` row-major (e.g. a fixture's eps.npy).
    case fixed([Float])
    /// ε from a generator of its own seeded with this value, leaving the model's RNG alone (validation while
    /// training: the same noise at every evaluation, and a resumed run's RNG stream unchanged).
    case seeded(UInt64)
}

/// Per-image losses of one batch or of a whole data set in order (SPEC.md "Loss"); the loss is the mean over images.
public struct LossReport: Sendable, Equatable {
    /// `recon + klWeight · kl` per image.
    public private(set) var total: [Double]
    /// Reconstruction term per image: BCE in nats, or 0.5·Σ squared error.
    public private(set) var recon: [Double]
    /// Σ_t KL(q(z_t) ‖ N(0, I)) per image, in nats.
    public private(set) var kl: [Double]

    public init(total: [Double] = [], recon: [Double] = [], kl: [Double] = []) {
        precondition(total.count == recon.count && recon.count == kl.count, "one value per image in each term")
        self.total = total
        self.recon = recon
        self.kl = kl
    }

    /// The mean of `total` (0 for no images).
    public var mean: Double { Self.mean(total) }
    /// Means of the two terms.
    public var meanRecon: Double { Self.mean(recon) }
    public var meanKL: Double { Self.mean(kl) }

    /// Appends the images of `other`, with `total` recomputed as recon + `klWeight` · KL.
    public mutating func append(_ other: LossReport, klWeight: Double) {
        total += zip(other.recon, other.kl).map { $0 + klWeight * $1 }
        recon += other.recon
        kl += other.kl
    }

    private static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
}

/// A DRAW model (SPEC.md): parameters, gradients and Adam moments in one slab layout each, plus the RNG
/// that draws ε in training and z in generation. Not thread-safe: use one model from one task at a time.
public final class DRAWModel {
    public let config: DRAWConfig
    /// Where each PyTorch-named tensor lives in the parameter, gradient and Adam slabs.
    public let layout: ParameterLayout
    /// Parameters, gradients of the last batch, Adam's m and v: same layout, padding zero.
    let params, grads, adamM, adamV: FloatArena
    /// Adam's settings (SPEC.md defaults); saved in checkpoints.
    public var adam = AdamSettings()
    /// Adam steps taken so far.
    public internal(set) var step: Int64 = 0
    /// False after loading a weights-only file of a trained model: Adam's moments are not known, so it can be
    /// sampled, evaluated or fine-tuned (`resetOptimizer()`) but not resumed.
    public internal(set) var hasOptimizerState = true
    /// What the per-step products multiply; float32 (the default) is SPEC.md's arithmetic. Each command sets it
    /// from `--precision` on the model it made or loaded (no process-wide default, so models never race on one).
    public var precision = Precision.float32 {
        didSet { if precision != oldValue { packedCache = nil } }
    }
    /// Weight of the KL term in the loss (SPEC.md: 1).
    public var klWeight: Float = 1
    /// Free bits in nats per drawing step (`TrainingSchedule.freeBits`; 0: none): a step whose batch-mean KL is
    /// below it gets no KL gradient. The losses reported are the true ones whatever it is.
    public var freeBits: Float = 0
    /// xoshiro256** state (4 words) for ε and generation z.
    var rngState: [UInt64] = [0, 0, 0, 0]
    private var cache: ForwardCache?
    /// The cache `reconstruct` uses: it keeps every step's canvas, which training does not need.
    private var historyCache: ForwardCache?
    var scratch: BackwardScratch?   // internal: routedGradients (VAEGAN.swift) runs two backwards on one forward
    /// The decoder loop's buffers for the last generation count.
    var generationCache: GenerationWorkspace?
    /// Bumped by everything that writes the parameter slab, so the packed weights know when to repack.
    private(set) var parameterVersion = 0
    private var packedCache: PackedWeights?

    /// A freshly initialised model: PyTorch's default init (Linear U(±1/√in) for weight and bias, LSTMCell
    /// U(±1/√hidden) for all four tensors) drawn from `seed`, which also seeds the training RNG.
    public init(config: DRAWConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        var plan = FloatArena.Plan()
        _ = plan.reserve(layout.count)
        params = FloatArena(plan); grads = FloatArena(plan); adamM = FloatArena(plan); adamV = FloatArena(plan)
        reseed(seed)
        let p = params.base
        for t in layout.tensors {
            withRandom { (r: inout KernelRandom) throws(KernelError) in try r.fillUniform(view(p + t.offset, Shape(t.count))) }
            for i in t.offset..<(t.offset + t.count) { p[i] = (2 * p[i] - 1) * t.initBound }
        }
    }

    // MARK: training and evaluation

    /// Forward, backward and one Adam step on `batch` (planar `[B, C, H, W]` in [0, 1]).
    /// Returns the losses before the update. Throws on a wrongly sized batch or a non-finite gradient
    /// (then nothing is updated).
    @discardableResult
    public func trainStep(batch: [Float], mode: LatentMode = .sampled) throws -> LossReport {
        try batch.withUnsafeBufferPointer { try trainStep(images: $0, mode: mode) }
    }

    /// `trainStep(batch:mode:)` on images the caller holds (no copy of the array).
    @discardableResult
    public func trainStep(images: UnsafeBufferPointer<Float>, mode: LatentMode = .sampled) throws -> LossReport {
        let report = try computeGradients(images: images, mode: mode)
        try applyAdam()
        return report
    }

    /// The losses on `batch` without touching gradients or parameters (z = μ unless `mode` says otherwise;
    /// `.sampled` advances the model's RNG).
    public func loss(batch: [Float], mode: LatentMode = .mean) throws -> LossReport {
        try batch.withUnsafeBufferPointer { try loss(images: $0, mode: mode) }
    }

    /// `loss(batch:mode:)` on images the caller holds (no copy of the array).
    public func loss(images: UnsafeBufferPointer<Float>, mode: LatentMode = .mean) throws -> LossReport {
        let cache = try prepare(images: images, mode: mode)
        return forward(cache, mode: mode)
    }

    /// Forward and backward: overwrites the gradient slab with d(batch-mean loss)/d parameters.
    @discardableResult
    public func computeGradients(batch: [Float], mode: LatentMode = .sampled) throws -> LossReport {
        try batch.withUnsafeBufferPointer { try computeGradients(images: $0, mode: mode) }
    }

    /// `computeGradients(batch:mode:)` on images the caller holds. With `applyAdam()` (or `applyAdam(gradient:)`)
    /// it splits `trainStep` so the gradient slab can be averaged across processes in between.
    @discardableResult
    public func computeGradients(images: UnsafeBufferPointer<Float>, mode: LatentMode = .sampled) throws -> LossReport {
        let cache = try prepare(images: images, mode: mode)
        let report = forward(cache, mode: mode)
        if scratch?.batch != cache.batch { scratch = BackwardScratch(config: config, batch: cache.batch) }
        zero(grads.base, grads.count)
        backward(cache, scratch!, mode: mode)
        return report
    }

    /// `computeGradients(images:mode:)` with the reconstruction term computed by `reconstruction` instead of the
    /// config's loss (see `ReconstructionTerm`): the model turns its dL/dx̃ into dL/dc_T through the sigmoid and runs
    /// BPTT unchanged. The batch loss is mean_b(recon_b + klWeight · KL_b); the report's recon is the closure's.
    @discardableResult
    public func computeGradients(images: UnsafeBufferPointer<Float>, mode: LatentMode,
                                 reconstruction: ReconstructionTerm) throws -> LossReport {
        let cache = try prepare(images: images, mode: mode)
        let kl = forward(cache, mode: mode).kl
        let B = cache.batch, n = B * config.pixels
        var xTilde = [Float](repeating: 0, count: n), dxTilde = xTilde
        let recon = try xTilde.withUnsafeMutableBufferPointer { xt in
            try dxTilde.withUnsafeMutableBufferPointer { d in
                sigmoid(xt.baseAddress!, of: cache.canvas[config.steps], rows: B, config.pixels)
                return try reconstruction(UnsafeBufferPointer(xt), UnsafeBufferPointer(start: cache.x, count: n), d)
            }
        }
        guard recon.count == B else {
            throw DRAWError.shapeMismatch(what: "reconstruction loss per image", expected: "\(B) values", got: recon.count)
        }
        for i in 0..<n { dxTilde[i] /= Float(B) }   // d(batch mean)/dx̃
        if scratch?.batch != B { scratch = BackwardScratch(config: config, batch: B) }
        zero(grads.base, grads.count)
        let image = Shape(B, config.pixels)
        xTilde.withUnsafeMutableBufferPointer { xt in
            dxTilde.withUnsafeMutableBufferPointer { d in
                let y = view(xt.baseAddress!, image), dy = view(d.baseAddress!, image)
                backward(cache, scratch!, mode: mode) { dCanvas in
                    kernels { () throws(KernelError) in try sigmoidBackward(dx: view(dCanvas, image), dy: dy, y: y) }
                }
            }
        }
        return LossReport(total: zip(recon, kl).map { $0 + Double(klWeight) * $1 }, recon: recon, kl: kl)
    }

    // MARK: parameter and gradient access

    /// A copy of parameter `name` (PyTorch state_dict name), row-major, or nil if there is none.
    public func parameter(named name: String) -> [Float]? { read(params, name) }
    /// A copy of the last computed gradient of `name`, or nil.
    public func gradient(named name: String) -> [Float]? { read(grads, name) }

    /// Overwrites parameter `name`; throws if the name or the length is wrong.
    public func setParameter(named name: String, to values: [Float]) throws {
        guard let t = layout.tensor(named: name) else {
            throw DRAWError.invalidConfig(field: name, reason: "no such parameter in this model")
        }
        guard values.count == t.count else {
            throw DRAWError.shapeMismatch(what: name, expected: "\(t.shape) = \(t.count)", got: values.count)
        }
        values.withUnsafeBufferPointer { copy(params.base + t.offset, $0.baseAddress!, t.count) }
        parametersChanged()
    }

    /// The flat parameter slab (layout order, `layout.count` floats; padding between groups is zero).
    /// Valid while the model lives; do not keep it across calls that change parameters if you need a snapshot.
    public var parameterSlab: UnsafeBufferPointer<Float> { UnsafeBufferPointer(params.buffer) }
    /// The gradient slab that `computeGradients` fills and `applyAdam()` consumes, same layout.
    public var gradientSlab: UnsafeBufferPointer<Float> { UnsafeBufferPointer(grads.buffer) }

    /// Mutable access to the parameter slab, e.g. to broadcast rank 0's parameters (MPI) before training.
    public func withParameterSlab<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        defer { parametersChanged() }
        return try body(params.buffer)
    }

    /// Mutable access to the gradient slab, e.g. to average it across processes (MPI allreduce in place)
    /// between `computeGradients` and `applyAdam()`.
    public func withGradientSlab<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(grads.buffer)
    }

    private func read(_ slab: FloatArena, _ name: String) -> [Float]? {
        guard let t = layout.tensor(named: name) else { return nil }
        return Array(UnsafeBufferPointer(start: slab.base + t.offset, count: t.count))
    }

    // MARK: internals shared by the API files

    /// Every write to the parameter slab ends here.
    func parametersChanged() { parameterVersion &+= 1 }

    /// The packed weights for the forward products (and with `backward`, the backward's), current with the slab.
    func packedWeights(backward: Bool = false) -> PackedWeights {
        if packedCache == nil { packedCache = PackedWeights(config: config, layout: layout, precision: precision) }
        let w = packedCache!
        w.refreshForward(params.base, version: parameterVersion)
        if backward { w.refreshBackward(params.base, version: parameterVersion) }
        return w
    }

    /// Checks the batch and noise sizes, returns the cache for this batch size with x (and ε) copied in;
    /// `canvasHistory` asks for one that keeps c_t for every t (see `ForwardCache.canvas`).
    func prepare(images: UnsafeBufferPointer<Float>, mode: LatentMode, canvasHistory: Bool = false) throws
        -> ForwardCache
    {
        let B = try batchSize(of: images.count, what: "batch")
        let cache: ForwardCache
        if canvasHistory {
            if historyCache?.batch != B { historyCache = ForwardCache(config: config, batch: B, canvasHistory: true) }
            cache = historyCache!
        } else {
            if self.cache?.batch != B { self.cache = ForwardCache(config: config, batch: B) }
            cache = self.cache!
        }
        copy(cache.x, images.baseAddress!, images.count)
        let n = config.steps * B * config.zSize
        switch mode {
        case .mean: break
        case .sampled: fillNormal(view(cache.eps[1], Shape(n)))
        case .seeded(let seed):
            var own = KernelRandom(seed: seed)
            kernels { () throws(KernelError) in try own.fillNormal(view(cache.eps[1], Shape(n))) }
        case .fixed(let eps):
            guard eps.count == n else {
                throw DRAWError.shapeMismatch(what: "eps", expected: "[T=\(config.steps)][B=\(B)][Z=\(config.zSize)] = \(n)",
                                              got: eps.count)
            }
            eps.withUnsafeBufferPointer { copy(cache.eps[1], $0.baseAddress!, n) }
        }
        return cache
    }

    /// B from a flat `[B, C, H, W]` length, with a clear error when it does not divide.
    func batchSize(of count: Int, what: String) throws -> Int {
        let P = config.pixels
        guard count > 0, count % P == 0 else {
            throw DRAWError.shapeMismatch(what: what, expected: "a positive multiple of C*H*W = \(P)", got: count)
        }
        let B = count / P
        guard (config.steps + 1) * B * max(P, config.fused.headRow.width, 4 * config.encSize, 4 * config.decSize) <= Int(Int32.max)
        else { throw DRAWError.shapeMismatch(what: what, expected: "a smaller batch (C int offsets)", got: count) }
        return B
    }
}

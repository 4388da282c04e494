// VAEGAN.swift: `--loss vaegan` (Larsen et al. 2016): a discriminator's features as the reconstruction space, the paper's gradient routing and equilibrium gating, one whole step per call.

/// The options of a VAE/GAN run, and the weights the features loss shares with it (measured defaults: see the
/// README section "Sharp colour").
public struct VAEGANSettings: Sendable, Equatable {
    /// γ: weight of the feature reconstruction in the decoder's objective (γ · recon − GAN).
    public var gamma: Float = 1
    /// Weight of the decoder's GAN term (non-saturating, −log D(x̃) per image). At 32×32 the reconstruction
    /// is ~60–150 nats and the GAN term ~0.7 per unit weight: 10 is ~10% of it (measured stable and recognisable over
    /// 3 seeds); 30 adds texture, 100 (the earlier default) drowns the reconstruction in one pattern for every image.
    public var ganWeight: Float = 10
    /// Weight of the feature distance in recon (discriminator features for vaegan; the frozen net's or the Watson-DFT
    /// distance for features).
    public var featureWeight: Float = 1
    /// `--loss features`: which distance (nil: the frozen random conv net, what runs of earlier versions used).
    public var featureNet: FeatureNet? = nil
    /// Steps of pure reconstruction (the decoder's GAN term off) before the GAN term starts.
    public var ganWarmup: Int = 100
    /// Weight of a pixel L2 term added to the feature reconstruction (0: the paper's pure feature loss).
    public var pixelWeight: Float = 1
    /// Weight of the edge term (`EdgeLoss`: squared distance of the spatial gradients) added to recon.
    public var edgeWeight: Float = 0
    /// The discriminator layer (0-based conv index) whose output is the feature space; nil: the second to last.
    public var featureLayer: Int? = nil
    /// Discriminator Adam learning rate (β1 0.5, β2 0.999).
    public var discriminatorLearningRate: Float = 2e-4
    /// Equilibrium gating (the paper's code): skip the discriminator update when its real or fake BCE is below
    /// equilibrium − margin, skip the decoder's GAN term when either is above equilibrium + margin.
    public var equilibrium: Float = 0.68
    public var margin: Float = 0.35
    /// Base channel count of the discriminator (doubles per stride-2 layer, at most 8×); nil: sized to the image
    /// (`defaultDiscriminatorWidth`).
    public var discriminatorWidth: Int? = nil
    public init() {}

    /// The base width for images of this size: Larsen's 32 above 32×32 (on 64×64 icons 16 was within the seeds'
    /// spread of 32, at half the time but 9% more pixel error over 3 seeds), 16 at 32×32 and below, where it is as
    /// sharp as 32 at the same pixel error over 3 seeds on faces and icons and trains 20–40% faster (README, "Sharp
    /// colour", seventh round).
    public static func defaultDiscriminatorWidth(height: Int, width: Int) -> Int { min(height, width) > 32 ? 32 : 16 }

    /// The width a discriminator for images of this size gets: the one set, else the default for the size.
    public func resolvedDiscriminatorWidth(height: Int, width: Int) -> Int {
        discriminatorWidth ?? Self.defaultDiscriminatorWidth(height: height, width: width)
    }

    /// Largest `discriminatorWidth` accepted: 8× Larsen's 32 (the widest layer is 8× the width: 2048 channels,
    /// ~0.7 GB of weights, gradients and Adam state at 64×64).
    public static let maxDiscriminatorWidth = 256

    /// Range checks (flags and run.json alike): weights finite and ≥ 0, the learning rate finite and > 0, the
    /// gate's numbers finite (margin ≥ 0), counts ≥ 0, the width in 1...maxDiscriminatorWidth.
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> DRAWError { .invalidConfig(field: field, reason: reason) }
        for (name, value) in [("gamma", gamma), ("gan_weight", ganWeight), ("feature_weight", featureWeight),
                              ("pixel_weight", pixelWeight), ("edge_weight", edgeWeight), ("margin", margin)] {
            guard value.isFinite, value >= 0 else { throw fail(name, "must be finite and at least 0, got \(value)") }
        }
        guard equilibrium.isFinite else { throw fail("equilibrium", "must be finite, got \(equilibrium)") }
        guard discriminatorLearningRate.isFinite, discriminatorLearningRate > 0 else {
            throw fail("discriminator_learning_rate", "must be finite and above 0, got \(discriminatorLearningRate)")
        }
        guard ganWarmup >= 0 else { throw fail("gan_warmup", "must be at least 0, got \(ganWarmup)") }
        if let featureLayer, featureLayer < 0 { throw fail("feature_layer", "must be at least 0, got \(featureLayer)") }
        if let w = discriminatorWidth, !(1...Self.maxDiscriminatorWidth).contains(w) {
            throw fail("discriminator_width", "must be in 1...\(Self.maxDiscriminatorWidth), got \(w)")
        }
    }

    /// What a run.json without `loss_settings` resumes with: runs of the versions before they were recorded, whose
    /// discriminator was 32 wide at every size (so their discriminator files still load).
    public static var unrecorded: VAEGANSettings {
        var s = VAEGANSettings()
        s.discriminatorWidth = 32
        return s
    }
}

/// run.json's spelling: snake_case, every field written (a resumed run needs no flags repeated).
extension VAEGANSettings: Codable {
    enum CodingKeys: String, CodingKey {
        case gamma, ganWeight = "gan_weight", featureWeight = "feature_weight", ganWarmup = "gan_warmup"
        case pixelWeight = "pixel_weight", edgeWeight = "edge_weight", featureLayer = "feature_layer"
        case discriminatorLearningRate = "discriminator_learning_rate", equilibrium, margin
        case discriminatorWidth = "discriminator_width", featureNet = "feature_net"
    }
}

/// The fixed feature space of `--loss features`.
public enum FeatureNet: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// A frozen conv net with random He-uniform weights (`FeatureLoss`).
    case random
    /// The Watson-DFT perceptual distance (`WatsonLoss`), no network.
    case watsonDFT = "watson-dft"
    public var description: String { rawValue }
}

/// One step's numbers (batch means).
public struct VAEGANReport: Sendable {
    public let recon, kl: Double
    public var total: Double { recon + kl }
    /// Discriminator BCE on real images and on reconstructions, before its update.
    public let realBCE, fakeBCE: Double
    public let trainedDiscriminator, decoderGAN: Bool
    /// The two parts of recon before their weights (batch means).
    public let featureRecon, pixelRecon: Double
}

/// Runs whole VAE/GAN steps on a DRAW model: encoder ← KL + feature recon; decoder (decoder LSTM, write and
/// write head) ← γ · feature recon + GAN term; discriminator ← GAN term only (real vs reconstructions and prior
/// samples). DRAW's encoder and decoder are one recurrent graph, so the routing takes two BPTT passes on the same
/// noise: one seeded with d(recon)/dx̃ and the KL, one with d(γ recon + GAN)/dx̃ and no KL; each parameter keeps
/// the gradient of its own objective. The read head counts as encoder (it only decides what the encoder sees).
public final class VAEGANTrainer {
    public let model: DRAWModel
    public let discriminator: ConvNet
    public var settings: VAEGANSettings
    public let featureLayer: Int
    /// True for the slab entries of the encoder's tensors.
    private let encoderMask: [Bool]
    /// Under mpirun: this rank's slice of each global batch, and the sums that make every rank take the same step
    /// (noise, gates, both Adam steps and the reported losses are the global batch's, as in one process with it).
    public var parallel: DataParallel?

    public init(model: DRAWModel, settings: VAEGANSettings = VAEGANSettings(), seed: UInt64) throws {
        self.model = model; self.settings = settings
        let c = model.config
        discriminator = try VAEGANTrainer.makeDiscriminator(channels: c.channels, height: c.height, width: c.width,
                                                            width: settings.resolvedDiscriminatorWidth(height: c.height, width: c.width),
                                                            seed: seed)
        discriminator.adam.learningRate = settings.discriminatorLearningRate
        let layers = discriminator.layers.count
        featureLayer = settings.featureLayer ?? max(0, layers - 2)
        guard (0..<layers).contains(featureLayer) else {
            throw DRAWError.invalidConfig(field: "vaegan feature layer", reason: "\(featureLayer) is not in 0..<\(layers)")
        }
        var mask = [Bool](repeating: false, count: model.layout.count)
        for t in model.layout.tensors where ["encoder.", "mu.", "logsigma.", "read_attn."].contains(where: t.name.hasPrefix) {
            for i in t.offset..<(t.offset + t.count) { mask[i] = true }
        }
        encoderMask = mask
    }

    /// Larsen's 64×64 discriminator scaled to the image: 4×4 stride-2 convolutions (padding 1) from `width`
    /// channels, doubling (at most 8×), until the map is 4×4 (at most 4 layers), LeakyReLU 0.2, then one linear
    /// layer to a logit. No normalisation layer: at this size the gating keeps it stable (measured over 3 seeds).
    public static func makeDiscriminator(channels: Int, height: Int, width: Int, width base: Int, seed: UInt64) throws -> ConvNet {
        var layers: [ConvNet.Layer] = [], size = min(height, width), ch = base
        repeat {
            layers.append(ConvNet.Layer(channels: ch, kernel: 4, stride: 2, pad: 1))
            size /= 2; ch = min(ch * 2, 8 * base)
        } while size > 4 && layers.count < 4
        return try ConvNet(prefix: "discriminator.", input: (channels, height, width), layers: layers, head: true,
                           slope: 0.2, seed: seed)
    }

    /// One step on `images` (`[B, C, H, W]`): one DRAW forward, the discriminator's features of x and x̃, two
    /// BPTT passes on that forward (encoder seed, decoder seed), the discriminator update (when the gate allows),
    /// and DRAW's Adam step. Throws (changing nothing in DRAW) on a non-finite gradient.
    /// The discriminator forwards each batch once, into its own slot (x: realSlot, x̃: fakeSlot, prior samples:
    /// sampleSlot): its update backpropagates those same forwards (its weights have not moved since), so a step
    /// costs three forwards of B images where forwarding x and x̃ again in one 3B batch cost five. On x̃ the
    /// decoder's GAN term and the update share one backward (`ConvNet.backward(parameterSeeds:inputSeeds:)`).
    public func step(images: UnsafeBufferPointer<Float>) throws -> VAEGANReport {
        let c = model.config, P = c.pixels, B = images.count / P, D = discriminator, s = settings, l = featureLayer
        D.precision = model.precision   // the discriminator's products follow --precision
        let F = D.featureSize(layer: l), n = B * P
        let rank = parallel?.rank ?? 0, ranks = parallel?.ranks ?? 1
        let mode = LatentMode.fixed(model.standardNormals(batch: B, rank: rank, of: ranks))
        var realBCE = 0.0, fakeBCE = 0.0, decoderGAN = false, trainD = false
        var featureLoss = [Float](repeating: 0, count: B), pixelLoss = [Float](repeating: 0, count: B)
        var edgeLoss = [Double](repeating: 0, count: B)
        var realLogits: [Float] = [], fakeLogits: [Float] = [], fakeSlotTrained = false
        let routed = try model.routedGradients(images: images, mode: mode) { xt, x in
            // The discriminator on x (targets and its verdict), then on x̃ (kept for the two backwards).
            realLogits = Array(D.forward(x.baseAddress!, batch: B, slot: Self.realSlot))
            let target = D.features(layer: l, slot: Self.realSlot)
            fakeLogits = Array(xt.withUnsafeBufferPointer { D.forward($0.baseAddress!, batch: B, slot: Self.fakeSlot) })
            realBCE = Self.meanBCE(realLogits, label: 1); fakeBCE = Self.meanBCE(fakeLogits, label: 0)
            if let parallel {   // the gates see the global batch's verdicts, so every rank decides alike
                var both = [realBCE, fakeBCE]
                try parallel.sumDoubles(&both)
                (realBCE, fakeBCE) = (both[0] / Double(ranks), both[1] / Double(ranks))
            }
            // Gates (the paper's code): the decoder's GAN term is off while the discriminator loses badly, the
            // discriminator's update off while it wins too easily (both on if both would be off), and the GAN term off
            // during the warm-up (the discriminator trains from the start, so it is ready when the term starts).
            let hi = Double(s.equilibrium + s.margin), lo = Double(s.equilibrium - s.margin)
            decoderGAN = !(realBCE > hi || fakeBCE > hi)
            trainD = !(realBCE < lo || fakeBCE < lo)
            if !decoderGAN && !trainD { decoderGAN = true; trainD = true }
            decoderGAN = decoderGAN && model.step >= Int64(s.ganWarmup) && s.ganWeight != 0

            // recon_b = featureWeight · 0.5‖φ_l(x̃) − φ_l(x)‖² + pixelWeight · 0.5‖x̃ − x‖² (the Gaussian NLL with σ = 1,
            // constants dropped) + edgeWeight · edge_b (EdgeLoss); its d/dx̃ through the discriminator, without touching
            // its parameters.
            let f = D.features(layer: l, slot: Self.fakeSlot)
            rowsSquaredDistanceForward(&featureLoss, f.baseAddress!, target.baseAddress!, rows: B, columns: F)
            rowsSquaredDistanceForward(&pixelLoss, xt, x.baseAddress!, rows: B, columns: P)
            var gf = [Float](repeating: 0, count: B * F)
            rowsSquaredDistanceBackward(&gf, [Float](repeating: s.featureWeight, count: B), f.baseAddress!, target.baseAddress!,
                                        rows: B, columns: F)
            var dRecon = [Float](repeating: 0, count: n)
            gf.withUnsafeBufferPointer {
                D.backward(dLogits: nil, dFeatures: [(l, $0.baseAddress!)], dInput: &dRecon, parameters: false, slot: Self.fakeSlot)
            }
            rowsSquaredDistanceBackward(&dRecon, [Float](repeating: s.pixelWeight, count: B), xt, x.baseAddress!, rows: B, columns: P)
            if s.edgeWeight != 0 {
                edgeLoss = EdgeLoss.apply(reconstruction: xt, data: x.baseAddress!, batch: B, planes: c.channels,
                                          height: c.height, width: c.width, weight: s.edgeWeight, gradient: &dRecon)
            }
            // The decoder's GAN term: ganWeight · −log σ(D(x̃)) per image (non-saturating). When the discriminator
            // trains too, the one backward of x̃ also gives its update's share for x̃ (its weights move only after).
            var dGAN = [Float](repeating: 0, count: n)
            if trainD { D.zeroGradients() }
            if decoderGAN {
                var dLogits = [Float](repeating: 0, count: B)
                rowsBCEBackward(&dLogits, [Float](repeating: s.ganWeight, count: B), fakeLogits,
                            [Float](repeating: 1, count: B), rows: B, columns: 1)
                if trainD {
                    D.backward(parameterSeeds: Self.discriminatorSeeds(fakeLogits, slot: Self.fakeSlot), inputSeeds: dLogits,
                               dInput: &dGAN, slot: Self.fakeSlot)
                    fakeSlotTrained = true
                } else {
                    D.backward(dLogits: dLogits, dInput: &dGAN, parameters: false, slot: Self.fakeSlot)
                }
            }
            let inverseB = 1 / Float(B)
            let encoderSeed = dRecon.map { $0 * inverseB }
            let decoderSeed = (0..<n).map { (s.gamma * dRecon[$0] + dGAN[$0]) * inverseB }

            // Two backwards: encoder ← KL + recon, decoder ← γ·recon + GAN (no KL).
            return [(encoderSeed, model.klWeight), (decoderSeed, 0)]
        }
        let xt = routed.reconstruction, kl = routed.kl
        var combined = routed.gradients[1]
        for i in combined.indices where encoderMask[i] { combined[i] = routed.gradients[0][i] }
        // Each rank's gradients are of its own batch mean: their sum over ranks, times 1/ranks, is the global mean's.
        try combined.withUnsafeMutableBufferPointer { try parallel?.sum($0) }

        // Discriminator: real vs reconstructions vs prior samples, L_D = BCE(real) + ½ (BCE(recon) + BCE(sample)),
        // backpropagated slot by slot into one gradient (zeroed above; x̃'s share is there already when the
        // decoder's GAN term ran).
        if trainD {
            let samples = try model.generate(count: B, z: model.standardNormals(batch: B, rank: rank, of: ranks))
            let sampleLogits = Array(samples.withUnsafeBufferPointer { D.forward($0.baseAddress!, batch: B, slot: Self.sampleSlot) })
            for (slot, logits) in [(Self.realSlot, realLogits), (Self.fakeSlot, fakeLogits), (Self.sampleSlot, sampleLogits)]
                where !(slot == Self.fakeSlot && fakeSlotTrained) {
                D.backward(dLogits: Self.discriminatorSeeds(logits, slot: slot), dInput: nil, parameters: true, slot: slot)
            }
            try D.withGradients { try parallel?.sum($0) }
            try D.applyAdam(gradientScale: 1 / Float(ranks))
        }
        try combined.withUnsafeBufferPointer { try model.applyAdam(gradient: $0, gradientScale: 1 / Float(ranks)) }
        let recon = (0..<B).reduce(0.0) {
            $0 + Double(s.featureWeight * featureLoss[$1] + s.pixelWeight * pixelLoss[$1]) + Double(s.edgeWeight) * edgeLoss[$1]
        }
        // Sums over the global batch, then its means.
        var sums = [recon, kl.reduce(0, +), featureLoss.reduce(0.0) { $0 + Double($1) }, pixelLoss.reduce(0.0) { $0 + Double($1) }]
        try parallel?.sumDoubles(&sums)
        let images = Double(B * ranks)
        return VAEGANReport(recon: sums[0] / images, kl: sums[1] / images, realBCE: realBCE,
                            fakeBCE: fakeBCE, trainedDiscriminator: trainD, decoderGAN: decoderGAN,
                            featureRecon: sums[2] / images, pixelRecon: sums[3] / images)
    }

    /// The discriminator's slots (`ConvNet.forward(_:batch:slot:)`) for x, x̃ and the prior samples.
    static let realSlot = 0, fakeSlot = 1, sampleSlot = 2

    /// d L_D / d logits of one slot's batch: BCE against the slot's label (real 1, the others 0), weighted 1/B for
    /// the real images and ½/B for each of the two fake batches.
    static func discriminatorSeeds(_ logits: [Float], slot: Int) -> [Float] {
        let B = logits.count, real = slot == realSlot
        var d = [Float](repeating: 0, count: B)
        rowsBCEBackward(&d, [Float](repeating: (real ? 1 : 0.5) / Float(B), count: B), logits,
                        [Float](repeating: real ? 1 : 0, count: B), rows: B, columns: 1)
        return d
    }

    /// Mean binary cross-entropy of logits against one label.
    static func meanBCE(_ logits: [Float], label: Float) -> Double {
        var bce = [Float](repeating: 0, count: logits.count)
        rowsBCEForward(&bce, logits, [Float](repeating: label, count: logits.count), rows: logits.count, columns: 1)
        return bce.reduce(0.0) { $0 + Double($1) } / Double(logits.count)
    }
}

extension DRAWModel {
    /// One forward on `mode`'s noise, then one backward per seed that `seeds` returns for (x̃, x): each seed is
    /// dL/dx̃ `[B, C, H, W]` of the batch-mean loss (already divided by B), with the KL weight of its pass. Returns
    /// x̃, the KL per image and each pass's gradient slab. The backward overwrites the cached gate activations with
    /// their gradients (dpre in place of act), so they are copied once and restored before each later pass: each
    /// pass then equals a whole `computeGradients` with its seed, at the cost of one forward for all of them.
    func routedGradients(images: UnsafeBufferPointer<Float>, mode: LatentMode,
                         seeds: (_ reconstruction: [Float], _ data: UnsafeBufferPointer<Float>) throws -> [(seed: [Float], klWeight: Float)])
        throws -> (reconstruction: [Float], kl: [Double], gradients: [[Float]]) {
        let c = config, P = c.pixels
        let cache = try prepare(images: images, mode: mode)
        let B = cache.batch, n = B * P
        let kl = forward(cache, mode: mode).kl
        var xt = [Float](repeating: 0, count: n)
        rowsSigmoidForward(&xt, cache.canvas[c.steps], rows: B, columns: P)
        let passes = try seeds(xt, UnsafeBufferPointer(start: cache.x, count: n))
        if scratch?.batch != B { scratch = BackwardScratch(config: c, batch: B) }
        let kept = klWeight
        defer { klWeight = kept }
        let T = c.steps, enc = B * 4 * c.encSize, dec = B * 4 * c.decSize
        let activations = passes.count > 1
            ? (Array(UnsafeBufferPointer(start: cache.encAct[1], count: T * enc)),
               Array(UnsafeBufferPointer(start: cache.decAct[1], count: T * dec))) : ([], [])
        var gradients: [[Float]] = []
        for (i, pass) in passes.enumerated() {
            if i > 0 {
                copy(cache.encAct[1], activations.0, T * enc)
                copy(cache.decAct[1], activations.1, T * dec)
            }
            guard pass.seed.count == n else {
                throw DRAWError.shapeMismatch(what: "routed gradient seed", expected: "\(n) values", got: pass.seed.count)
            }
            klWeight = pass.klWeight
            zero(grads.base, grads.count)
            backward(cache, scratch!, mode: mode) { dCanvas in rowsSigmoidBackward(dCanvas, pass.seed, xt, rows: B, columns: P) }
            gradients.append(Array(UnsafeBufferPointer(start: grads.base, count: grads.count)))
        }
        return (xt, kl, gradients)
    }
}

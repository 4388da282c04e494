// VAEGAN.swift: `--loss vaegan` (Larsen et al. 2016): a discriminator's features as the reconstruction space, the paper's gradient routing and equilibrium gating, one whole step per call.
import CKernels

/// The options of a VAE/GAN run (measured defaults: see the README section "Sharp colour").
public struct VAEGANSettings: Sendable, Equatable {
    /// γ: weight of the feature reconstruction in the decoder's objective (γ · recon − GAN).
    public var gamma: Float = 1
    /// Weight of the decoder's GAN term (non-saturating, −log D(x̃) per image).
    public var ganWeight: Float = 100
    /// Weight of a pixel L2 term added to the feature reconstruction (0: the paper's pure feature loss).
    public var pixelWeight: Float = 1
    /// The discriminator layer (0-based conv index) whose output is the feature space; nil: the second to last.
    public var featureLayer: Int? = nil
    /// Discriminator Adam learning rate (β1 0.5, β2 0.999).
    public var discriminatorLearningRate: Float = 2e-4
    /// Equilibrium gating (the paper's code): skip the discriminator update when its real or fake BCE is below
    /// equilibrium − margin, skip the decoder's GAN term when either is above equilibrium + margin.
    public var equilibrium: Float = 0.68
    public var margin: Float = 0.35
    /// Base channel count of the discriminator (doubles per stride-2 layer, at most 8×).
    public var discriminatorWidth: Int = 32
    public init() {}
}

/// One step's numbers (batch means).
public struct VAEGANReport: Sendable {
    public let recon, kl: Double
    public var total: Double { recon + kl }
    /// Discriminator BCE on real images and on reconstructions, before its update.
    public let realBCE, fakeBCE: Double
    public let trainedDiscriminator, decoderGAN: Bool
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

    public init(model: DRAWModel, settings: VAEGANSettings = VAEGANSettings(), seed: UInt64) throws {
        self.model = model; self.settings = settings
        let c = model.config
        discriminator = try VAEGANTrainer.makeDiscriminator(channels: c.channels, height: c.height, width: c.width,
                                                            width: settings.discriminatorWidth, seed: seed)
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

    /// One step on `images` (`[B, C, H, W]`): both DRAW passes, the discriminator update (when the gate allows),
    /// and DRAW's Adam step. Throws (changing nothing in DRAW) on a non-finite gradient.
    public func step(images: UnsafeBufferPointer<Float>) throws -> VAEGANReport {
        let c = model.config, P = c.pixels, B = images.count / P, D = discriminator, s = settings, l = featureLayer
        let F = D.featureSize(layer: l)
        let eps = model.standardNormals(count: c.steps * B * c.zSize)
        var reconstructions = [Float](repeating: 0, count: B * P)
        var decoderSeed = [Float](repeating: 0, count: B * P)
        var realBCE = 0.0, fakeBCE = 0.0, decoderGAN = true

        // Pass 1 (encoder): d(feature recon)/dx̃. Its closure also computes the decoder's seed from the same
        // discriminator forward (the second pass's x̃ is the same: same parameters, same noise).
        let pass1 = try model.computeGradients(images: images, mode: .fixed(eps)) { xt, x, d in
            _ = reconstructions.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: xt) }
            var both = Array(x); both += xt
            let logits = Array(both.withUnsafeBufferPointer { D.forward($0.baseAddress!, batch: 2 * B) })
            let f = D.features(layer: l)
            var loss = [Float](repeating: 0, count: B), g = [Float](repeating: 0, count: 2 * B * F)
            ck_sqdist_forward(&loss, f.baseAddress! + B * F, f.baseAddress!, B.c, F.c)
            g.withUnsafeMutableBufferPointer {
                ck_sqdist_backward($0.baseAddress! + B * F, [Float](repeating: 1, count: B), f.baseAddress! + B * F,
                                   f.baseAddress!, B.c, F.c)
            }
            var pixel = [Float](repeating: 0, count: B)
            ck_sqdist_forward(&pixel, xt.baseAddress!, x.baseAddress!, B.c, P.c)
            // The discriminator's verdict before its update decides the gates.
            var bce = [Float](repeating: 0, count: 2 * B)
            let targets = [Float](repeating: 1, count: B) + [Float](repeating: 0, count: B)
            ck_bce_forward(&bce, logits, targets, (2 * B).c, 1)
            realBCE = bce[0..<B].reduce(0) { $0 + Double($1) } / Double(B)
            fakeBCE = bce[B...].reduce(0) { $0 + Double($1) } / Double(B)
            decoderGAN = !(realBCE > Double(s.equilibrium + s.margin) || fakeBCE > Double(s.equilibrium + s.margin))

            // Encoder seed: features (+ pixels).
            var dx = [Float](repeating: 0, count: 2 * B * P)
            g.withUnsafeBufferPointer { D.backward(dLogits: nil, dFeatures: [(l, $0.baseAddress!)], dInput: &dx, parameters: false) }
            for i in 0..<(B * P) { d[i] = dx[B * P + i] + s.pixelWeight * (xt[i] - x[i]) }
            // Decoder seed: γ (features + pixels) + ganWeight · d(−log D(x̃))/dx̃ = γ·(...) + ganWeight (σ(l) − 1) ∂l/∂x̃.
            var dLogits = [Float](repeating: 0, count: 2 * B)
            if decoderGAN {
                dLogits.withUnsafeMutableBufferPointer {
                    ck_bce_backward($0.baseAddress! + B, [Float](repeating: s.ganWeight, count: B), Array(logits[B...]),
                                    [Float](repeating: 1, count: B), B.c, 1)
                }
            }
            for i in g.indices { g[i] *= s.gamma }
            dx = [Float](repeating: 0, count: 2 * B * P)
            g.withUnsafeBufferPointer {
                D.backward(dLogits: dLogits, dFeatures: [(l, $0.baseAddress!)], dInput: &dx, parameters: false)
            }
            for i in 0..<(B * P) { decoderSeed[i] = dx[B * P + i] + s.gamma * s.pixelWeight * (xt[i] - x[i]) }
            return (0..<B).map { Double(loss[$0]) + Double(s.pixelWeight) * Double(pixel[$0]) }
        }
        let encoderGradient = Array(model.gradientSlab)

        // Pass 2 (decoder): the stored seed, no KL.
        let klWeight = model.klWeight
        model.klWeight = 0
        defer { model.klWeight = klWeight }
        _ = try model.computeGradients(images: images, mode: .fixed(eps)) { _, _, d in
            _ = d.update(fromContentsOf: decoderSeed)
            return [Double](repeating: 0, count: B)
        }
        model.klWeight = klWeight
        var combined = Array(model.gradientSlab)
        for i in combined.indices where encoderMask[i] { combined[i] = encoderGradient[i] }

        // Discriminator: real vs reconstructions vs prior samples, L_D = BCE(real) + ½ (BCE(recon) + BCE(sample)).
        let trainD = !(realBCE < Double(s.equilibrium - s.margin) || fakeBCE < Double(s.equilibrium - s.margin))
            || !decoderGAN
        if trainD {
            var batch = Array(images); batch += reconstructions; batch += try model.generate(count: B)
            let logits = Array(batch.withUnsafeBufferPointer { D.forward($0.baseAddress!, batch: 3 * B) })
            let targets = [Float](repeating: 1, count: B) + [Float](repeating: 0, count: 2 * B)
            let weights = [Float](repeating: 1 / Float(B), count: B) + [Float](repeating: 0.5 / Float(B), count: 2 * B)
            var dLogits = [Float](repeating: 0, count: 3 * B)
            ck_bce_backward(&dLogits, weights, logits, targets, (3 * B).c, 1)
            D.zeroGradients()
            D.backward(dLogits: dLogits, dInput: nil, parameters: true)
            try D.applyAdam()
        }
        try combined.withUnsafeBufferPointer { try model.applyAdam(gradient: $0) }
        return VAEGANReport(recon: pass1.meanRecon, kl: pass1.meanKL, realBCE: realBCE, fakeBCE: fakeBCE,
                            trainedDiscriminator: trainD, decoderGAN: decoderGAN)
    }
}

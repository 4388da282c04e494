// LossOptions.swift: `--loss` with the sharp colour losses (features, vaegan) and their options, and the training step each one runs.
import ArgumentParser
import DRAW
import Foundation

extension FeatureNet: ExpressibleByArgument {}

/// What `--loss` can name: the config's own pixel losses, or a training loss on top of l2's model.
enum TrainingLoss: String, ExpressibleByArgument, CaseIterable {
    case bce, l2, features, vaegan
    /// The loss the checkpoint's config records (features and vaegan models are l2 models, loadable as such).
    var configLoss: ReconstructionLoss { self == .bce ? .bce : .l2 }
}

/// The options of `--loss features` and `--loss vaegan` (ignored by bce and l2). Optional, so that a resumed run can
/// tell a flag given from a default: the resolved values go to run.json (`loss_settings`).
struct LossOptions: ParsableArguments {
    private static let defaults = VAEGANSettings()

    @Option(help: "features and vaegan: weight of the feature distance (frozen random net / discriminator) beside pixel L2 (default \(defaults.featureWeight)).")
    var featureWeight: Float?

    @Option(help: "features: the fixed feature space: random (a frozen random conv net) or watson-dft (the Watson-DFT perceptual distance of 8x8 blocks; try --feature-weight 0.1) (default random).")
    var featureNet: FeatureNet?

    @Option(help: "features and vaegan: weight of the edge term (squared distance of the spatial gradients) in recon (default \(defaults.edgeWeight)).")
    var edgeWeight: Float?

    @Option(help: "vaegan: gamma, the weight of the feature reconstruction in the decoder's objective (default \(defaults.gamma)).")
    var gamma: Float?

    @Option(help: "vaegan: weight of the decoder's GAN term, -log D per image (default \(defaults.ganWeight)).")
    var ganWeight: Float?

    @Option(help: "vaegan: steps of pure reconstruction before the decoder's GAN term starts (default \(defaults.ganWarmup)).")
    var ganWarmup: Int?

    @Option(help: "vaegan: weight of pixel L2 beside the discriminator-feature reconstruction; 0: the paper's pure feature loss (default \(defaults.pixelWeight)).")
    var pixelWeight: Float?

    @Option(help: "vaegan: discriminator layer (0-based conv) whose features are the reconstruction space (default: second to last).")
    var featureLayer: Int?

    @Option(help: "vaegan: discriminator learning rate (default \(defaults.discriminatorLearningRate)).")
    var discriminatorLearningRate: Float?

    @Option(help: "vaegan: base channel count of the discriminator, doubling per layer (default: 16 for images up to 32x32, 32 above, as Larsen's 64x64 one).")
    var discriminatorWidth: Int?

    @Option(help: "vaegan: equilibrium of the gating: skip D when its BCE < equilibrium - margin, skip the decoder's GAN term when > equilibrium + margin (default \(defaults.equilibrium)).")
    var equilibrium: Float?
    @Option(help: "vaegan: margin of the gating, see --equilibrium (default \(defaults.margin)).")
    var margin: Float?

    /// The flags given, over the defaults; the discriminator's width resolved for the image size, so run.json
    /// records the number the run used.
    func settings(height: Int, width: Int) -> VAEGANSettings {
        var s = Self.defaults
        if let featureWeight { s.featureWeight = featureWeight }
        if let featureNet { s.featureNet = featureNet }
        if let edgeWeight { s.edgeWeight = edgeWeight }
        if let gamma { s.gamma = gamma }
        if let ganWeight { s.ganWeight = ganWeight }
        if let ganWarmup { s.ganWarmup = ganWarmup }
        if let pixelWeight { s.pixelWeight = pixelWeight }
        if let featureLayer { s.featureLayer = featureLayer }
        if let discriminatorLearningRate { s.discriminatorLearningRate = discriminatorLearningRate }
        if let discriminatorWidth { s.discriminatorWidth = discriminatorWidth }
        if let equilibrium { s.equilibrium = equilibrium }
        if let margin { s.margin = margin }
        s.discriminatorWidth = s.resolvedDiscriminatorWidth(height: height, width: width)
        return s
    }

    /// The flags given that disagree with a resumed run's settings, each naming the flag and both values.
    func contradictions(with saved: VAEGANSettings) -> [String] {
        var c = Contradictions()
        c.check("feature-weight", featureWeight, saved.featureWeight)
        c.check("edge-weight", edgeWeight, saved.edgeWeight)
        c.check("feature-net", featureNet, saved.featureNet ?? .random)
        c.check("gamma", gamma, saved.gamma)
        c.check("gan-weight", ganWeight, saved.ganWeight)
        c.check("gan-warmup", ganWarmup, saved.ganWarmup)
        c.check("pixel-weight", pixelWeight, saved.pixelWeight)
        c.check("feature-layer", featureLayer, saved.featureLayer, absent: "the default")
        c.check("discriminator-learning-rate", discriminatorLearningRate, saved.discriminatorLearningRate)
        c.check("discriminator-width", discriminatorWidth, saved.discriminatorWidth, absent: "the default")
        c.check("equilibrium", equilibrium, saved.equilibrium)
        c.check("margin", margin, saved.margin)
        return c.found
    }
}

/// What a sharp colour loss changes in `Trainer.step`: another reconstruction term on the model's own step
/// (features), or a whole step of its own (vaegan).
final class LossStep {
    /// features: the term replacing the config's recon in `computeGradients` (the MPI path included).
    let term: ReconstructionTerm?
    /// vaegan: the whole step, replacing computeGradients + Adam; under mpirun it sums over the ranks itself.
    let step: ((UnsafeBufferPointer<Float>) throws -> MeanLosses)?
    /// The name of what the loss keeps beside the model (`discriminator`: `discriminator.safetensors` beside
    /// model.safetensors, `checkpoints/discriminator-<step>.safetensors` beside each checkpoint), or nil.
    let companion: String?
    /// Writes that state to a file.
    let save: (URL) throws -> Void

    private init(term: ReconstructionTerm? = nil, step: ((UnsafeBufferPointer<Float>) throws -> MeanLosses)? = nil,
                 companion: String? = nil, save: @escaping (URL) throws -> Void = { _ in }) {
        self.term = term; self.step = step; self.companion = companion; self.save = save
    }

    /// nil for bce and l2. `resumeFrom` is the checkpoint a resumed run continues: a vaegan run reloads the
    /// discriminator saved with it (and refuses to go on without it, since the run would not be the same).
    /// `parallel` is this rank's share under mpirun (nil: one process).
    static func make(_ loss: TrainingLoss?, _ options: VAEGANSettings, model: DRAWModel, seed: UInt64,
                     resumeFrom: URL?, parallel: DataParallel? = nil) throws -> LossStep? {
        let c = model.config
        switch loss {
        case .features:
            if options.featureNet == .watsonDFT {
                return LossStep(term: WatsonLoss(channels: c.channels, height: c.height, width: c.width,
                                                 weight: options.featureWeight, edgeWeight: options.edgeWeight).term)
            }
            let f = try FeatureLoss(channels: c.channels, height: c.height, width: c.width, weight: options.featureWeight,
                                     edgeWeight: options.edgeWeight)
            return LossStep(term: f.term)
        case .vaegan:
            let v = try VAEGANTrainer(model: model, settings: options, seed: seed &+ 0xd15c)
            v.parallel = parallel
            let name = "discriminator"
            if let checkpoint = resumeFrom {
                let file = CheckpointStore.companion(name, of: checkpoint)
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw CLIError("cannot resume the vaegan run from \(checkpoint.path): its discriminator "
                        + "\(file.lastPathComponent) is not beside it")
                }
                try v.discriminator.restore(from: file.path)
            }
            return LossStep(step: { images in
                let r = try v.step(images: images)
                return MeanLosses(recon: r.recon, kl: r.kl, total: r.total, gan: GANMeans(r))
            }, companion: name, save: { try v.discriminator.save(to: $0.path) })
        case .bce, .l2, nil:
            return nil
        }
    }
}

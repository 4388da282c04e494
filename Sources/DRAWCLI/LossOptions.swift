// LossOptions.swift: `--loss` with the sharp colour losses (features, vaegan) and their options, and the training step each one runs.
import ArgumentParser
import DRAW
import Foundation

/// What `--loss` can name: the config's own pixel losses, or a training loss on top of l2's model.
enum TrainingLoss: String, ExpressibleByArgument, CaseIterable {
    case bce, l2, features, vaegan
    /// The loss the checkpoint's config records (features and vaegan models are l2 models, loadable as such).
    var configLoss: ReconstructionLoss { self == .bce ? .bce : .l2 }
}

/// The options of `--loss features` and `--loss vaegan` (ignored by bce and l2).
struct LossOptions: ParsableArguments {
    @Option(help: "features and vaegan: weight of the feature distance (frozen random net / discriminator) beside pixel L2.")
    var featureWeight: Float = 1

    @Option(help: "vaegan: gamma, the weight of the feature reconstruction in the decoder's objective.")
    var gamma: Float = VAEGANSettings().gamma

    @Option(help: "vaegan: weight of the decoder's GAN term (-log D per image).")
    var ganWeight: Float = VAEGANSettings().ganWeight

    @Option(help: "vaegan: steps of pure reconstruction before the decoder's GAN term starts.")
    var ganWarmup: Int = VAEGANSettings().ganWarmup

    @Option(help: "vaegan: weight of pixel L2 beside the discriminator-feature reconstruction (0: the paper's pure feature loss).")
    var pixelWeight: Float = VAEGANSettings().pixelWeight

    @Option(help: "vaegan: discriminator layer (0-based conv) whose features are the reconstruction space (default: second to last).")
    var featureLayer: Int?

    @Option(help: "vaegan: discriminator learning rate.")
    var discriminatorLearningRate: Float = VAEGANSettings().discriminatorLearningRate

    @Option(help: "vaegan: base channel count of the discriminator.")
    var discriminatorWidth: Int = VAEGANSettings().discriminatorWidth

    @Option(help: "vaegan: equilibrium and margin of the gating (skip D when its BCE < eq - margin, skip the decoder's GAN term when > eq + margin).")
    var equilibrium: Float = VAEGANSettings().equilibrium
    @Option(help: "vaegan: see --equilibrium.")
    var margin: Float = VAEGANSettings().margin

    var settings: VAEGANSettings {
        var s = VAEGANSettings()
        s.featureWeight = featureWeight; s.gamma = gamma; s.ganWeight = ganWeight; s.ganWarmup = ganWarmup; s.pixelWeight = pixelWeight; s.featureLayer = featureLayer
        s.discriminatorLearningRate = discriminatorLearningRate; s.discriminatorWidth = discriminatorWidth
        s.equilibrium = equilibrium; s.margin = margin
        return s
    }
}

/// A training step other than the model's own loss: `Trainer.step` calls it instead of computeGradients + Adam.
final class LossStep {
    let step: (UnsafeBufferPointer<Float>) throws -> (recon: Double, kl: Double, total: Double)
    /// The name of what the loss keeps beside the model (`discriminator`: `discriminator.safetensors` beside
    /// model.safetensors, `checkpoints/discriminator-<step>.safetensors` beside each checkpoint), or nil.
    let companion: String?
    /// Writes that state to a file.
    let save: (URL) throws -> Void

    private init(step: @escaping (UnsafeBufferPointer<Float>) throws -> (recon: Double, kl: Double, total: Double),
                 companion: String? = nil, save: @escaping (URL) throws -> Void = { _ in }) {
        self.step = step; self.companion = companion; self.save = save
    }

    /// nil for bce and l2. `resumeFrom` is the checkpoint a resumed run continues: a vaegan run reloads the
    /// discriminator saved with it (and refuses to go on without it, since the run would not be the same).
    static func make(_ loss: TrainingLoss?, _ options: LossOptions, model: DRAWModel, seed: UInt64,
                     resumeFrom: URL?) throws -> LossStep? {
        let c = model.config
        switch loss {
        case .features:
            let f = try FeatureLoss(channels: c.channels, height: c.height, width: c.width, weight: options.featureWeight)
            return LossStep(step: { images in
                let r = try model.computeGradients(images: images, mode: .sampled, reconstruction: f.term)
                guard r.mean.isFinite else { throw CLIError("the features loss is \(r.mean)") }
                try model.applyAdam()
                return (r.meanRecon, r.meanKL, r.mean)
            })
        case .vaegan:
            let v = try VAEGANTrainer(model: model, settings: options.settings, seed: seed &+ 0xd15c)
            let name = "discriminator"
            if let checkpoint = resumeFrom {
                let file = CheckpointStore.companion(name, of: checkpoint)
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw CLIError("cannot resume the vaegan run from \(checkpoint.path): its discriminator "
                        + "\(file.lastPathComponent) is not beside it")
                }
                try v.discriminator.restore(from: file.path)
            }
            let trace = ProcessInfo.processInfo.environment["DRAW_VAEGAN_TRACE"] != nil
            return LossStep(step: { images in
                let r = try v.step(images: images)
                if trace, model.step % 25 == 0 {
                    FileHandle.standardError.write(String(format: "vaegan %lld: feat %.3f pix %.3f kl %.2f D(real) %.3f D(fake) %.3f D %@ G %@\n",
                        model.step, r.featureRecon, r.pixelRecon, r.kl, r.realBCE, r.fakeBCE,
                        r.trainedDiscriminator ? "on" : "off", r.decoderGAN ? "on" : "off").data(using: .utf8)!)
                }
                return (r.recon, r.kl, r.total)
            }, companion: name, save: { try v.discriminator.save(to: $0.path) })
        case .bce, .l2, nil:
            return nil
        }
    }
}

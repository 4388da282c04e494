// TrainOptions.swift: the options of `draw train` and `draw demo`, resolved with the recipe into RunSettings, and checked against a saved run.
import ArgumentParser
import DRAW
import Foundation

extension LearningRateDecay: ExpressibleByArgument {}
extension Recipe: ExpressibleByArgument {}

/// Every option is nil when not given, so a resumed run can tell a flag that contradicts its saved settings
/// from one left alone; the defaults live in `resolve` (and the recipe) alone.
struct TrainOptions: ParsableArguments {
    @Option(help: "Images per step (per rank under mpirun). Default: the preset's, else 64.")
    var batchSize: Int?

    @Option(help: "Adam steps in all (a resumed run continues up to this). Default: 3000.")
    var iterations: Int?

    @Option(help: "Train for this many passes over the training split instead of --iterations.")
    var epochs: Double?

    @Option(help: ArgumentHelp("""
        Training recipe: measured (default: Adam lr 2e-3, beta1 0.9, a linear KL warm-up over the first 300 \
        steps and KL weight 0.01 for l2, chosen by measurement so the model uses its latents early, learns faster \
        and draws sharper colour; README "Training recipe") or spec (SPEC.md: lr 1e-3, beta1 0.5, no warm-up, KL \
        weight 1). The flags below override single values.
        """))
    var recipe: Recipe?

    @Option(help: "Adam learning rate (after warm-up, before decay). Default: the recipe's (2e-3 measured, 1e-3 spec).")
    var learningRate: Float?

    @Option(help: "Adam beta1. Default: the recipe's (0.9 measured, 0.5 spec).")
    var beta1: Float?

    @Option(help: "Adam beta2. Default: 0.999.")
    var beta2: Float?

    @Option(help: "Learning-rate schedule after the warm-up: constant (default), cosine (down to --lr-min-factor over --lr-decay-steps) or step (x --lr-gamma every --lr-step-every steps).")
    var lrSchedule: LearningRateDecay?

    @Option(help: "Steps of linear learning-rate warm-up. Default: 0.")
    var lrWarmup: Int?

    @Option(help: "Cosine: steps over which the rate decays. Default: the run's iterations after the warm-up.")
    var lrDecaySteps: Int?

    @Option(help: "Cosine: final fraction of the learning rate. Default: 0.1.")
    var lrMinFactor: Float?

    @Option(help: "Step schedule: multiply the rate by --lr-gamma every this many steps. Default: a third of the run.")
    var lrStepEvery: Int?

    @Option(help: "Step schedule: the factor. Default: 0.5.")
    var lrGamma: Float?

    @Option(help: ArgumentHelp("""
        Weight of the KL term after its warm-up (SPEC.md: 1). Default: the recipe's: measured 0.01 for l2 (and the \
        features and vaegan losses: the sharp colour setting, README "Sharp colour") and 1 for bce; spec 1. \
        Reported ELBOs always use 1; validation ranks best.safetensors by recon + this weight x KL.
        """))
    var klWeight: Float?

    @Option(help: "Steps of linear KL-weight warm-up from 0 to --kl-weight. Default: the recipe's (300 measured, 0 spec).")
    var klWarmup: Int?

    @Option(help: ArgumentHelp("""
        Free bits, nats per drawing step: a step whose batch-mean KL is below this gets no KL gradient (the KL term \
        is the sum over steps of max(KL_t, free bits)), so the encoder cannot drive a step's latents to zero. \
        Reported losses stay the true ones. Default: none (measured: README "Training recipe").
        """))
    var freeBits: Float?

    @Option(help: "Clamp every gradient value to [-clip, clip] before Adam (0 turns it off). Default: 5.")
    var clip: Float?

    @Option(help: "Also scale the whole gradient down to this L2 norm when it is larger (off by default).")
    var maxGradNorm: Float?

    @Option(help: "Validate on held-out images every this many steps (0: never); the best model is kept as best.safetensors. Default: 500.")
    var evalEvery: Int?

    @Option(help: "Held-out images per validation. Default: 1000 (or all held-out images if fewer).")
    var evalImages: Int?

    @Option(help: ArgumentHelp("Stop after this many validations in a row without a new best (off by default).",
                               valueName: "patience"))
    var earlyStop: Int?

    @Option(help: "Write a checkpoint every this many steps (0: only at the end and on Ctrl-C). Default: 500.")
    var checkpointEvery: Int?

    @Option(help: "Keep the newest this many step checkpoints. Default: 3.")
    var keep: Int?

    @Option(help: "Output folder: run.json, checkpoints/, model.safetensors, best.safetensors, train-log.csv, loss.svg.")
    var out: String = "draw-out"

    @Flag(help: "Continue the run in --out from its newest finite checkpoint with its saved settings (run.json); only --iterations/--epochs may change.")
    var resume = false

    @Flag(name: .customLong("no-tensorboard"), help: "Do not write TensorBoard event files (default: <out>/tensorboard/, for tensorboard --logdir).")
    var noTensorBoard = false

    @Flag(help: "Start a fresh run in an --out that already holds one, deleting the old run's checkpoints, model and logs.")
    var overwrite = false

    @Option(help: "Start from the weights of this checkpoint or run folder (fine-tuning: fresh Adam state, step 0); the model options come from it.")
    var initFrom: String?

    func validate() throws {
        let most = TrainingSchedule.maxSteps
        func inRange(_ name: String, _ value: Int?, _ low: Int) throws {
            if let value, value < low || value > most {
                throw ValidationError("\(name) must be in \(low)...\(most) (got \(value)).")
            }
        }
        try inRange("--batch-size", batchSize, 1)
        try inRange("--iterations", iterations, 1)
        try inRange("--lr-warmup", lrWarmup, 0)
        try inRange("--lr-decay-steps", lrDecaySteps, 0)
        try inRange("--lr-step-every", lrStepEvery, 1)
        try inRange("--kl-warmup", klWarmup, 0)
        try inRange("--eval-every", evalEvery, 0)
        try inRange("--eval-images", evalImages, 1)
        try inRange("--early-stop", earlyStop, 1)
        try inRange("--checkpoint-every", checkpointEvery, 0)
        try inRange("--keep", keep, 1)
        if let epochs, !(epochs > 0 && epochs <= 1e6) { throw ValidationError("--epochs must be in (0, 1e6] (got \(epochs)).") }
        if iterations != nil, epochs != nil { throw ValidationError("give --iterations or --epochs, not both.") }
        if resume, overwrite { throw ValidationError("--resume continues the run in --out and --overwrite replaces it: give one.") }
        if resume, initFrom != nil { throw ValidationError("--resume continues a run; --init-from starts a new one from weights: give one.") }
        // The same rules as for a saved run (TrainingSchedule / AdamSettings .validate), worded for flags.
        do {
            // The loss only picks the default KL weight, valid for either; a given --kl-weight is checked as is.
            try schedule(iterations: 1, recipe: recipe ?? .measured, loss: .bce).validate()
            try adam(recipe: recipe ?? .measured).validate()
        } catch let DRAWError.invalidConfig(field, reason) {
            throw ValidationError("--\(Self.flagName[field] ?? field) \(reason).")
        }
    }

    /// Flag names of the settings' fields, for messages.
    static let flagName = ["lr": "learning-rate", "adam_lr": "learning-rate", "adam_beta1": "beta1", "adam_beta2": "beta2",
                           "adam_eps": "adam-eps", "adam_clip": "clip", "adam_max_grad_norm": "max-grad-norm",
                           "kl_weight": "kl-weight", "free_bits": "free-bits", "lr_min_factor": "lr-min-factor", "lr_gamma": "lr-gamma"]

    /// Adam's settings: flags over the recipe over SPEC.md's.
    func adam(recipe: Recipe) -> AdamSettings {
        AdamSettings(learningRate: learningRate ?? recipe.learningRate, beta1: beta1 ?? recipe.beta1, beta2: beta2 ?? 0.999,
                     clip: clip ?? 5, maxGradNorm: maxGradNorm)
    }

    /// The schedule for a run of `iterations` steps of a model trained with `loss`.
    func schedule(iterations: Int, recipe: Recipe, loss: ReconstructionLoss) -> TrainingSchedule {
        let warm = lrWarmup ?? 0
        return TrainingSchedule(learningRate: learningRate ?? recipe.learningRate, learningRateWarmup: warm, decay: lrSchedule ?? .constant,
                                decaySteps: lrDecaySteps ?? max(iterations - warm, 1), minFactor: lrMinFactor ?? 0.1,
                                stepEvery: lrStepEvery ?? max(iterations / 3, 1), gamma: lrGamma ?? 0.5,
                                klWeight: klWeight ?? recipe.klWeight(for: loss), klWarmup: klWarmup ?? recipe.klWarmup, freeBits: freeBits)
    }

    /// A fresh run's settings. `iterations` is already resolved (from --iterations, --epochs or the default).
    func resolve(command: String, data: DataOptions, config: DRAWConfig, preset: String?, loss: TrainingLoss?,
                 presetBatch: Int?, seed: UInt64, iterations: Int, precision: Precision) -> RunSettings {
        let recipe = self.recipe ?? .measured
        return RunSettings(command: command, data: data.settings, seed: seed, batchSize: batchSize ?? presetBatch ?? 64,
                           iterations: iterations, model: config, preset: preset, loss: loss?.rawValue, recipe: recipe,
                           adam: adam(recipe: recipe),
                           schedule: schedule(iterations: iterations, recipe: recipe, loss: config.loss), evalEvery: evalEvery ?? 500,
                           evalImages: evalImages ?? 1000, earlyStop: earlyStop, checkpointEvery: checkpointEvery ?? 500,
                           keep: keep ?? 3, precision: precision)
    }

    /// The flags given that disagree with a saved run, each naming the flag and both values. Only --iterations and
    /// --epochs may change on a resume (and the thread count, which is not part of a run).
    func contradictions(with saved: RunSettings, data: DataOptions, model: ModelOptions, seed: UInt64?,
                        precision: Precision?) -> [String] {
        var c = Contradictions()
        c.check("batch-size", batchSize, saved.batchSize)
        c.check("recipe", recipe, saved.recipe)
        c.check("learning-rate", learningRate, saved.schedule.learningRate)
        c.check("beta1", beta1, saved.adam.beta1)
        c.check("beta2", beta2, saved.adam.beta2)
        c.check("lr-schedule", lrSchedule, saved.schedule.decay)
        c.check("lr-warmup", lrWarmup, saved.schedule.learningRateWarmup)
        c.check("lr-decay-steps", lrDecaySteps, saved.schedule.decaySteps)
        c.check("lr-min-factor", lrMinFactor, saved.schedule.minFactor)
        c.check("lr-step-every", lrStepEvery, saved.schedule.stepEvery)
        c.check("lr-gamma", lrGamma, saved.schedule.gamma)
        c.check("kl-weight", klWeight, saved.schedule.klWeight)
        c.check("kl-warmup", klWarmup, saved.schedule.klWarmup)
        c.check("free-bits", freeBits, saved.schedule.freeBits, absent: "none")
        c.check("clip", clip, saved.adam.clip)
        c.check("max-grad-norm", maxGradNorm, saved.adam.maxGradNorm, absent: "none")
        c.check("eval-every", evalEvery, saved.evalEvery)
        c.check("eval-images", evalImages, saved.evalImages)
        c.check("early-stop", earlyStop, saved.earlyStop, absent: "none")
        c.check("checkpoint-every", checkpointEvery, saved.checkpointEvery)
        c.check("keep", keep, saved.keep)
        c.check("seed", seed, saved.seed)
        c.check("precision", precision, saved.productPrecision)
        let d = saved.data
        c.check("data", data.dataOption, d.source)
        c.check("binarize", data.binarizeOption?.rawValue, d.binarize)
        c.check("background", data.backgroundOption, d.background)
        c.check("test-fraction", data.testFractionOption, d.testFraction)
        c.check("channels", data.channels, d.channels, absent: "the data's own")
        c.check("height", data.height, saved.model.height)
        c.check("width", data.width, saved.model.width)
        c.check("limit", data.limit, d.limit, absent: "none")
        c.check("preset", model.preset, saved.preset ?? "none")
        let m = saved.model
        c.check("steps", model.steps, m.steps)
        c.check("read-n", model.readN, m.readN)
        c.check("write-n", model.writeN, m.writeN)
        c.check("enc-size", model.encSize, m.encSize)
        c.check("dec-size", model.decSize, m.decSize)
        c.check("z-size", model.zSize, m.zSize)
        c.check("loss", model.loss?.rawValue, saved.loss ?? m.loss.rawValue)
        if saved.loss != nil { c.append(contentsOf: model.sharp.contradictions(with: saved.lossSettings ?? .unrecorded)) }
        if model.noAttention, m.attention { c.append("--no-attention (the saved run has attention)") }
        return c.found
    }
}

extension DataOptions {
    /// What run.json records of these options.
    var settings: DataSettings {
        DataSettings(source: data, channels: channels, height: height, width: width, binarize: binarize.rawValue,
                     background: background, limit: limit, testFraction: testFraction)
    }

    /// Options that load what `settings` describes (a resumed run's data).
    init(_ s: DataSettings) throws {
        self.init()
        dataOption = s.source
        channels = s.channels
        height = s.height
        width = s.width
        guard let mode = BinarizeMode(rawValue: s.binarize) else {
            throw CLIError("run.json: data.binarize \"\(s.binarize)\" is not one of none, threshold, stochastic")
        }
        binarizeOption = mode
        backgroundOption = s.background
        limit = s.limit
        testFractionOption = s.testFraction
    }
}

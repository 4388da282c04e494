// TrainCommand.swift: `draw train`: trains a DRAW model with progress, logs, checkpoints, resume and MPI.
import ArgumentParser
import DRAW
import DRAWData
import DRAWMPI
import Foundation

struct TrainOptions: ParsableArguments {
    @Option(help: "Images per step (per rank under mpirun). Default: the preset's, else 64.")
    var batchSize: Int?

    @Option(help: "Adam steps in all (a resumed run continues up to this).")
    var iterations: Int?

    @Option(help: "Train for this many passes over the training split instead of --iterations.")
    var epochs: Double?

    @Option(help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "Weight of the KL term (SPEC.md: 1).")
    var klWeight: Float = 1

    @Option(help: "Clamp every gradient value to [-clip, clip] before Adam (0 turns it off).")
    var clip: Float = 5

    @Option(help: "Also scale the whole gradient down to this L2 norm when it is larger (off by default).")
    var maxGradNorm: Float?

    @Option(help: "Write a checkpoint every this many steps (0: only at the end and on Ctrl-C).")
    var checkpointEvery: Int = 500

    @Option(help: "Keep the newest this many step checkpoints.")
    var keep: Int = 3

    @Option(help: "Output folder: checkpoints/, model.safetensors, train-log.csv, loss.svg.")
    var out: String = "draw-out"

    @Flag(help: "Continue from the newest readable checkpoint in --out (bit-exact: same seed, same batches).")
    var resume = false

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize)).") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1 (got \(iterations)).") }
        if let epochs, !(epochs > 0) { throw ValidationError("--epochs must be positive (got \(epochs)).") }
        if iterations != nil, epochs != nil { throw ValidationError("give --iterations or --epochs, not both.") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--learning-rate must be positive (got \(learningRate)).")
        }
        guard klWeight >= 0, klWeight.isFinite else { throw ValidationError("--kl-weight must be >= 0 (got \(klWeight)).") }
        if let maxGradNorm, !(maxGradNorm > 0) { throw ValidationError("--max-grad-norm must be positive.") }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be >= 0 (got \(checkpointEvery)).") }
        if keep < 1 { throw ValidationError("--keep must be at least 1 (got \(keep)).") }
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DRAW model.",
        discussion: """
            Examples:
              draw train                                   colour faces, 64x64, 3000 steps, into draw-out/
              draw train --data fashion-mnist --preset mnist --binarize threshold --out runs/fmnist
              draw train --data ~/celeba --preset color64 --epochs 1 --out runs/celeba
              draw train --out runs/celeba --resume        continue where it stopped (Ctrl-C saves first)
              mpirun -np 4 draw train --batch-size 16 ...  data-parallel: 4 ranks x 16 = global batch 64
            The loss printed is the batch mean per image: recon + kl-weight x KL (nats for bce).
            """)

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Training") var train: TrainOptions
    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    mutating func run() throws {
        try runTraining(data: data, model: model, train: train, runtime: runtime, defaultIterations: 3000)
    }
}

/// The whole of `draw train` (also the first half of `draw demo`). Returns the trained model, or nil on a rank
/// other than 0.
@discardableResult
func runTraining(data: DataOptions, model modelOptions: ModelOptions, train: TrainOptions, runtime: RuntimeOptions,
                 defaultIterations: Int, quiet: Bool = false) throws -> (DRAWModel, Dataset)? {
    let world = try MPIWorld.join()
    defer { world?.finalize() }
    let isRoot = world?.isRoot ?? true
    let say: (String) -> Void = { if isRoot && !quiet { printErr($0) } }
    runtime.apply()
    say(buildInfoLine() + (world.map { "  mpi=\($0.size) ranks (\($0.library))" } ?? ""))
    let out = URL(fileURLWithPath: train.out)
    if isRoot { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) }

    var resumed: DRAWModel?
    if train.resume {
        let (m, url) = try CheckpointStore.loadNewest(from: train.out, log: say)
        say("resuming from \(url.path) at step \(m.step)")
        resumed = m
    }
    let shape = resumed.map { (channels: $0.config.channels, height: $0.config.height, width: $0.config.width) }
    let (all, about) = try data.load(seed: runtime.seed, shape: shape)
    let (trainSet, testSet) = try all.split(testFraction: data.testFraction, seed: runtime.seed)
    say("data: \(about); \(trainSet.count) for training, \(testSet.count) held out")

    let model: DRAWModel
    if let resumed { model = resumed } else {
        let config = try modelOptions.config(base: .color64, channels: all.channels, height: all.height, width: all.width)
        model = try DRAWModel(config: config, seed: runtime.seed)
        model.adam = AdamSettings(learningRate: train.learningRate, clip: train.clip, maxGradNorm: train.maxGradNorm)
        model.klWeight = train.klWeight
    }
    let batch = train.batchSize ?? modelOptions.presetBatchSize ?? 64
    let ranks = world?.size ?? 1
    let perEpoch = max(1, trainSet.count / (batch * ranks))
    let iterations = train.iterations ?? train.epochs.map { Int(($0 * Double(perEpoch)).rounded(.up)) } ?? defaultIterations
    let rankText = ranks > 1 ? " x \(ranks) ranks" : ""
    say("model: \(model.config.summary); \(model.layout.parameterCount) parameters; batch \(batch)\(rankText); "
        + "\(iterations) steps (\(perEpoch) per epoch)")
    if let world, world.size > 1 { try syncParameters(model, world) }

    let plan = TrainingPlan(iterations: iterations, batchSize: batch, checkpointEvery: train.checkpointEvery,
                            keepCheckpoints: train.keep, output: out, seed: runtime.seed, quiet: quiet)
    let trainer = Trainer(model: model, data: trainSet, plan: plan, world: world, say: say)
    trainer.lossStep = try LossStep.make(modelOptions.loss, modelOptions.sharp, model: model, seed: runtime.seed,
                                         resumeFrom: train.resume ? out : nil)
    let started = Date()
    let end = try trainer.run()
    if case .interrupted = end { throw ExitCode(130) }
    let seconds = Date().timeIntervalSince(started)
    say(String(format: "trained %lld steps in %.1f s; wrote %@", model.step, seconds, out.path))
    return isRoot ? (model, testSet.count > 0 ? testSet : trainSet) : nil
}

/// Every rank starts from rank 0's parameters (identical anyway for one seed, but cheap insurance).
private func syncParameters(_ model: DRAWModel, _ world: MPIWorld) throws {
    try model.withParameterSlab { try world.broadcast(UnsafeMutableRawPointer($0.baseAddress!), bytes: $0.count * 4) }
}

/// A line on standard error (progress and logs; standard output stays for results).
func printErr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

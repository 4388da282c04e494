// TrainCommand.swift: `draw train`: trains a DRAW model with progress, logs, checkpoints, resume and MPI.
import ArgumentParser
import DRAW
import DRAWData
import DRAWMPI
import DRAWOutput
import Foundation

struct TrainCommand: ParsableCommand {
    private static let faces = ProceduralFaces.defaultSide
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DRAW model.",
        discussion: """
            Examples:
              draw train                                   colour faces, \(faces)x\(faces), 3000 steps, into draw-out/
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

/// The whole of `draw train` (also the first half of `draw demo`). Returns the trained model and the held-out
/// images, or nil on a rank other than 0. Under mpirun a rank that fails ends the whole job (MPI_Abort) with its
/// message, so the other ranks do not wait for it in the next allreduce.
@discardableResult
func runTraining(command: String = "train", data: DataOptions, model modelOptions: ModelOptions, train: TrainOptions,
                 runtime: RuntimeOptions, defaultIterations: Int, quiet: Bool = false) throws -> (DRAWModel, Dataset)? {
    let world = try MPIWorld.join()
    defer { world?.finalize() }
    do {
        return try trainRun(command: command, data: data, modelOptions: modelOptions, options: train, runtime: runtime,
                         defaultIterations: defaultIterations, quiet: quiet, world: world)
    } catch let error where (world?.size ?? 1) > 1 && !(error is ExitCode) {
        printErr("error on rank \(world!.rank) of \(world!.size): \(DrawCommand.message(for: error)); ending the job")
        world!.abort(code: 1)
    }
}

private func trainRun(command: String, data dataOptions: DataOptions, modelOptions: ModelOptions, options: TrainOptions,
                   runtime: RuntimeOptions, defaultIterations: Int, quiet: Bool, world: MPIWorld?) throws -> (DRAWModel, Dataset)? {
    let isRoot = world?.isRoot ?? true
    let say: (String) -> Void = { if isRoot && !quiet { printErr($0) } }
    runtime.apply()
    let out = URL(fileURLWithPath: options.out)
    // Rank 0 owns the folder for the life of the run; a demo may replace an earlier demo without --overwrite.
    let saved = options.resume ? try RunSettings.load(from: out) : (try? RunSettings.load(from: out)) ?? nil
    // A resumed run keeps its saved precision (a contradicting --precision is refused below).
    let precision = (options.resume ? saved?.productPrecision : nil) ?? runtime.precision
    say(buildInfoLine(precision: precision) + (world.map { "  mpi=\($0.size) ranks (\($0.library))" } ?? ""))
    let overwrite = options.overwrite || (command == "demo" && saved?.command == "demo")
    let folder = isRoot ? try RunFolder(out, fresh: !options.resume, overwrite: overwrite) : nil

    var resumed: (model: DRAWModel, url: URL)?
    if options.resume {
        let (m, url) = try CheckpointStore.loadNewest(from: options.out, resumable: true, log: say)
        say("resuming from \(url.path) at step \(m.step)")
        resumed = (m, url)
    }
    // A resumed run is the saved run: flags may only extend it.
    var data = dataOptions
    var continuing: RunSettings?
    if options.resume, let saved {
        let wrong = options.contradictions(with: saved, data: dataOptions, model: modelOptions, seed: runtime.seedOption,
                                          precision: runtime.precisionOption)
        guard wrong.isEmpty else {
            throw CLIError("--resume continues the run saved in \(out.appendingPathComponent(RunSettings.fileName).path), "
                + "but these flags contradict it: " + wrong.joined(separator: "; ")
                + ". Drop them to resume (only --iterations/--epochs may change), or start a new run in another --out")
        }
        guard saved.model == resumed!.model.config else {
            throw CLIError("\(resumed!.url.path) holds a \(resumed!.model.config.summary) model, but run.json describes "
                + "\(saved.model.summary)")
        }
        continuing = saved
        data = try DataOptions(saved.data)
    } else if options.resume {
        // Without run.json the data is unknown: the default (faces) would silently train an MNIST model on faces.
        guard dataOptions.dataOption != nil else {
            throw CLIError("\(out.path) has no \(RunSettings.fileName) (a run of an older draw), so the data and flags it "
                + "trained with are unknown: give --data and the run's other flags (--preset, --binarize, --recipe, --seed, …) "
                + "again with --resume")
        }
        say("warning: \(out.path) has no run.json (a run of an older draw): resuming with the flags given")
    }

    let initial = try options.initFrom.map { try CheckpointStore.loadNewest(from: $0, log: say) }
    let forced = resumed?.model.config ?? initial?.0.config
    let shape = forced.map { (channels: $0.channels, height: $0.height, width: $0.width) }
    let seed = continuing?.seed ?? runtime.seed
    let (all, about) = try data.load(seed: seed, shape: shape, memoryLimit: runtime.memoryLimit)
    let (trainSet, testSet) = try all.split(testFraction: data.testFraction, seed: seed)
    say("data: \(about); \(trainSet.count) for training, \(testSet.count) held out")

    let ranks = world?.size ?? 1
    // Steps per pass over the training split: the one place it is computed (--epochs and the log line).
    func stepsPerEpoch(batch: Int) -> Int { max(1, trainSet.count / (batch * ranks)) }
    func iterations(batch: Int) -> Int? {
        let perEpoch = stepsPerEpoch(batch: batch)
        return (options.iterations ?? options.epochs.map { Int(($0 * Double(perEpoch)).rounded(.up)) })
            .map { min($0, TrainingSchedule.maxSteps) }
    }
    var settings: RunSettings
    if let continuing {
        settings = continuing
        if let more = iterations(batch: settings.batchSize) { settings.iterations = more }
    } else {
        let config = try forced ?? modelOptions.config(channels: all.channels, height: all.height, width: all.width)
        let batch = options.batchSize ?? modelOptions.presetBatchSize ?? 64
        settings = options.resolve(command: command, data: data, config: config, preset: modelOptions.preset,
                                   loss: modelOptions.loss,
                                   presetBatch: modelOptions.presetBatchSize, seed: seed,
                                   iterations: iterations(batch: batch) ?? defaultIterations,
                                   precision: runtime.precision)
        if settings.loss != nil { settings.lossSettings = modelOptions.sharp.settings(height: config.height, width: config.width) }
    }
    try settings.validate(source: "the run settings")
    try requireMemory(settings.model.trainingBytes(batch: settings.batchSize), for: "training at batch \(settings.batchSize)",
                      runtime: runtime)

    let model: DRAWModel
    if let resumed { model = resumed.model } else {
        if let (m, url) = initial {
            m.resetOptimizer()
            model = m
            say("fine-tuning from the weights of \(url.path)")
        } else {
            model = try DRAWModel(config: settings.model, seed: settings.seed)
        }
    }
    model.adam = settings.adam
    model.precision = settings.productPrecision
    let perEpoch = stepsPerEpoch(batch: settings.batchSize)
    let rankText = ranks > 1 ? " x \(ranks) ranks" : ""
    say("model: \(model.config.summary); \(model.layout.parameterCount) parameters; batch \(settings.batchSize)\(rankText); "
        + "\(settings.iterations) steps (\(perEpoch) per epoch)")
    say("recipe: \(settings.recipe.rawValue); \(settings.schedule.summary)")
    if let world, world.size > 1 { try syncParameters(model, world) }
    if folder != nil { try settings.save(to: out) }

    let plan = TrainingPlan(settings: settings, output: out, heldOut: testSet, resumedFrom: resumed?.url, quiet: quiet,
                            tensorBoard: !options.noTensorBoard)
    let trainer = Trainer(model: model, data: trainSet, plan: plan, world: world, say: say)
    trainer.lossStep = try LossStep.make(settings.loss.flatMap(TrainingLoss.init), settings.lossSettings ?? .unrecorded, model: model,
                                         seed: settings.seed, resumeFrom: resumed?.url,
                                         parallel: world.flatMap { $0.size > 1 ? $0.share : nil })
    let started = Date()
    let end = try trainer.run()
    if case let .interrupted(_, signal) = end { throw ExitCode(exitStatus(afterSignal: signal)) }
    let seconds = Date().timeIntervalSince(started)
    say(String(format: "trained %lld steps in %.1f s; wrote %@", model.step, seconds, out.path))
    withExtendedLifetime(folder) {}
    return isRoot ? (model, testSet.count > 0 ? testSet : trainSet) : nil
}

/// Refuses, before allocating, a command whose estimated need is above the machine's memory (or --max-memory).
func requireMemory(_ bytes: Int, for what: String, runtime: RuntimeOptions) throws {
    let limit = runtime.memoryLimit
    guard bytes <= limit else {
        throw CLIError(String(format: "%@ needs about %.1f GiB, more than the %.1f GiB %@; use smaller sizes",
                              what, Double(bytes) / 1073741824, Double(limit) / 1073741824,
                              runtime.maxMemory == nil ? "this machine has" : "--max-memory allows"))
    }
}

extension MPIWorld {
    /// This rank's share for the library's data-parallel steps (VAE/GAN).
    var share: DataParallel {
        DataParallel(rank: rank, ranks: size, sum: { [self] in try allreduceSum($0.baseAddress!, count: $0.count) },
                     sumDoubles: { [self] in try allreduceSum(&$0) })
    }
}

/// Every rank starts from rank 0's parameters (identical anyway for one seed, but cheap insurance).
private func syncParameters(_ model: DRAWModel, _ world: MPIWorld) throws {
    try model.withParameterSlab { try world.broadcast(UnsafeMutableRawPointer($0.baseAddress!), bytes: $0.count * 4) }
}

/// A line on standard error (progress and logs; standard output stays for results).
func printErr(_ text: String) {
    StandardError.write(text + "\n")
}

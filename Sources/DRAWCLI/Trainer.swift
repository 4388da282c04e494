// Trainer.swift: the training loop of `draw train`: schedule, batches, steps, MPI gradient averaging, validation, logs, checkpoints, stops.
import DRAW
import DRAWData
import DRAWOutput
import DRAWMPI
import Foundation

/// What a run is asked to do: its resolved settings, where it writes, and the held-out images it validates on.
struct TrainingPlan {
    var settings: RunSettings
    var output: URL
    /// Validation images (the held-out split); empty turns validation off.
    var heldOut: Dataset?
    /// The checkpoint a resumed run started from: the last finite one until a newer one is written.
    var resumedFrom: URL?
    var quiet = false
    /// Write TensorBoard event files into `<output>/tensorboard` (`--no-tensorboard` turns it off).
    var tensorBoard = true
}

/// How a run ended.
enum TrainingEnd: Equatable {
    case finished
    case earlyStopped(step: Int64)
    /// By a signal (SIGINT, SIGTERM or SIGHUP), after saving.
    case interrupted(step: Int64, signal: Int32)
}

/// Runs the loop for one model on one data set. Under MPI every rank runs it: each reads its own slice of
/// each global batch (global batch = `size × batchSize` images), gradients are summed with one allreduce
/// over the flat slab and scaled by 1/size inside the Adam kernel, so every rank takes the same step and
/// N ranks of batch b train exactly like one process of batch N·b. Rank 0 alone validates and writes files.
final class Trainer {
    let model: DRAWModel
    let data: Dataset
    let plan: TrainingPlan
    let world: MPIWorld?
    let say: (String) -> Void

    init(model: DRAWModel, data: Dataset, plan: TrainingPlan, world: MPIWorld?, say: @escaping (String) -> Void) {
        self.model = model; self.data = data; self.plan = plan; self.world = world; self.say = say
    }

    /// Seconds spent in the gradient allreduce, and the steps it covered (for the MPI scaling report).
    private(set) var allreduceSeconds = 0.0
    private(set) var allreduceSteps = 0

    var rank: Int { world?.rank ?? 0 }
    var ranks: Int { world?.size ?? 1 }
    var isRoot: Bool { rank == 0 }
    var settings: RunSettings { plan.settings }
    /// The validation noise: one seed for every evaluation, so successive validations differ by the model alone.
    var validationSeed: UInt64 { settings.seed ^ 0x7a1d_a7e5_0000_0001 }

    func run() throws -> TrainingEnd {
        let b = settings.batchSize, globalBatch = b * ranks
        try requireOneBatch(images: data.count, batch: b, ranks: ranks)
        var store = isRoot ? try CheckpointStore(directory: plan.output.appendingPathComponent("checkpoints"),
                                                 keep: settings.keep) : nil
        store?.companions = lossStep?.companion.map { [$0] } ?? []
        let log = isRoot ? try TrainingLog(url: plan.output.appendingPathComponent("train-log.csv"),
                                           resumingAt: model.step, warn: say) : nil
        let loader = try BatchLoader(dataset: data, batchSize: b, seed: settings.seed, shard: (rank, ranks),
                                     startStep: Int(model.step))
        let progress = isRoot && !plan.quiet ? ProgressBar(total: settings.iterations, first: Int(model.step),
                                                                 label: "train") : nil
        installInterruptHandlers()
        let epochLength = Double(data.count / globalBatch)
        var lastGood = plan.resumedFrom
        var window = (images: 0, start: Date())
        var imagesSoFar = 0
        var sums = MeanLosses()
        var windowSteps = 0
        let logEvery = max(1, min(50, settings.iterations / 100))
        let validation = isRoot ? plan.heldOut.flatMap { $0.count > 0 ? $0 : nil } : nil
        let evalEvery = validation == nil ? 0 : settings.evalEvery
        // The best validation so far and the validations since, from the log, so a resumed run keeps them.
        var best = (value: Double.infinity, step: Int64(0))
        var sinceBest = 0
        for row in log?.rows ?? [] where row.validationRank.isFinite {
            if row.validationRank < best.value { best = (row.validationRank, row.step); sinceBest = 0 } else { sinceBest += 1 }
        }
        let monitor = isRoot && plan.tensorBoard ? TrainingMonitor(folder: plan.output, seed: settings.seed, warn: say) : nil
        var note: String? = best.value.isFinite ? String(format: "val %.2f", best.value) : nil

        func saveWeights(_ name: String) throws {
            try model.save(to: plan.output.appendingPathComponent(name).path, trainingState: false)
        }
        var lastBatch: [Float] = []
        // A checkpoint is written only when its parameters and moments are finite (DRAWModel.save checks) and give a
        // finite loss on the last batch: a run whose weights blew up to 1e30 has finite but useless parameters.
        func saveCheckpoint() throws {
            guard let store else { return }
            if !lastBatch.isEmpty {
                let probe = try lastBatch.withUnsafeBufferPointer { try model.loss(images: $0, mode: .mean) }
                guard probe.mean.isFinite else {
                    throw CLIError("training stopped at step \(model.step): its parameters give a non-finite loss (\(probe.mean)) "
                        + "on the last batch, so the run diverged; nothing from this step was saved"
                        + (lastGood.map { "; the last finite checkpoint is \($0.path)" } ?? "; no checkpoint was written yet"))
                }
            }
            // The loss's state first: a step file on disk always has its companion.
            if let lossStep, let name = lossStep.companion {
                try lossStep.save(CheckpointStore.companion(name, of: store.url(step: model.step)))
            }
            lastGood = try store.save(model)
        }

        // Free bits are one value for the whole run (the per-step schedule is the learning rate and KL weight below).
        model.freeBits = settings.schedule.freeBits ?? 0
        while model.step < Int64(settings.iterations) {
            let stop = try stopRequested(earlyStop: settings.earlyStop.map { sinceBest >= $0 } ?? false)
            if let signal = stop.signal {
                if isRoot {
                    try saveCheckpoint()
                    try saveWeights("model.safetensors")
                    log?.plot(to: plan.output.appendingPathComponent("loss.svg"), title: "DRAW training loss")
                }
                progress?.finish()
                say("interrupted by \(signalName(signal)) at step \(model.step); saved \(lastGood?.path ?? "on rank 0")")
                return .interrupted(step: model.step, signal: signal)
            }
            if stop.early {
                progress?.finish()
                say("early stop at step \(model.step): no better validation in \(settings.earlyStop!) evaluations; "
                    + String(format: "best %@ %.3f at step %lld (best.safetensors)", objectiveName, best.value, best.step))
                break
            }
            let next = model.step + 1
            if let fault = FaultInjection.current, fault.rank == rank, fault.step == next {
                throw CLIError("injected fault at step \(next) (DRAW_INJECT_FAULT)")
            }
            model.adam.learningRate = settings.schedule.learningRate(atStep: next)
            model.klWeight = settings.schedule.klWeight(atStep: next)
            let batch = loader.next().images
            lastBatch = batch
            let report: MeanLosses
            do {
                report = try batch.withUnsafeBufferPointer { try step(images: $0, globalBatch: globalBatch) }
            } catch where error is DRAWError || error is NonFiniteLoss {
                throw CLIError("training stopped at step \(next): \(error); nothing from this step was saved"
                    + (lastGood.map { "; the last finite checkpoint is \($0.path)" } ?? "; no checkpoint was written yet"))
            }
            window.images += globalBatch
            imagesSoFar += globalBatch
            sums += report
            windowSteps += 1
            let s = model.step
            let validateNow = evalEvery > 0 && (s % Int64(evalEvery) == 0 || s == Int64(settings.iterations))
            var validated: Validation?
            if validateNow, let validation {
                let v = try validate(on: validation)
                validated = v
                if v.objective < best.value {
                    best = (v.objective, s); sinceBest = 0
                    try saveWeights("best.safetensors")
                } else { sinceBest += 1 }
                note = String(format: "val %.2f (best %.2f)", v.objective, best.value)
            }
            if s % Int64(logEvery) == 0 || s == Int64(settings.iterations) || validated != nil {
                let seconds = Date().timeIntervalSince(window.start)
                let rate = Double(window.images) / max(seconds, 1e-9)
                let n = Double(windowSteps)
                var row = LogRow(step: s, epoch: Double(s) / epochLength, losses: sums / n, imagesPerSecond: rate)
                row.learningRate = Double(model.adam.learningRate)
                row.klWeight = Double(model.klWeight)
                row.gradientNorm = model.gradientNorm
                if let validated { (row.validation, row.validationMean, row.validationObjective) = validated }
                log?.append(row)
                monitor?.log(row)
                progress?.update(Int(s), loss: row.total, images: imagesSoFar, note: note)
                window = (0, Date()); sums = MeanLosses(); windowSteps = 0
            }
            if settings.checkpointEvery > 0, s % Int64(settings.checkpointEvery) == 0 {
                try saveCheckpoint()
                monitor?.pictures(model, heldOut: validation, step: s)
                log?.plot(to: plan.output.appendingPathComponent("loss.svg"), title: "DRAW training loss")
            }
        }
        progress?.finish()
        if allreduceSteps > 0 {
            let bytes = model.layout.count * 4
            say(String(format: "allreduce: %.2f ms per step for %.2f MB of gradients (%d ranks)",
                       1e3 * allreduceSeconds / Double(allreduceSteps), Double(bytes) / 1e6, ranks))
        }
        if isRoot {
            if let store, lastGood != store.url(step: model.step) {
                try saveCheckpoint()
                monitor?.pictures(model, heldOut: validation, step: model.step)
            }
            try saveWeights("model.safetensors")
            if let lossStep, let name = lossStep.companion {   // discriminator.safetensors beside it (vaegan)
                try lossStep.save(plan.output.appendingPathComponent(name + ".safetensors"))
            }
            log?.plot(to: plan.output.appendingPathComponent("loss.svg"), title: "DRAW training loss")
            if best.value.isFinite {
                say(String(format: "best held-out %@ %.3f at step %lld: %@", objectiveName, best.value, best.step,
                           plan.output.appendingPathComponent("best.safetensors").path))
            }
        }
        return model.step < Int64(settings.iterations) ? .earlyStopped(step: model.step) : .finished
    }

    /// One validation: the negative ELBO (KL weight 1) with sampled z and with z = μ, and the objective.
    typealias Validation = (sampled: Double, mean: Double, objective: Double)

    /// What validations are ranked by, for messages: the negative ELBO at KL weight 1, else the weighted sum.
    var objectiveName: String {
        let w = settings.schedule.klWeight
        return w == 1 ? "negative ELBO" : "recon + \(w) x KL"
    }

    /// The held-out negative ELBO (KL weight 1, whatever weight training uses) on the first `evalImages`
    /// held-out images: with z sampled from a fixed seed (the bound) and with z = μ; and, from the sampled pass,
    /// recon + the run's final KL weight · KL, what training minimises, which ranks the validations.
    func validate(on set: Dataset) throws -> Validation {
        let n = min(settings.evalImages, set.count), b = settings.batchSize
        let noisy = try evaluate(model, set, batchSize: b, limit: n) { .seeded(validationSeed &+ UInt64($0)) }
        let exact = try evaluate(model, set, batchSize: b, limit: n) { _ in .mean }
        let result = (noisy.mean, exact.mean, noisy.meanRecon + Double(settings.schedule.klWeight) * noisy.meanKL)
        for value in [result.0, result.1, result.2] where !value.isFinite { throw NonFiniteLoss(value: value) }
        return result
    }

    /// `--loss features` / `vaegan`: the step that replaces computeGradients + Adam (nil: the model's own loss).
    var lossStep: LossStep?

    /// One step; returns the global batch-mean losses.
    private func step(images: UnsafeBufferPointer<Float>, globalBatch: Int) throws -> MeanLosses {
        // vaegan runs its own passes and sums over the ranks itself (LossStep.make gave it this rank's share).
        if let whole = lossStep?.step { return try whole(images) }
        let term = lossStep?.term   // features: another reconstruction term on the same step
        func gradients(_ mode: LatentMode) throws -> LossReport {
            if let term { return try model.computeGradients(images: images, mode: mode, reconstruction: term) }
            return try model.computeGradients(images: images, mode: mode)
        }
        guard let world else {
            let r = try gradients(.sampled)
            try requireFinite(r.mean)
            try model.applyAdam()
            return MeanLosses(recon: r.meanRecon, kl: r.meanKL, total: r.mean)
        }
        // The noise of the whole global batch, [T][N·b][Z], drawn alike on every rank; this rank takes its rows.
        let r = try gradients(.fixed(model.standardNormals(batch: settings.batchSize, rank: rank, of: world.size)))
        let t0 = DispatchTime.now().uptimeNanoseconds
        try model.withGradientSlab { try world.allreduceSum($0.baseAddress!, count: $0.count) }
        allreduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        allreduceSteps += 1
        var stats = [r.recon.reduce(0, +), r.kl.reduce(0, +), r.total.reduce(0, +)]
        try world.allreduceSum(&stats)
        try requireFinite(stats[2])
        try model.applyAdam(gradientScale: 1 / Float(world.size))
        let n = Double(globalBatch)
        return MeanLosses(recon: stats[0] / n, kl: stats[1] / n, total: stats[2] / n)
    }

    private func requireFinite(_ loss: Double) throws {
        guard loss.isFinite else { throw NonFiniteLoss(value: loss) }
    }

    /// Whether to stop, agreed by every rank (or the next allreduce would hang): a signal on any rank, or rank 0's
    /// early-stop decision.
    private func stopRequested(earlyStop: Bool) throws -> (signal: Int32?, early: Bool) {
        let local = interruptSignal.load(ordering: .relaxed)
        guard let world else { return (local == 0 ? nil : local, earlyStop) }
        var flags = [Double(local), earlyStop ? 1.0 : 0.0]
        try world.allreduceSum(&flags)
        let signal = local != 0 ? local : (flags[0] > 0 ? SIGTERM : 0)
        return (signal == 0 ? nil : signal, flags[1] > 0)
    }
}

/// A training split smaller than one global batch cannot train: one message for train and demo.
func requireOneBatch(images: Int, batch: Int, ranks: Int) throws {
    let global = batch * ranks
    guard images >= global else {
        throw CLIError("the training split has \(images) images, fewer than one batch of \(global)"
            + (ranks > 1 ? " (\(ranks) ranks × \(batch))" : "") + "; use a smaller --batch-size or more data")
    }
}

/// The batch loss came out NaN or infinite: the step is refused before Adam touches anything.
struct NonFiniteLoss: Error, CustomStringConvertible {
    let value: Double
    var description: String { "the loss is \(value)" }
}

/// `DRAW_INJECT_FAULT=rank:step` makes that rank fail at that step: how the tests show that a failing rank ends an
/// mpirun job (MPI_Abort) instead of leaving the others waiting in the next allreduce.
struct FaultInjection {
    let rank: Int
    let step: Int64

    static let current: FaultInjection? = {
        guard let text = ProcessInfo.processInfo.environment["DRAW_INJECT_FAULT"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let r = Int(parts[0]), let s = Int64(parts[1]) else { return nil }
        return FaultInjection(rank: r, step: s)
    }()
}

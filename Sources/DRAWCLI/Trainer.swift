// Trainer.swift: the training loop of `draw train`: batches, steps, MPI gradient averaging, logs, checkpoints, stops.
import DRAW
import DRAWData
import DRAWMPI
import Foundation

/// What a run is asked to do.
struct TrainingPlan {
    /// Total Adam steps; a resumed run continues up to this.
    var iterations: Int
    /// Images per step on this process (per rank under MPI).
    var batchSize: Int
    var checkpointEvery: Int
    var keepCheckpoints: Int
    var output: URL
    var seed: UInt64
    var quiet = false
}

/// How a run ended.
enum TrainingEnd: Equatable {
    case finished
    case interrupted(step: Int64)
}

/// Runs the loop for one model on one data set. Under MPI every rank runs it: each reads its own slice of
/// each global batch (global batch = `size × batchSize` images), gradients are summed with one allreduce
/// over the flat slab and scaled by 1/size inside the Adam kernel, so every rank takes the same step and
/// N ranks of batch b train exactly like one process of batch N·b. Rank 0 alone writes files.
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

    func run() throws -> TrainingEnd {
        let b = plan.batchSize, globalBatch = b * ranks
        guard data.count >= globalBatch else {
            throw CLIError("the data set has \(data.count) images, fewer than one batch of \(globalBatch)"
                + (ranks > 1 ? " (\(ranks) ranks × \(b))" : "") + "; use a smaller --batch-size")
        }
        let store = isRoot ? try CheckpointStore(directory: plan.output.appendingPathComponent("checkpoints"),
                                                 keep: plan.keepCheckpoints) : nil
        let log = isRoot ? try TrainingLog(url: plan.output.appendingPathComponent("train-log.csv"),
                                           resumingAt: model.step) : nil
        let loader = try BatchLoader(dataset: data, batchSize: b, seed: plan.seed, shard: (rank, ranks),
                                     startStep: Int(model.step))
        let progress = isRoot && !plan.quiet ? ProgressBar(total: plan.iterations, label: "train") : nil
        installInterruptHandlers()
        let epochLength = Double(data.count / globalBatch)
        var lastSaved: URL?
        var window = (images: 0, start: Date())
        var imagesSoFar = 0
        var sums = [Double](repeating: 0, count: 3)  // recon, KL, total over the log window
        var windowSteps = 0
        let logEvery = max(1, min(50, plan.iterations / 100))

        while model.step < Int64(plan.iterations) {
            if try stopRequested() {
                if let store { lastSaved = try store.save(model) }
                progress?.finish()
                say("interrupted at step \(model.step); saved \(lastSaved?.path ?? "on rank 0")")
                return .interrupted(step: model.step)
            }
            let batch = loader.next().images
            let report: (recon: Double, kl: Double, total: Double)
            do {
                report = try batch.withUnsafeBufferPointer { try step(images: $0, globalBatch: globalBatch) }
            } catch where error is DRAWError || error is NonFiniteLoss {
                throw CLIError("training stopped at step \(model.step + 1): \(error); parameters were not updated"
                    + (lastSaved.map { "; the last good checkpoint is \($0.path)" } ?? ""))
            }
            window.images += globalBatch
            imagesSoFar += globalBatch
            sums[0] += report.recon; sums[1] += report.kl; sums[2] += report.total
            windowSteps += 1
            let s = model.step
            if s % Int64(logEvery) == 0 || s == Int64(plan.iterations) {
                let seconds = Date().timeIntervalSince(window.start)
                let rate = Double(window.images) / max(seconds, 1e-9)
                let n = Double(windowSteps)
                let row = LogRow(step: s, epoch: Double(s) / epochLength, recon: sums[0] / n, kl: sums[1] / n,
                                 total: sums[2] / n, imagesPerSecond: rate)
                log?.append(row)
                progress?.update(Int(s), loss: row.total, images: imagesSoFar)
                window = (0, Date()); sums = [0, 0, 0]; windowSteps = 0
            }
            if let store, plan.checkpointEvery > 0, s % Int64(plan.checkpointEvery) == 0 {
                lastSaved = try store.save(model)
                try log?.plot(to: plan.output.appendingPathComponent("loss.svg"), title: "DRAW training loss")
            }
        }
        progress?.finish()
        if allreduceSteps > 0 {
            let bytes = model.layout.count * 4
            say(String(format: "allreduce: %.2f ms per step for %.2f MB of gradients (%d ranks)",
                       1e3 * allreduceSeconds / Double(allreduceSteps), Double(bytes) / 1e6, ranks))
        }
        if let store, lastSaved.map({ $0 != store.url(step: model.step) }) ?? true { lastSaved = try store.save(model) }
        if isRoot {
            try model.save(to: plan.output.appendingPathComponent("model.safetensors").path)
            try lossStep?.save(plan.output)   // discriminator.safetensors beside it (vaegan)
            try log?.plot(to: plan.output.appendingPathComponent("loss.svg"), title: "DRAW training loss")
        }
        return .finished
    }

    /// `--loss features` / `vaegan`: the step that replaces computeGradients + Adam (nil: the model's own loss).
    var lossStep: LossStep?

    /// One step; returns the global batch-mean losses.
    private func step(images: UnsafeBufferPointer<Float>, globalBatch: Int) throws -> (recon: Double, kl: Double, total: Double) {
        // ---- sharp colour losses (LossOptions.swift): one process only
        if let lossStep {
            guard world == nil else { throw CLIError("--loss features/vaegan do not run under mpirun yet") }
            return try lossStep.step(images)
        }
        // ---- end sharp colour losses
        guard let world else {
            let r = try model.computeGradients(images: images, mode: .sampled)
            try requireFinite(r.mean)
            try model.applyAdam()
            return (r.meanRecon, r.meanKL, r.mean)
        }
        // The noise of the whole global batch, [T][N·b][Z], drawn alike on every rank; this rank takes its rows.
        let c = model.config, b = plan.batchSize, Z = c.zSize
        let all = model.standardNormals(count: c.steps * globalBatch * Z)
        var mine = [Float](repeating: 0, count: c.steps * b * Z)
        for t in 0..<c.steps {
            let from = (t * globalBatch + rank * b) * Z
            mine[(t * b * Z)..<((t + 1) * b * Z)] = all[from..<(from + b * Z)]
        }
        let r = try model.computeGradients(images: images, mode: .fixed(mine))
        let t0 = DispatchTime.now().uptimeNanoseconds
        try model.withGradientSlab { try world.allreduceSum($0.baseAddress!, count: $0.count) }
        allreduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        allreduceSteps += 1
        var stats = [r.recon.reduce(0, +), r.kl.reduce(0, +), r.total.reduce(0, +)]
        try world.allreduceSum(&stats)
        try requireFinite(stats[2])
        try model.applyAdam(gradientScale: 1 / Float(world.size))
        let n = Double(globalBatch)
        return (stats[0] / n, stats[1] / n, stats[2] / n)
    }

    private func requireFinite(_ loss: Double) throws {
        guard loss.isFinite else { throw NonFiniteLoss(value: loss) }
    }

    /// True on every rank when any rank saw Ctrl-C (ranks must agree, or the next allreduce would hang).
    private func stopRequested() throws -> Bool {
        let local = interruptRequested.load(ordering: .relaxed)
        guard let world else { return local }
        var flag = [local ? 1.0 : 0.0]
        try world.allreduceSum(&flag)
        return flag[0] > 0
    }
}

/// The batch loss came out NaN or infinite: the step is refused before Adam touches anything.
struct NonFiniteLoss: Error, CustomStringConvertible {
    let value: Double
    var description: String { "the loss is \(value)" }
}

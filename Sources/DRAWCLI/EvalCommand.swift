// EvalCommand.swift: `draw eval`: the negative ELBO per image (recon and KL apart) of a checkpoint on a data set.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

enum EvalSplit: String, ExpressibleByArgument, CaseIterable { case test, train, all }

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Report the negative ELBO in nats per image (recon + KL) of a model on a data set.",
        discussion: """
            With loss bce on binary data the total is an upper bound on the negative log-likelihood in nats; \
            --importance-samples K tightens it (importance-weighted bound with K samples per image). With l2 the \
            recon term is 0.5 x squared error, not a log-likelihood, so the total has no unit. --seed sets the \
            sampling noise (and, like training's, the held-out split).
            The data options must describe the same data the model was trained on (same --seed and \
            --test-fraction give the same held-out split).
            Example: draw eval --checkpoint runs/fmnist --data fashion-mnist --binarize threshold --split test
            """)

    @OptionGroup var model: CheckpointOption
    @OptionGroup(title: "Data") var data: DataOptions

    @Option(help: "Which part of the data: test (held out), train or all.")
    var split: EvalSplit = .test

    @Flag(help: "Use z = mu instead of sampling (a deterministic number, not a bound).")
    var deterministic = false

    @Flag(help: "Print JSON: per-image recon, KL and total in file order, and the means.")
    var json = false

    @Option(help: "Importance-weighted NLL estimate with K samples per image (bce only).")
    var importanceSamples: Int?

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 100

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...100000 (got \(batchSize)).") }
        if let k = importanceSamples, !(1...100_000).contains(k) {
            throw ValidationError("--importance-samples must be in 1...100000 (got \(k)).")
        }
    }

    mutating func run() throws {
        runtime.apply()
        let m = try model.load(precision: runtime.precision)
        m.reseed(runtime.seed)   // the noise follows --seed, not the checkpoint's saved RNG state
        let c = m.config
        if importanceSamples != nil, c.loss != .bce {
            throw CLIError("--importance-samples needs a bce model (this one uses \(c.loss.rawValue))")
        }
        let (all, about) = try data.load(seed: runtime.seed, shape: (c.channels, c.height, c.width))
        let parts = try all.split(testFraction: data.testFraction, seed: runtime.seed)
        let set = switch split { case .test: parts.test; case .train: parts.train; case .all: all }
        guard set.count > 0 else { throw CLIError("the \(split.rawValue) split is empty (see --test-fraction)") }
        printErr("data: \(about); evaluating \(set.count) images (\(split.rawValue) split)")
        try requireMemory(c.trainingBytes(batch: min(batchSize, set.count)), for: "evaluating at batch \(batchSize)", runtime: runtime)
        let report = try evaluate(m, set, deterministic: deterministic, batchSize: batchSize)
        try requireFinite(report.total, "the losses")
        let nll = try importanceSamples.map { try importanceWeightedNLL(m, set, samples: $0, batchSize: batchSize) }
        let sharpness = try SharpnessReport(m, set, batchSize: batchSize)
        if json {
            var object: [String: Any] = [
                "images": set.count, "split": split.rawValue, "deterministic": deterministic, "loss": c.loss.rawValue,
                "mean_total": report.mean, "mean_recon": report.meanRecon, "mean_kl": report.meanKL,
                "total": report.total, "recon": report.recon, "kl": report.kl,
            ]
            object.merge(sharpness.json) { a, _ in a }
            if let nll { object["iwae_nll"] = nll; object["mean_iwae_nll"] = nll.reduce(0, +) / Double(nll.count) }
            let text = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: text, as: UTF8.self))
        } else {
            print(Self.summaryLine(loss: c.loss, deterministic: deterministic, images: set.count, report.mean,
                                   recon: report.meanRecon, kl: report.meanKL))
            print(sharpness.line)
            if let nll, let k = importanceSamples {
                print(String(format: "importance-weighted NLL estimate, K = %d: %.3f nats/image", k,
                             nll.reduce(0, +) / Double(nll.count)))
            }
        }
    }
}

extension EvalCommand {
    /// The text result. Only a sampled bce total is a bound on the NLL; l2 totals are not in nats.
    static func summaryLine(loss: ReconstructionLoss, deterministic: Bool, images: Int, _ total: Double, recon: Double,
                            kl: Double) -> String {
        let kind = switch (loss, deterministic) {
        case (.bce, false): "negative ELBO (an upper bound on the NLL)"
        case (.bce, true): "loss at z = mu (recon + KL; not a bound on the NLL)"
        case (.l2, false): "loss (0.5 x squared error + KL)"
        case (.l2, true): "loss at z = mu (0.5 x squared error + KL)"
        }
        let unit = loss == .bce ? " nats/image" : " per image"
        return String(format: "%@ on %d images: %.3f%@  (recon %.3f + KL %.3f)", kind, images, total, unit, recon, kl)
    }
}

/// Per-image losses over a whole data set, in order, batch by batch (the last batch may be smaller).
func evaluate(_ model: DRAWModel, _ set: Dataset, deterministic: Bool, batchSize: Int) throws -> LossReport {
    try evaluate(model, set, batchSize: batchSize) { _ in deterministic ? .mean : .sampled }
}

/// The same over the first `limit` images (all by default), with the latent mode of the batch that starts at
/// image `start` from `mode` (validation while training: noise from its own seed per batch).
func evaluate(_ model: DRAWModel, _ set: Dataset, batchSize: Int, limit: Int? = nil,
              mode: (_ start: Int) -> LatentMode) throws -> LossReport {
    var losses = LossReport()
    var start = 0
    var batch: [Float] = []
    let count = min(limit ?? set.count, set.count)
    while start < count {
        let n = min(batchSize, count - start)
        batch = [Float](repeating: 0, count: n * set.imageSize)
        set.copyImages(Array(start..<(start + n)), into: &batch)
        let r = try model.loss(batch: batch, mode: mode(start))
        // The negative ELBO at KL weight 1, whatever weight the model was last trained with (a warm-up).
        losses.append(r, klWeight: 1)
        start += n
    }
    return losses
}

/// Per-image importance-weighted NLL estimate (K samples each), batch by batch, in file order.
func importanceWeightedNLL(_ model: DRAWModel, _ set: Dataset, samples K: Int, batchSize: Int) throws -> [Double] {
    var out: [Double] = []
    var start = 0
    while start < set.count {
        let n = min(batchSize, set.count - start)
        var batch = [Float](repeating: 0, count: n * set.imageSize)
        set.copyImages(Array(start..<(start + n)), into: &batch)
        out += try model.importanceWeightedNLL(batch: batch, samples: K).nll
        start += n
    }
    return out
}

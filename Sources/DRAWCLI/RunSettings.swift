// RunSettings.swift: one resolved training run (data, model, optimizer, schedule, evaluation), saved as run.json for --resume.
import DRAW
import Foundation

/// How the images of a run were loaded: enough to load the same images again.
struct DataSettings: Codable, Equatable {
    var source: String
    var channels: Int?
    var height: Int?
    var width: Int?
    var binarize: String
    var background: String
    var limit: Int?
    var testFraction: Double

    enum CodingKeys: String, CodingKey {
        case source, channels, height, width, binarize, background, limit, testFraction = "test_fraction"
    }
}

/// The training recipes a preset can start from. `measured` is what the presets use by default (chosen by
/// measurement, README "Training recipe"); `spec` is SPEC.md's (lr 1e-3, β1 = 0.5, no warm-up), which the
/// fixtures use.
enum Recipe: String, Codable, CaseIterable {
    case measured, spec

    /// Adam's learning rate and β1 and the KL warm-up of this recipe (the schedule's shape is the same for both).
    var learningRate: Float { self == .spec ? 1e-3 : 2e-3 }
    var beta1: Float { self == .spec ? 0.5 : 0.9 }
    var klWarmup: Int { self == .spec ? 0 : 300 }
    /// The KL weight after the warm-up. l2's recon is a Gaussian of σ = 1 on pixels in [0, 1], so at weight 1 the KL
    /// outweighs it and the latents carry ~4 nats: blur. 0.01 (a Gaussian of σ = 0.1) measured sharper with a lower
    /// MSE (README "Sharp colour", fifth round); bce is a true likelihood and keeps SPEC.md's 1.
    func klWeight(for loss: ReconstructionLoss) -> Float { self == .measured && loss == .l2 ? 0.01 : 1 }
}

/// Every value that defines a run, resolved once from the flags, the recipe and the defaults. Written to
/// `<out>/run.json` when the run starts; `--resume` reads it back, so a resumed run is the same run.
struct RunSettings: Codable, Equatable {
    static let fileName = "run.json"
    static let formatValue = "draw-run-1"

    var format = Self.formatValue
    /// "train" or "demo" (a demo may replace an earlier demo's folder without --overwrite).
    var command: String
    var data: DataSettings
    var seed: UInt64
    var batchSize: Int
    /// Total Adam steps (a resume may raise it).
    var iterations: Int
    var model: DRAWConfig
    /// The --preset the model and batch size came from, if any.
    var preset: String?
    /// `features` or `vaegan` when training used one of the sharp colour losses (the model's config says l2).
    var loss: String?
    /// The resolved options of that loss (nil for bce and l2; a run.json from before they were recorded: the defaults).
    var lossSettings: VAEGANSettings? = nil
    var recipe: Recipe
    var adam: AdamSettings
    var schedule: TrainingSchedule
    /// Validate on the held-out split every this many steps (0: never).
    var evalEvery: Int
    /// Held-out images per validation (the first of the split).
    var evalImages: Int
    /// Stop after this many validations without a new best (nil: never).
    var earlyStop: Int?
    var checkpointEvery: Int
    var keep: Int
    /// The products' precision (`--precision`) as saved; nil in runs saved before it was recorded.
    var precision: Precision?
    /// The precision the run trains at: runs saved before it was recorded were float32.
    var productPrecision: Precision { precision ?? .float32 }

    enum CodingKeys: String, CodingKey {
        case format, command, data, seed, batchSize = "batch_size", iterations, model, preset, loss, recipe, adam, schedule
        case lossSettings = "loss_settings"
        case evalEvery = "eval_every", evalImages = "eval_images", earlyStop = "early_stop"
        case checkpointEvery = "checkpoint_every", keep, precision
    }

    /// Range checks for values read from a file (the flags get the same through `TrainOptions.validate`).
    func validate(source: String) throws {
        func fail(_ field: String, _ reason: String) -> CLIError { CLIError("\(source): \(field): \(reason)") }
        guard format == Self.formatValue else { throw fail("format", "\"\(format)\" is not \(Self.formatValue)") }
        do {
            try model.validate()
            try adam.validate()
            try schedule.validate()
            try lossSettings?.validate()
        } catch { throw fail("settings", "\(error)") }
        for (name, value, low) in [("batch_size", batchSize, 1), ("iterations", iterations, 1), ("eval_every", evalEvery, 0),
                                   ("eval_images", evalImages, 1), ("checkpoint_every", checkpointEvery, 0), ("keep", keep, 1)] {
            guard value >= low, value <= TrainingSchedule.maxSteps else {
                throw fail(name, "must be in \(low)...\(TrainingSchedule.maxSteps), got \(value)")
            }
        }
        if let earlyStop, earlyStop < 1 { throw fail("early_stop", "must be at least 1, got \(earlyStop)") }
        guard data.testFraction >= 0, data.testFraction < 1 else { throw fail("data.test_fraction", "must be in [0, 1)") }
    }

    /// run.json in `folder`, or nil when there is none.
    static func load(from folder: URL) throws -> RunSettings? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw CLIError("cannot read \(url.path): \(plainReason(error))") }
        guard bytes.count <= 1 << 20 else { throw CLIError("\(url.path): \(bytes.count) bytes is too large for run settings") }
        let settings: RunSettings
        do { settings = try JSONDecoder().decode(RunSettings.self, from: bytes) } catch let e as DecodingError {
            throw CLIError("\(url.path): not valid run settings: \(describeDecoding(e))")
        } catch { throw CLIError("\(url.path): not valid run settings: \(plainReason(error))") }
        try settings.validate(source: url.path)
        return settings
    }

    func save(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(path: folder.appendingPathComponent(Self.fileName).path, data: try encoder.encode(self))
    }

    /// The lines `draw info` and the start of a run print.
    var summary: [String] {
        var lines = ["data: \(data.source)" + (data.binarize == "none" ? "" : ", binarized (\(data.binarize))")
                     + ", test fraction \(data.testFraction), seed \(seed)",
                     "recipe: \(recipe.rawValue); batch \(batchSize); \(iterations) steps",
                     "schedule: \(schedule.summary)",
                     "adam: betas (\(adam.beta1), \(adam.beta2)), eps \(adam.epsilon), clip \(adam.clip)"
                         + (adam.maxGradNorm.map { ", max grad norm \($0)" } ?? "")]
        lines.append(evalEvery > 0
            ? "validation: every \(evalEvery) steps on \(evalImages) held-out images" + (earlyStop.map { ", early stop after \($0) without a new best" } ?? "")
            : "validation: off")
        return lines
    }
}

// ModelOptions.swift: the model-shape options of `draw train` and `draw bench`, turned into a DRAWConfig.
import ArgumentParser
import DRAW

extension ReconstructionLoss: ExpressibleByArgument {}

struct ModelOptions: ParsableArguments {
    @Option(help: "Start from a reference configuration (color64, mnist, paper); the options below override it.")
    var preset: String?

    @Option(name: [.customShort("T"), .long], help: "Drawing steps T.")
    var steps: Int?

    @Option(help: "Read window size N (N x N glimpse per channel; >= 2).")
    var readN: Int?

    @Option(help: "Write window size N (>= 2). Default: the preset's, else half the image's shorter side (16 at 32x32, 32 at 64x64; measured sharper and closer than 5x5, README \"Sharp colour\").")
    var writeN: Int?

    @Option(help: "Encoder LSTM size.")
    var encSize: Int?

    @Option(help: "Decoder LSTM size.")
    var decSize: Int?

    @Option(help: "Latent size Z per step.")
    var zSize: Int?

    @Flag(help: "Read and write whole images instead of attention windows.")
    var noAttention = false

    @Option(help: "Reconstruction loss: bce (binary data; the total is the negative ELBO in nats), l2 (colour), or the sharper colour losses features (frozen random conv features + L2) and vaegan (learned discriminator features + GAN; an l2 model).")
    var loss: TrainingLoss?

    @OptionGroup(title: "Sharp colour losses") var sharp: LossOptions

    func validate() throws {
        if let preset, DRAWConfig.preset(named: preset) == nil {
            let names = DRAWConfig.presets.map(\.name).joined(separator: ", ")
            throw ValidationError("unknown --preset '\(preset)' (choose one of \(names)).")
        }
        for (name, value) in [("--steps", steps), ("--enc-size", encSize), ("--dec-size", decSize), ("--z-size", zSize)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (got \(value)).") }
        }
        if !noAttention {
            for (name, value) in [("--read-n", readN), ("--write-n", writeN)] {
                if let value, value < 2 {
                    throw ValidationError("\(name) must be at least 2 with attention (got \(value)); or pass --no-attention.")
                }
            }
        }
    }

    /// The config for images of `channels × height × width`: the preset (or the measured model), then each option given.
    func config(channels: Int, height: Int, width: Int) throws -> DRAWConfig {
        var c = preset.flatMap { DRAWConfig.preset(named: $0)?.config }
            ?? .measured(channels: channels, height: height, width: width)
        c.channels = channels
        c.height = height
        c.width = width
        if let steps { c.steps = steps }
        if let readN { c.readN = readN }
        if let writeN { c.writeN = writeN }
        if let encSize { c.encSize = encSize }
        if let decSize { c.decSize = decSize }
        if let zSize { c.zSize = zSize }
        if noAttention { c.attention = false }
        if let loss { c.loss = loss.configLoss }
        do { try c.validate() } catch { throw ValidationError("\(error)") }
        return c
    }

    /// The preset's batch size, if a preset was named.
    var presetBatchSize: Int? { preset.flatMap { DRAWConfig.preset(named: $0)?.batchSize } }
}

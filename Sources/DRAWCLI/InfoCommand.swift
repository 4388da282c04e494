// InfoCommand.swift: `draw info`: build info (SIMD path, threads, BLAS core) and, given one, a checkpoint's config.
import ArgumentParser
import DRAW

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the SIMD path, thread count and BLAS core in use, and a checkpoint's config.")

    @Option(help: "A checkpoint file or run folder to describe.")
    var checkpoint: String?

    @OptionGroup var runtime: RuntimeOptions

    mutating func run() throws {
        runtime.apply()
        print(buildInfoLine())
        guard let checkpoint else { return }
        let (m, url) = try CheckpointStore.loadNewest(from: checkpoint, log: printErr)
        print("checkpoint: \(url.path)")
        print("step: \(m.step)")
        print("config: \(m.config.jsonString())")
        print("parameters: \(m.layout.parameterCount)")
        print("adam: lr \(m.adam.learningRate), betas (\(m.adam.beta1), \(m.adam.beta2)), clip \(m.adam.clip)")
    }
}

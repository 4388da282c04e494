// InfoCommand.swift: `draw info`: build info (SIMD path, threads, BLAS core) and, given one, a checkpoint's config.
import ArgumentParser
import DRAW
import Foundation

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
        if m.hasOptimizerState {
            print("adam: lr \(m.adam.learningRate), betas (\(m.adam.beta1), \(m.adam.beta2)), clip \(m.adam.clip)")
        } else {
            print("weights only (no Adam state): can be sampled, evaluated or fine-tuned with --init-from, not resumed")
        }
        // The run the checkpoint belongs to: the folder holding it (a step file's checkpoints/ folder's parent).
        var folder = url.deletingLastPathComponent()
        if folder.lastPathComponent == "checkpoints" { folder.deleteLastPathComponent() }
        if let run = try RunSettings.load(from: folder) {
            print("run: \(folder.appendingPathComponent(RunSettings.fileName).path)")
            for line in run.summary { print("  " + line) }
        }
    }
}

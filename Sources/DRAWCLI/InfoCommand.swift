// InfoCommand.swift: `draw info`: build info (SIMD and bf16 paths, threads, BLAS core) and, given one, a checkpoint's config.
import ArgumentParser
import DRAWKernels
import DRAW
import Foundation

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the SIMD path, the bf16 kernel, thread count and BLAS core in use, and a checkpoint's config.")

    @Option(help: "A checkpoint file or run folder to describe.")
    var checkpoint: String?

    @OptionGroup var runtime: RuntimeOptions

    mutating func run() throws {
        runtime.apply()
        print(buildInfoLine(precision: runtime.precision))
        print("precision: \(runtime.precision.rawValue); --precision bf16 runs the \(bf16PathDescription()) kernel")
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

/// The bf16 kernel this CPU runs, and what the faster ones would need.
func bf16PathDescription() -> String {
    let path = KernelRuntime.bf16Path, name = path.description
    switch path {
    case .amx: return name
    case .avx512bf16: return "\(name) (no AMX-BF16, or Linux refused the tile state)"
    default: return "\(name) (this CPU has neither AMX-BF16 nor AVX512-BF16)"
    }
}

// ExportCommand.swift: `draw export`: any checkpoint (or a run's newest) as a weights-only safetensors file for PyTorch.
import ArgumentParser
import DRAW
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's weights alone (PyTorch state_dict names, config in the metadata) for load_state_dict(strict=True).",
        discussion: """
            CHECKPOINT is a .safetensors file or a run folder (its newest readable checkpoint). The output has the \
            model's tensors and config and nothing of Adam's state, like a run's model.safetensors and best.safetensors.
            Example: draw export runs/fmnist/checkpoints/step-00002000.safetensors fmnist-2000.safetensors
            """)

    @Argument(help: "A checkpoint file or run folder.")
    var checkpoint: String

    @Argument(help: "The file to write.")
    var output: String

    mutating func run() throws {
        let (model, url) = try CheckpointStore.loadNewest(from: checkpoint, log: printErr)
        try model.save(to: output, trainingState: false)
        printErr("exported \(url.path) (step \(model.step)) to \(output)")
        print(output)
    }
}

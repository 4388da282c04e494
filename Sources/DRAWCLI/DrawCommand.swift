// DrawCommand.swift: the root of the `draw` command tree.
import ArgumentParser

public struct DrawCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Train and use DRAW, the recurrent attentive VAE that draws images step by step.",
        discussion: """
            Typical use:
              draw demo                            train on built-in colour faces, write pictures to draw-out/
              draw train --data fashion-mnist --preset mnist --binarize threshold --out runs/fmnist
              draw sample --checkpoint runs/fmnist
              draw reconstruct --checkpoint runs/fmnist --data fashion-mnist --binarize threshold
              draw attention --checkpoint runs/fmnist --data fashion-mnist --binarize threshold
              draw interpolate --checkpoint runs/fmnist --data fashion-mnist --binarize threshold --pair 0,1
              draw complete --checkpoint runs/fmnist --data fashion-mnist --binarize threshold --mask bottom
              draw eval --checkpoint runs/fmnist --data fashion-mnist --binarize threshold
              draw bench --threads 1
              draw info --checkpoint runs/fmnist
            Every command has --help.
            """,
        subcommands: [DemoCommand.self, TrainCommand.self, SampleCommand.self, ReconstructCommand.self,
                      AttentionCommand.self, InterpolateCommand.self, CompleteCommand.self, EvalCommand.self, InfoCommand.self, BenchCommand.self]
    )
    public init() {}
}

// DrawCommand.swift: the root of the `draw` command tree.
import ArgumentParser
import DRAW
import DRAWOutput
import Foundation

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
              draw export runs/fmnist weights.safetensors   weights only, for torch load_state_dict(strict=True)
            Every command has --help.
            """,
        subcommands: [DemoCommand.self, TrainCommand.self, SampleCommand.self, ReconstructCommand.self,
                      AttentionCommand.self, InterpolateCommand.self, CompleteCommand.self, EvalCommand.self,
                      InfoCommand.self, BenchCommand.self, ExportCommand.self]
    )
    public init() {}

    /// Parses and runs the command line; a Foundation error that escaped a command is printed as a plain
    /// message with its path (exit 1), never as an `NSCocoaErrorDomain … UserInfo=…` dump.
    public static func runMain() -> Never {
        StandardError.survivePipeClosing()
        do {
            var command = try parseAsRoot()
            try command.run()
            exit()
        } catch {
            let foundation = error is CocoaError || type(of: error) is NSError.Type
            exit(withError: foundation ? CLIError(plainMessage(error)) : error)
        }
    }
}

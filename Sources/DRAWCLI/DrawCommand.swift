// DrawCommand.swift: the root of the `draw` command tree.
import ArgumentParser

public struct DrawCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Train and use DRAW, the recurrent attentive VAE that draws images step by step.",
        discussion: """
            Typical use:
              draw demo                          train on built-in colour faces, write pictures to draw-out/
              draw train --data faces --iterations 3000 --out runs/faces
              draw sample --checkpoint runs/faces/model.safetensors
              draw info
            Every command has --help.
            """,
        subcommands: [InfoCommand.self]
    )
    public init() {}
}

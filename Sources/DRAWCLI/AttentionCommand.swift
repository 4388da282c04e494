// AttentionCommand.swift: `draw attention`: each step's canvas with the read and write windows, as PNG frames and a GIF.
import ArgumentParser

struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Write attention/step-NN.png and attention.gif: the canvas after each step, read window green, write window red.",
        discussion: """
            A model of more than 64 steps shows 64 of them, evenly spaced and ending at T. Each window is drawn as \
            the box its N x N grid spans (gx, gy +/- N*delta/2), its line as thick as sigma, as in the DRAW paper's \
            figures. The GIF ends on the original images.
            Example: draw attention --checkpoint draw-out --data faces --count 8
            """)

    @OptionGroup var pictures: PictureOptions

    @Option(help: "How many images.")
    var count: Int = 8

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be in 1...10000 (got \(count)).") }
    }

    mutating func run() throws {
        let (m, set, folder) = try pictures.prepare()
        let paths = try Pictures.writeAttention(m, set, count: count, to: folder)
        print("\(paths.count - 1) frames in \(folder.appendingPathComponent("attention").path)")
        print(paths.last!)
    }
}

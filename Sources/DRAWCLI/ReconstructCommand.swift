// ReconstructCommand.swift: `draw reconstruct`: originals beside their reconstructions, as a PNG grid.
import ArgumentParser

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Write reconstructions.png: held-out images (left) beside the model's reconstructions (right).",
        discussion: "Example: draw reconstruct --checkpoint draw-out --data faces --count 32")

    @OptionGroup var pictures: PictureOptions

    @Option(help: "How many images.")
    var count: Int = 32

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be in 1...10000 (got \(count)).") }
    }

    mutating func run() throws {
        let (m, set, folder) = try pictures.prepare()
        print(try Pictures.writeReconstructions(m, set, count: count, to: folder))
    }
}

// ReconstructCommand.swift: `draw reconstruct`: originals beside their reconstructions, as a PNG grid.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Write reconstructions.png: held-out images (left) beside the model's reconstructions (right).",
        discussion: "Example: draw reconstruct --checkpoint draw-out --data faces --count 32")

    @OptionGroup var model: CheckpointOption
    @OptionGroup(title: "Data") var data: DataOptions

    @Option(help: "How many images.")
    var count: Int = 32

    @Option(help: "Folder for the picture (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws { guard count >= 1 else { throw ValidationError("--count must be at least 1.") } }

    mutating func run() throws {
        runtime.apply()
        let m = try model.load()
        let set = try heldOut(data, m, seed: runtime.seed)
        let folder = try outputFolder(out, checkpoint: model.checkpoint)
        print(try Pictures.writeReconstructions(m, set, count: count, to: folder))
    }
}

/// The held-out split of the data, shaped for the model (the training split when nothing is held out).
func heldOut(_ data: DataOptions, _ m: DRAWModel, seed: UInt64) throws -> DRAWData.Dataset {
    let c = m.config
    let (all, _) = try data.load(seed: seed, shape: (c.channels, c.height, c.width))
    let parts = try all.split(testFraction: data.testFraction, seed: seed)
    return parts.test.count > 0 ? parts.test : parts.train
}

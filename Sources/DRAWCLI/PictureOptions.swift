// PictureOptions.swift: what `reconstruct` and `attention` share: a checkpoint, the data to show, the output folder.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

struct PictureOptions: ParsableArguments {
    @OptionGroup var model: CheckpointOption
    @OptionGroup(title: "Data") var data: DataOptions

    @Option(help: "Folder for the pictures (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    /// Applies the thread policy, loads the model, the held-out images shaped for it, and the output folder.
    func prepare() throws -> (DRAWModel, Dataset, URL) {
        runtime.apply()
        let m = try model.load(precision: runtime.precision)
        let set = try heldOut(data, m, seed: runtime.seed)
        return (m, set, try outputFolder(out, checkpoint: model.checkpoint))
    }
}

/// The held-out split of the data, shaped for the model (the training split when nothing is held out).
func heldOut(_ data: DataOptions, _ m: DRAWModel, seed: UInt64) throws -> Dataset {
    let c = m.config
    let (all, _) = try data.load(seed: seed, shape: (c.channels, c.height, c.width))
    let parts = try all.split(testFraction: data.testFraction, seed: seed)
    return parts.test.count > 0 ? parts.test : parts.train
}

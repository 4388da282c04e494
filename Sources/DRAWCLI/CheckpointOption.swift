// CheckpointOption.swift: `--checkpoint` of the commands that use a trained model.
import ArgumentParser
import DRAW

struct CheckpointOption: ParsableArguments {
    @Option(help: "A .safetensors checkpoint, or a run folder (its newest readable checkpoint is used).")
    var checkpoint: String = "draw-out"

    /// The model, its products at `precision` (`--precision`).
    func load(precision: Precision = .float32) throws -> DRAWModel {
        let (model, url) = try CheckpointStore.loadNewest(from: checkpoint, log: printErr)
        // Whatever weight training had reached (a warm-up), what a trained model reports is the true negative ELBO.
        model.klWeight = 1
        model.precision = precision
        printErr("model: \(url.path) (step \(model.step)); \(model.config.summary)")
        return model
    }
}

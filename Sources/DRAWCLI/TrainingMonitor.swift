// TrainingMonitor.swift: what a run shows TensorBoard: scalars every log step (vaegan's discriminator too), a sample sheet and reconstructions every checkpoint.
import DRAW
import DRAWData
import DRAWOutput
import DRAWTensorBoard
import Foundation

/// `<out>/tensorboard/events.out.tfevents.*` for one run (`tensorboard --logdir <out>/tensorboard`). Pictures use their
/// own seeded noise, so the model's RNG, and with it the run, is the same with and without TensorBoard. A failed
/// write is a warning once, then TensorBoard is off for the rest of the run; training goes on.
final class TrainingMonitor {
    private var writer: TensorBoardWriter?
    private let warn: (String) -> Void
    private let pictureSeed: UInt64

    init?(folder: URL, seed: UInt64, warn: @escaping (String) -> Void) {
        self.warn = warn
        pictureSeed = seed ^ 0x7b0a_5d00_0000_0001
        do { writer = try TensorBoardWriter(directory: folder.appendingPathComponent("tensorboard").path) } catch {
            warn("warning: TensorBoard off: \(plainReason(error))")
            return nil
        }
    }

    /// The scalars of one log row (validation ones when the row has them).
    func log(_ row: LogRow) {
        let step = Int(row.step)
        var values: [(String, Double)] = [("train/loss", row.total), ("train/recon", row.recon), ("train/kl", row.kl),
                                          ("train/images_per_s", row.imagesPerSecond), ("train/learning_rate", row.learningRate),
                                          ("train/kl_weight", row.klWeight), ("train/gradient_norm", row.gradientNorm)]
        values += row.losses.gan?.scalars ?? []
        if row.validation.isFinite {
            values += [("validation/neg_elbo", row.validation), ("validation/neg_elbo_z_mean", row.validationMean),
                       ("validation/objective", row.validationObjective)]
        }
        attempt { w in
            for (tag, v) in values where v.isFinite { try w.scalar(tag, v, step: step) }
            try w.flush()
        }
    }

    /// A sheet of 16 samples from the prior and 8 held-out images beside their reconstructions.
    func pictures(_ model: DRAWModel, heldOut: Dataset?, step: Int64) {
        attempt { w in
            let c = model.config, n = 16
            let z = DRAWModel.standardNormals(count: c.steps * n * c.zSize, seed: pictureSeed)
            let drawing = try model.sample(count: n, z: z)
            let sheet = try ImageGrid.make(planar: Array(drawing.images), count: n, channels: c.channels, height: c.height,
                                           width: c.width, rows: 4, cols: 4, scale: Pictures.sheetScale(for: c))
            try self.image(w, "samples", sheet, step: step)
            if let set = heldOut, set.count > 0 {
                let k = min(8, set.count)
                let rec = try model.reconstruct(batch: Pictures.images(of: set, k), mode: .mean)
                var cells: [Raster] = []
                for i in 0..<k {
                    cells.append(set.image(i))
                    cells.append(Pictures.raster(rec.canvas(step: c.steps, image: i), c))
                }
                let grid = try ImageGrid.make(cells, rows: (2 * k + 7) / 8, cols: 8, scale: Pictures.scale(for: c))
                try self.image(w, "reconstructions", grid, step: step)
            }
            try w.flush()
        }
    }

    private func image(_ w: TensorBoardWriter, _ tag: String, _ r: Raster, step: Int64) throws {
        let rgb = r.channels == 3 ? r : r.rgb()
        try w.image(tag, pixels: rgb.interleavedBytes(), width: rgb.width, height: rgb.height, channels: 3, step: Int(step))
    }

    private func attempt(_ body: (TensorBoardWriter) throws -> Void) {
        guard let w = writer else { return }
        do { try body(w) } catch {
            warn("warning: TensorBoard off for the rest of the run: \(plainReason(error))")
            writer = nil
        }
    }
}

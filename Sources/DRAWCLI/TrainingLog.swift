// TrainingLog.swift: the CSV log of a run (one row per logged step, validation beside it) and the loss plot drawn from it.
import DRAW
import DRAWData
import DRAWOutput
import Foundation

/// Batch-mean losses: of one step (over all ranks), summed over the steps of a log window, or their mean.
struct MeanLosses: Equatable {
    var recon = 0.0, kl = 0.0
    /// recon + KL weight · KL, what was minimised.
    var total = 0.0
    /// vaegan's discriminator numbers (nil for the other losses).
    var gan: GANMeans? = nil

    static func += (a: inout MeanLosses, b: MeanLosses) {
        a.recon += b.recon; a.kl += b.kl; a.total += b.total
        if let g = b.gan { a.gan = (a.gan ?? GANMeans()) + g }
    }
    static func / (a: MeanLosses, n: Double) -> MeanLosses {
        MeanLosses(recon: a.recon / n, kl: a.kl / n, total: a.total / n, gan: a.gan.map { $0 / n })
    }
}

/// A vaegan step's discriminator, summed over a log window and then averaged (TensorBoard's `vaegan/*`): its BCE
/// on real images and on reconstructions before its update, and the fractions of steps whose gates let it train
/// and let the decoder's GAN term run (what says whether one side is winning).
struct GANMeans: Equatable {
    var realBCE = 0.0, fakeBCE = 0.0, discriminatorTrained = 0.0, decoderGAN = 0.0

    init() {}
    init(_ r: VAEGANReport) {
        realBCE = r.realBCE; fakeBCE = r.fakeBCE
        discriminatorTrained = r.trainedDiscriminator ? 1 : 0; decoderGAN = r.decoderGAN ? 1 : 0
    }
    static func + (a: GANMeans, b: GANMeans) -> GANMeans {
        var s = a
        s.realBCE += b.realBCE; s.fakeBCE += b.fakeBCE
        s.discriminatorTrained += b.discriminatorTrained; s.decoderGAN += b.decoderGAN
        return s
    }
    static func / (a: GANMeans, n: Double) -> GANMeans {
        var s = a
        s.realBCE /= n; s.fakeBCE /= n; s.discriminatorTrained /= n; s.decoderGAN /= n
        return s
    }
    /// TensorBoard's tags and values.
    var scalars: [(String, Double)] {
        [("vaegan/real_bce", realBCE), ("vaegan/fake_bce", fakeBCE),
         ("vaegan/discriminator_trained", discriminatorTrained), ("vaegan/decoder_gan", decoderGAN)]
    }
}

/// One logged step: the window's mean losses, the schedule's values, and the validation when one ran.
struct LogRow: Equatable {
    var step: Int64
    var epoch: Double
    var losses: MeanLosses
    var recon: Double { losses.recon }
    var kl: Double { losses.kl }
    var total: Double { losses.total }
    var imagesPerSecond: Double
    var learningRate: Double = .nan
    var klWeight: Double = .nan
    var gradientNorm: Double = .nan
    /// Held-out negative ELBO (KL weight 1) with sampled z, and with z = μ; NaN when no validation ran at this step.
    var validation: Double = .nan
    var validationMean: Double = .nan
    /// Held-out recon + KL weight · KL with sampled z, at the run's final KL weight: what training minimises, so what
    /// ranks best.safetensors and early stop (equal to `validation` at weight 1). NaN in logs written before it.
    var validationObjective: Double = .nan
    /// The value validations are ranked by: the objective, or the negative ELBO in a log that predates it.
    var validationRank: Double { validationObjective.isNaN ? validation : validationObjective }
}

/// `train-log.csv` in the run folder. On resume, rows after the resumed step are dropped first, so the
/// log of a resumed run equals the log of a straight one. A failed write is a warning, never the end of a run.
final class TrainingLog {
    static let header = "step,epoch,recon,kl,total,images_per_s,lr,kl_weight,grad_norm,val_neg_elbo,val_neg_elbo_zmu,val_objective"
    let url: URL
    private(set) var rows: [LogRow] = []
    private var handle: FileHandle?
    private let warn: (String) -> Void
    private var warned = false

    init(url: URL, resumingAt step: Int64, warn: @escaping (String) -> Void) throws {
        self.url = url
        self.warn = warn
        if step > 0, let text = try? String(contentsOf: url, encoding: .utf8) {
            rows = text.split(separator: "\n").dropFirst().compactMap(Self.parse).filter { $0.step <= step }
        }
        var text = Self.header + "\n"
        for r in rows { text += Self.format(r) }
        do { try writeAtomically(path: url.path, data: Data(text.utf8)) } catch {
            throw CLIError("cannot write the training log \(url.path): \(plainReason(error))")
        }
        handle = try? FileHandle(forWritingTo: url)
        _ = try? handle?.seekToEnd()
    }

    deinit { try? handle?.close() }

    func append(_ row: LogRow) {
        rows.append(row)
        do { try handle?.write(contentsOf: Data(Self.format(row).utf8)) } catch { warnOnce("cannot append to \(url.path): \(plainReason(error))") }
    }

    /// Writes the loss curves (recon, KL, total, held-out negative ELBO against step) as an SVG next to the log;
    /// a failure is a warning.
    func plot(to url: URL, title: String) {
        guard rows.count >= 2 else { return }
        var plot = LossPlot.training(iterations: rows.map { Int($0.step) }, recon: rows.map(\.recon), kl: rows.map(\.kl),
                                     total: rows.map(\.total), title: title)
        let validated = rows.filter { $0.validation.isFinite }
        if !validated.isEmpty {
            plot.series.append(LossPlot.Series(name: "held-out -ELBO", colour: "#2ca02c",
                                               points: validated.map { (Double($0.step), $0.validation) }))
        }
        do { try writeAtomically(path: url.path, data: Data(plot.svg().utf8)) } catch {
            warnOnce("cannot write the loss plot \(url.path): \(plainReason(error)) (training goes on)")
        }
    }

    private func warnOnce(_ text: String) {
        guard !warned else { return }
        warned = true
        warn("warning: " + text)
    }

    /// The row as the CSV writes it (validation columns left empty when none ran).
    static func format(_ r: LogRow) -> String {
        func g(_ x: Double) -> String { x.isNaN ? "" : String(format: "%.6g", x) }
        return String(format: "%lld,%.4f,%.6g,%.6g,%.6g,%.1f,", r.step, r.epoch, r.recon, r.kl, r.total, r.imagesPerSecond)
            + [g(r.learningRate), g(r.klWeight), g(r.gradientNorm), g(r.validation), g(r.validationMean), g(r.validationObjective)].joined(separator: ",") + "\n"
    }

    static func parse(_ line: Substring) -> LogRow? {
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard [6, 11, 12].contains(f.count), let s = Int64(f[0]), let e = Double(f[1]), let r = Double(f[2]),
              let k = Double(f[3]), let t = Double(f[4]), let i = Double(f[5]) else { return nil }
        var row = LogRow(step: s, epoch: e, losses: MeanLosses(recon: r, kl: k, total: t), imagesPerSecond: i)
        if f.count >= 11 {
            func d(_ s: String) -> Double { s.isEmpty ? .nan : Double(s) ?? .nan }
            (row.learningRate, row.klWeight, row.gradientNorm) = (d(f[6]), d(f[7]), d(f[8]))
            (row.validation, row.validationMean) = (d(f[9]), d(f[10]))
            if f.count == 12 { row.validationObjective = d(f[11]) }
        }
        return row
    }
}

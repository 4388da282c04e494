// TrainingLog.swift: the CSV log of a run (one row per logged step) and the loss-curve plot drawn from it.
import DRAWData
import Foundation

/// One logged step: batch means over all ranks.
struct LogRow {
    var step: Int64
    var epoch: Double
    var recon: Double
    var kl: Double
    var total: Double
    var imagesPerSecond: Double
}

/// `train-log.csv` in the run folder. On resume, rows after the resumed step are dropped first, so the
/// log of a resumed run equals the log of a straight one.
final class TrainingLog {
    static let header = "step,epoch,recon,kl,total,images_per_s"
    let url: URL
    private(set) var rows: [LogRow] = []
    private let handle: FileHandle

    init(url: URL, resumingAt step: Int64) throws {
        self.url = url
        if step > 0, let text = try? String(contentsOf: url, encoding: .utf8) {
            rows = text.split(separator: "\n").dropFirst().compactMap(Self.parse).filter { $0.step <= step }
        }
        var text = Self.header + "\n"
        for r in rows { text += Self.format(r) }
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw CLIError("cannot write the training log \(url.path): \(error.localizedDescription)")
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(_ row: LogRow) {
        rows.append(row)
        try? handle.write(contentsOf: Data(Self.format(row).utf8))
    }

    /// Writes the loss curves (recon, KL, total against step) as an SVG next to the log.
    func plot(to url: URL, title: String) throws {
        guard rows.count >= 2 else { return }
        try LossPlot.training(iterations: rows.map { Int($0.step) }, recon: rows.map(\.recon), kl: rows.map(\.kl),
                              total: rows.map(\.total), title: title).write(to: url.path)
    }

    private static func format(_ r: LogRow) -> String {
        String(format: "%lld,%.4f,%.6g,%.6g,%.6g,%.1f\n", r.step, r.epoch, r.recon, r.kl, r.total, r.imagesPerSecond)
    }

    private static func parse(_ line: Substring) -> LogRow? {
        let f = line.split(separator: ",").map(String.init)
        guard f.count == 6, let s = Int64(f[0]), let e = Double(f[1]), let r = Double(f[2]), let k = Double(f[3]),
              let t = Double(f[4]), let i = Double(f[5]) else { return nil }
        return LogRow(step: s, epoch: e, recon: r, kl: k, total: t, imagesPerSecond: i)
    }
}

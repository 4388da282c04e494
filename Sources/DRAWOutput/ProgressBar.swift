// ProgressBar.swift: a one-line terminal progress bar (fraction, loss, images/s, ETA) on stderr.
import DRAWData
import Foundation

/// Training progress on stderr. On a terminal, one line redrawn in place with `\r`, at most `redrawInterval`
/// apart; elsewhere (logs, pipes) a plain line every `plainInterval` seconds and at the end, so logs stay short.
///
///     [#########.................]  34.0%  1700/5000  loss 112.345  812 img/s  ETA 0:04:03
public final class ProgressBar {
    public let total: Int
    /// The count already done when the bar started (a resumed run's first step): the ETA uses this run's rate.
    public let first: Int
    public let label: String
    public let isTerminal: Bool
    public var redrawInterval: Double = 0.1
    public var plainInterval: Double = 10
    private let start: Double
    private var lastDraw = -Double.infinity
    private let output: (String) -> Void
    private var finished = false

    /// - Parameters:
    ///   - total: the count `update` reaches at the end (iterations).
    ///   - first: the count already done before this bar (a resumed run's step).
    ///   - isTerminal: nil asks `isatty(2)`.
    ///   - output: where text goes; stderr by default (tests capture it).
    public init(total: Int, first: Int = 0, label: String = "", isTerminal: Bool? = nil,
                output: ((String) -> Void)? = nil) {
        self.total = max(total, 1)
        self.first = first
        self.label = label
        self.isTerminal = isTerminal ?? (isatty(2) == 1)
        self.output = output ?? StandardError.write
        start = ProgressBar.now()
    }

    /// Reports `done` of `total` steps, the current loss, the images processed so far (for images/s) and a short
    /// note (the last validation). Draws only when the interval has passed, or at the last step.
    public func update(_ done: Int, loss: Double? = nil, images: Int? = nil, note: String? = nil) {
        let t = ProgressBar.now()
        let last = done >= total
        guard !finished, last || t - lastDraw >= (isTerminal ? redrawInterval : plainInterval) else { return }
        lastDraw = t
        let line = ProgressBar.line(done: done, first: first, total: total, label: label, loss: loss, images: images,
                                    elapsed: t - start, barWidth: isTerminal ? 24 : 0, note: note)
        output(isTerminal ? "\r\(line)\u{1B}[K" : line + "\n")
        if last { finish() }
    }

    /// Ends the bar's line on a terminal (so later output starts on a new line). Idempotent.
    public func finish() {
        guard !finished else { return }
        finished = true
        if isTerminal { output("\n") }
    }

    /// The text of one report; `barWidth` 0 leaves the bar out. The ETA is the remaining count at the rate of the
    /// `done - first` steps run in `elapsed` seconds.
    public static func line(done: Int, first: Int = 0, total: Int, label: String, loss: Double?, images: Int?,
                            elapsed: Double, barWidth: Int, note: String? = nil) -> String {
        let fraction = min(max(Double(done) / Double(max(total, 1)), 0), 1)
        var parts: [String] = []
        if !label.isEmpty { parts.append(label) }
        if barWidth > 0 {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
        }
        parts.append(String(format: "%5.1f%%", fraction * 100))
        parts.append("\(done)/\(total)")
        if let loss { parts.append(String(format: "loss %.3f", loss)) }
        if let note { parts.append(note) }
        if let images, elapsed > 0 { parts.append(String(format: "%.0f img/s", Double(images) / elapsed)) }
        if done > first, done < total, elapsed > 0 {
            parts.append("ETA " + duration(elapsed / Double(done - first) * Double(total - done)))
        } else if done >= total {
            parts.append("in " + duration(elapsed))
        }
        return parts.joined(separator: "  ")
    }

    /// h:mm:ss.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

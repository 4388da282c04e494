// LossPlot.swift: training curves (recon, KL, total against iteration) as a self-contained SVG file.
import DRAWData
import Foundation

/// A line chart of named series over iterations, written as SVG text: axes with "nice" tick values (1, 2, 5 ×
/// 10^k), grid lines, one polyline per series and a legend. Non-finite values are left out of the lines.
public struct LossPlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var colour: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, colour: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.colour = colour
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Int
    public var height: Int

    public init(title: String = "DRAW training loss", xLabel: String = "iteration", yLabel: String = "loss (nats / image)",
                series: [Series] = [], width: Int = 800, height: Int = 480) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = width
        self.height = height
    }

    /// The usual three curves: recon (blue), KL (orange), total (black), one value per entry of `iterations`.
    public static func training(iterations: [Int], recon: [Double], kl: [Double], total: [Double],
                                title: String = "DRAW training loss") -> LossPlot {
        func points(_ ys: [Double]) -> [(x: Double, y: Double)] {
            zip(iterations, ys).map { (Double($0), $1) }
        }
        return LossPlot(title: title, series: [
            Series(name: "recon", colour: "#1f77b4", points: points(recon)),
            Series(name: "KL", colour: "#ff7f0e", points: points(kl)),
            Series(name: "total", colour: "#000000", points: points(total)),
        ])
    }

    /// The SVG document.
    public func svg() -> String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let (x0, x1) = LossPlot.range(finite.map(\.x))
        let ys = finite.map(\.y)
        // Losses are non-negative: start the axis at 0 so the curves' sizes compare honestly.
        let (y0, y1) = LossPlot.range(ys.allSatisfy { $0 >= 0 } ? ys + [0] : ys)
        let xTicks = LossPlot.ticks(x0, x1), yTicks = LossPlot.ticks(y0, y1)
        let (lo, hi) = (min(x0, xTicks.first ?? x0), max(x1, xTicks.last ?? x1))
        let (ylo, yhi) = (min(y0, yTicks.first ?? y0), max(y1, yTicks.last ?? y1))
        let left = 70.0, right = Double(width) - 20, top = 40.0, bottom = Double(height) - 50
        func px(_ x: Double) -> Double { left + (x - lo) / (hi - lo) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - ylo) / (yhi - ylo) * (bottom - top) }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(Double(width) / 2))" y="22" text-anchor="middle" font-size="16">\(LossPlot.escape(title))</text>

        """
        for t in xTicks {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom))\" stroke=\"#e0e0e0\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(LossPlot.label(t))</text>\n"
        }
        for t in yTicks {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(right))\" y2=\"\(f(py(t)))\" stroke=\"#e0e0e0\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(LossPlot.label(t))</text>\n"
        }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"black\"/>\n"
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(Double(height) - 12))\" text-anchor=\"middle\">\(LossPlot.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(LossPlot.escape(yLabel))</text>\n"
        for (k, line) in series.enumerated() {
            let pts = line.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if !pts.isEmpty {
                s += "<polyline fill=\"none\" stroke=\"\(LossPlot.escape(line.colour))\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
            }
            let ly = top + 8 + Double(k) * 18
            s += "<line x1=\"\(f(right - 110))\" y1=\"\(f(ly))\" x2=\"\(f(right - 85))\" y2=\"\(f(ly))\" stroke=\"\(LossPlot.escape(line.colour))\" stroke-width=\"3\"/>\n"
            s += "<text x=\"\(f(right - 78))\" y=\"\(f(ly + 4))\">\(LossPlot.escape(line.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Writes `svg()` to `path`.
    public func write(to path: String) throws {
        do { try svg().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError.writeFailed(path: path, detail: error.localizedDescription)
        }
    }

    /// Tick values: multiples of a step of 1, 2 or 5 × 10^k, from the last one ≤ a to the first one ≥ b
    /// (so the ticks cover [a, b]), about 4 to 8 of them.
    public static func ticks(_ a: Double, _ b: Double) -> [Double] {
        guard a.isFinite, b.isFinite, b > a else { return [a] }
        let raw = (b - a) / 6
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (a / step + 1e-9).rounded(.down) * step
        var out = [first]
        while out.last! < b - step * 1e-9 && out.count < 50 {
            let t = first + Double(out.count) * step
            out.append(abs(t) < step * 1e-9 ? 0 : t)
        }
        return out
    }

    static func range(_ values: [Double]) -> (Double, Double) {
        guard let lo = values.min(), let hi = values.max() else { return (0, 1) }
        if hi > lo { return (lo, hi) }
        return (lo - 1, hi + 1)
    }

    /// A tick label without needless digits: 1000, 2.5, 0.001, 1e+06.
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e6 || abs(v) < 1e-3 { return String(format: "%.3g", v) }
        var text = String(format: "%.6f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A coordinate with two decimals.
private func f(_ v: Double) -> String { String(format: "%.2f", v) }

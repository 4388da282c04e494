// Pictures.swift: the images the tool writes: sample sheets, drawing sequences, reconstructions, attention frames and GIF.
import DRAW
import DRAWData
import DRAWOutput
import Foundation

enum Pictures {
    /// A display scale that makes small images visible (28 px → 3×, 64 px → 2×).
    static func scale(for config: DRAWConfig) -> Int { max(1, min(4, 128 / max(config.height, config.width))) }
    /// A smaller enlargement for sheets of many images (32 px → 2×, 64 px → 1×).
    static func sheetScale(for config: DRAWConfig) -> Int { max(1, min(4, 64 / max(config.height, config.width))) }

    /// The most canvases a drawing strip shows per image (the paper preset's T = 64 shows every step).
    static let maxDrawingColumns = 64

    /// The steps a drawing strip shows: every step up to `maxDrawingColumns`, else that many evenly spaced and
    /// ending at T (a T = 10 000 model would otherwise make a 10 000-canvas-wide picture no one can read).
    static func shownSteps(_ T: Int) -> [Int] {
        let m = maxDrawingColumns
        guard T > m else { return Array(1...T) }
        return (1...m).map { ($0 * T + m - 1) / m }
    }

    /// `samples.png` (a rows × cols sheet of images from the prior) and `drawing.png` (the first `rows`
    /// samples, one per row, canvas after each step left to right, `shownSteps` of them). Returns the paths written.
    @discardableResult
    static func writeSamples(_ model: DRAWModel, rows: Int, cols: Int, to folder: URL) throws -> [String] {
        try writeSamples(try model.sample(count: rows * cols), rows: rows, cols: cols, to: folder)
    }

    /// The same two pictures of drawings already made (at most rows × cols of them on the sheet).
    @discardableResult
    static func writeSamples(_ drawing: DrawingSequence, rows: Int, cols: Int, to folder: URL) throws -> [String] {
        let c = drawing.config, n = min(rows * cols, drawing.count)
        try requireFinite(drawing.images, "the sampled images")
        let sheet = try ImageGrid.make(planar: Array(drawing.images.prefix(n * c.pixels)), count: n, channels: c.channels,
                                       height: c.height, width: c.width, rows: rows, cols: cols,
                                       scale: sheetScale(for: c))
        let sheetPath = folder.appendingPathComponent("samples.png").path
        try sheet.writePNG(to: sheetPath)
        var frames: [Raster] = []
        let shown = shownSteps(c.steps)
        for i in 0..<min(rows, n) {
            for t in shown { frames.append(raster(drawing.frame(step: t, image: i), c)) }
        }
        let steps = try ImageGrid.make(frames, rows: min(rows, n), cols: shown.count, scale: scale(for: c))
        let stepsPath = folder.appendingPathComponent("drawing.png").path
        try steps.writePNG(to: stepsPath)
        return [sheetPath, stepsPath]
    }

    /// `reconstructions.png`: originals in odd columns, their reconstructions (z = μ) just right of them.
    @discardableResult
    static func writeReconstructions(_ model: DRAWModel, _ set: Dataset, count: Int, to folder: URL) throws -> String {
        let c = model.config, n = min(count, set.count)
        let batch = images(of: set, n)
        let rec = try model.reconstruct(batch: batch, mode: .mean)
        try requireFinite(rec.canvases, "the reconstructions")
        var cells: [Raster] = []
        for i in 0..<n {
            cells.append(set.image(i))
            cells.append(raster(rec.canvas(step: c.steps, image: i), c))
        }
        let cols = 8  // 4 pairs per row
        let grid = try ImageGrid.make(cells, rows: (2 * n + cols - 1) / cols, cols: cols, scale: scale(for: c))
        let path = folder.appendingPathComponent("reconstructions.png").path
        try grid.writePNG(to: path)
        return path
    }

    /// For the first `count` images: `attention/step-NN.png` (each image's canvas after step t with the read
    /// window in green and the write window in red, for the steps `shownSteps` picks) and `attention.gif` (those
    /// steps, then the originals).
    /// A window is drawn as the box its grid spans, gx, gy ± N·δ/2, with a line as thick as σ (DRAW paper,
    /// figure 4 style); with --no-attention models there are no windows and only the canvases are drawn.
    @discardableResult
    static func writeAttention(_ model: DRAWModel, _ set: Dataset, count: Int, to folder: URL) throws -> [String] {
        let c = model.config, n = min(count, set.count), s = scale(for: c)
        let rec = try model.reconstruct(batch: images(of: set, n), mode: .mean)
        try requireFinite(rec.canvases, "the reconstructions")
        let dir = folder.appendingPathComponent("attention")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cols = min(n, 4), rows = (n + cols - 1) / cols
        let originals = try ImageGrid.make((0..<n).map { set.image($0).rgb().upscaled(by: s) }, rows: rows, cols: cols,
                                           padding: 2, padColour: .white)
        let gifPath = folder.appendingPathComponent("attention.gif").path
        let gif = try GIFWriter(path: gifPath, width: originals.width, height: originals.height, keep: [.green, .red, .white],
                                delayCentiseconds: 30)
        var paths: [String] = []
        // The drawing strip's steps (every step up to 64, else 64 evenly spaced): a T = 10 000 checkpoint gives
        // 64 frames, not 10 000 files.
        for t in shownSteps(c.steps) {
            var cells: [Raster] = []
            for i in 0..<n {
                var r = raster(rec.canvas(step: t, image: i), c).rgb().upscaled(by: s)
                if c.attention {
                    drawWindow(&r, rec.window(read: true, step: t, image: i), n: c.readN, scale: s, colour: .green)
                    drawWindow(&r, rec.window(read: false, step: t, image: i), n: c.writeN, scale: s, colour: .red)
                }
                cells.append(r)
            }
            let grid = try ImageGrid.make(cells, rows: rows, cols: cols, padding: 2, padColour: .white)
            let path = dir.appendingPathComponent(String(format: "step-%02d.png", t)).path
            try grid.writePNG(to: path)
            paths.append(path)
            try gif.add(grid)
        }
        try gif.add(originals)
        try gif.finish()
        paths.append(gifPath)
        return paths
    }

    /// The box of one window on a raster enlarged `scale` times. Pixel a's centre is at a + 0.5. An edge past the
    /// image is drawn on the image's border, so a window larger than the image (common at the first steps, which
    /// look at everything) shows as a frame instead of vanishing; a window wholly off one side shows nothing.
    static func drawWindow(_ r: inout Raster, _ w: ArraySlice<Float>, n: Int, scale: Int, colour: Color) {
        let p = Array(w)
        let (gx, gy, sigma2, delta) = (p[0], p[1], p[2], p[3])
        let half = Float(n) * delta / 2, k = Float(scale)
        // σ in image pixels, drawn at the display scale but never thicker than one image pixel.
        let sd = sigma2.squareRoot() * k
        let width = sd.isFinite ? max(1, Int(min(sd, Float(scale)).rounded())) : 1
        func onImage(_ v: Float, _ size: Int) -> Float { min(max(v, 0), Float(size)) }
        r.strokeRectangle(x0: onImage((gx - half + 0.5) * k, r.width), y0: onImage((gy - half + 0.5) * k, r.height),
                          x1: onImage((gx + half + 0.5) * k, r.width), y1: onImage((gy + half + 0.5) * k, r.height),
                          lineWidth: width, colour: colour)
    }

    static func raster(_ values: ArraySlice<Float>, _ c: DRAWConfig) -> Raster {
        Raster(channels: c.channels, height: c.height, width: c.width, pixels: Array(values))
    }

    static func images(of set: Dataset, _ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n * set.imageSize)
        set.copyImages(Array(0..<n), into: &out)
        return out
    }
}

/// A picture or number computed from NaN is no result: refuse it (exit 1) instead of writing a black image.
func requireFinite<C: Collection>(_ values: C, _ what: String) throws where C.Element: FloatingPoint {
    let bad = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
    guard bad == 0 else {
        throw CLIError("\(what) hold \(bad) NaN or infinite values: the model's weights are finite but it diverged; "
            + "use an earlier checkpoint (checkpoints/) or best.safetensors")
    }
}

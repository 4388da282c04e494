// CompleteCommand.swift: `draw complete`: fill in a masked part of images by iterated reconstruction, as a picture of the chain.
import ArgumentParser
import DRAW
import DRAWData
import DRAWOutput
import Foundation

struct CompleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Fill in the missing part of images: completion.png (original, masked, the iterations, result).",
        discussion: """
            The missing pixels start at --fill; each iteration reconstructs the images and keeps the \
            reconstruction only where pixels are missing, the observed pixels clamped to their values (Rezende, \
            Mohamed and Wierstra 2014). --mask: a box 'box:X,Y,W,H' in pixels, 'left', 'right', 'top' or 'bottom' \
            (that half is missing), 'centre' (the middle quarter), or a PNG whose white pixels are missing (resized \
            to the model). Each row of completion.png is one image: original, masked input, then the chain at \
            --columns iterations spaced evenly, the last one the result; completion.gif animates the chain. \
            Prints the mean squared error on the missing pixels before and after.
            Examples: draw complete --checkpoint draw-out --data faces --mask right --count 6
                      draw complete --checkpoint draw-out --image me.png --mask box:8,8,16,10 --iterations 50
            """)

    @OptionGroup var model: CheckpointOption
    @OptionGroup(title: "Data") var data: DataOptions

    @Option(help: "Complete this image file (PNG or JPEG) instead of held-out images of --data (repeatable).")
    var image: [String] = []

    @Option(help: "How many held-out images of --data.")
    var count: Int = 6

    @Option(help: ArgumentHelp("What is missing: left|right|top|bottom|centre, box:X,Y,W,H, or a mask PNG (white = missing).",
                               valueName: "mask"))
    var mask: String = "right"

    @Option(help: "Rounds of reconstruction.")
    var iterations: Int = 20

    @Option(help: "Iterations shown in the picture (evenly spaced, the last always).")
    var columns: Int = 6

    @Option(help: "Starting value of the missing pixels.")
    var fill: Float = 0.5

    @Flag(help: "Use z = mu in every round (a deterministic chain) instead of sampling z ~ q(z | x).")
    var mean = false

    @Option(help: "Folder for the pictures (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (1...256).contains(count) else { throw ValidationError("--count must be in 1...256.") }
        guard (1...10_000).contains(iterations) else { throw ValidationError("--iterations must be in 1...10000.") }
        guard columns >= 1 else { throw ValidationError("--columns must be at least 1.") }
        guard fill.isFinite, (0...1).contains(fill) else { throw ValidationError("--fill must be in [0, 1].") }
    }

    mutating func run() throws {
        runtime.apply()
        let m = try model.load(precision: runtime.precision)
        m.reseed(runtime.seed)
        let c = m.config, P = c.pixels
        let folder = try outputFolder(out, checkpoint: model.checkpoint)
        let set = image.isEmpty ? try heldOut(data, m, seed: runtime.seed) : try loadImageFiles(image, for: m, data: data)
        let n = image.isEmpty ? min(count, set.count) : set.count
        var batch = [Float](repeating: 0, count: n * P)
        set.copyImages(Array(0..<n), into: &batch)
        let plane = try missingPlane(mask, c, data: data)   // [H][W], 1 = missing
        let missing = (0..<(n * P)).map { plane[$0 % (c.height * c.width)] }
        let holes = missing.reduce(0, +)
        guard holes > 0 else { throw CLIError("--mask \(mask) leaves no pixel missing") }
        let result = try m.complete(batch: batch, missing: missing, iterations: iterations, fill: fill,
                                    mode: mean ? .mean : .sampled)
        func holeMSE(_ x: [Float]) -> Double {
            zip(zip(x, batch), missing).reduce(0.0) { $0 + Double($1.1) * Double(($1.0.0 - $1.0.1) * ($1.0.0 - $1.0.1)) } / Double(holes)
        }
        printErr(String(format: "%d image%@, %.0f%% of the pixels missing; mean squared error there: %.4f at the fill, %.4f after %d iterations",
                        n, n == 1 ? "" : "s", 100 * Double(holes) / Double(n * P), holeMSE(result.iterates[0]),
                        holeMSE(result.iterates[iterations]), iterations))
        let shown = Self.shownIterations(iterations, columns: columns)
        func cell(_ x: [Float], _ i: Int) -> Raster { Pictures.raster(x[(i * P)..<((i + 1) * P)], c) }
        var cells: [Raster] = []
        for i in 0..<n {
            cells.append(cell(batch, i))
            cells.append(Self.shaded(cell(result.iterates[0], i), plane))
            for k in shown { cells.append(cell(result.iterates[k], i)) }
        }
        let s = Pictures.scale(for: c)
        let grid = try ImageGrid.make(cells, rows: n, cols: 2 + shown.count, scale: s)
        let pngPath = folder.appendingPathComponent("completion.png").path
        try grid.writePNG(to: pngPath)
        var frames: [Raster] = []
        for k in 0...iterations where k <= 12 || k % max(1, iterations / 24) == 0 || k == iterations {
            frames.append(try ImageGrid.make((0..<n).map { cell(result.iterates[k], $0).upscaled(by: s) },
                                             rows: (n + 3) / 4, cols: min(n, 4), padding: 2, padColour: .white))
        }
        let gifPath = folder.appendingPathComponent("completion.gif").path
        try GIFWriter.write(frames, to: gifPath, delayCentiseconds: 20)
        print(pngPath)
        print(gifPath)
    }

    /// `columns` iteration numbers from 1 to `iterations`, evenly spaced, ending at `iterations`.
    static func shownIterations(_ iterations: Int, columns: Int) -> [Int] {
        let k = min(columns, iterations)
        return (1...k).map { Int((Double($0) * Double(iterations) / Double(k)).rounded()) }
    }

    /// The masked input as shown: missing pixels tinted blue so the hole is visible whatever the fill.
    static func shaded(_ r: Raster, _ plane: [Float]) -> Raster {
        var out = r.rgb()
        let hw = r.height * r.width
        for i in 0..<hw where plane[i] > 0.5 {
            out.pixels[i] = 0.5 * out.pixels[i] + 0.5 * 0.15
            out.pixels[hw + i] = 0.5 * out.pixels[hw + i] + 0.5 * 0.35
            out.pixels[2 * hw + i] = 0.5 * out.pixels[2 * hw + i] + 0.5 * 1
        }
        return out
    }
}

/// The missing pixels of one image, `[H][W]` with 1 where missing, from a `--mask` value.
func missingPlane(_ mask: String, _ c: DRAWConfig, data: DataOptions) throws -> [Float] {
    let (H, W) = (c.height, c.width)
    var plane = [Float](repeating: 0, count: H * W)
    func set(x0: Int, y0: Int, x1: Int, y1: Int) {
        for y in max(0, y0)..<min(H, y1) { for x in max(0, x0)..<min(W, x1) { plane[y * W + x] = 1 } }
    }
    switch mask.lowercased() {
    case "left": set(x0: 0, y0: 0, x1: W / 2, y1: H)
    case "right": set(x0: W / 2, y0: 0, x1: W, y1: H)
    case "top": set(x0: 0, y0: 0, x1: W, y1: H / 2)
    case "bottom": set(x0: 0, y0: H / 2, x1: W, y1: H)
    case "centre", "center": set(x0: W / 4, y0: H / 4, x1: W - W / 4, y1: H - H / 4)
    case let box where box.hasPrefix("box:"):
        let v = box.dropFirst(4).split(separator: ",").compactMap { Int($0) }
        guard v.count == 4, v[2] > 0, v[3] > 0 else { throw CLIError("--mask box:X,Y,W,H needs four numbers, W and H positive (got '\(mask)')") }
        set(x0: v[0], y0: v[1], x1: v[0] + v[2], y1: v[1] + v[3])
    default:
        guard FileManager.default.fileExists(atPath: mask) else {
            throw CLIError("--mask '\(mask)' is neither left/right/top/bottom/centre, box:X,Y,W,H nor an existing PNG")
        }
        let options = ImageOptions(channels: 1, height: H, width: W, background: .black)
        let image = try ImageFolderLoader.load(files: [mask], options: options)
        plane = image.image(0).pixels.map { $0 > 0.5 ? 1 : 0 }
    }
    return plane
}

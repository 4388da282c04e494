// InterpolateCommand.swift: `draw interpolate`: a walk between two images' posteriors, or two prior points, as a strip and a GIF.
import ArgumentParser
import DRAW
import DRAWData
import DRAWOutput
import Foundation

struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Decode a path between two latent sequences: interpolation.png (one row per pair) and interpolation.gif.",
        discussion: """
            Between images: each image's per-step posterior means mu_1..mu_T are found (z = mu), the path runs \
            linearly from one sequence to the other, and every point is decoded; the row starts with the first \
            image and ends with the second. Images come from --from/--to (PNG or JPEG files) or from --pair I,J \
            (held-out images I and J of --data; repeatable). With neither, --rows pairs of prior points \
            z ~ N(0, I) are joined by spherical interpolation (slerp), which keeps every point as likely as a prior draw.
            Examples: draw interpolate --checkpoint draw-out --data faces --pair 0,1 --pair 2,3 --points 10
                      draw interpolate --checkpoint draw-out --from a.png --to b.png
                      draw interpolate --checkpoint draw-out --rows 4 --seed 3
            """)

    @OptionGroup var model: CheckpointOption
    @OptionGroup(title: "Data") var data: DataOptions

    @Option(help: "The first image (PNG or JPEG), resized to the model's size.")
    var from: String?

    @Option(help: "The second image.")
    var to: String?

    @Option(help: ArgumentHelp("Held-out images I and J of --data (repeatable).", valueName: "I,J"))
    var pair: [String] = []

    @Option(help: "Pairs of prior points when no images are given.")
    var rows: Int = 4

    @Option(help: "Decoded points per row, both ends included.")
    var points: Int = 8

    @Option(help: "The path: linear (default between images) or slerp (default between prior points).")
    var path: String?

    @Option(help: "Folder for the pictures (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (2...256).contains(points) else { throw ValidationError("--points must be in 2...256.") }
        guard (1...256).contains(rows) else { throw ValidationError("--rows must be in 1...256.") }
        guard (from == nil) == (to == nil) else { throw ValidationError("--from and --to go together.") }
        if from != nil, !pair.isEmpty { throw ValidationError("give --from/--to or --pair, not both.") }
        if let path, LatentPath(rawValue: path) == nil { throw ValidationError("--path must be linear or slerp.") }
        for p in pair where Self.indices(p) == nil { throw ValidationError("--pair takes I,J (two image numbers), got '\(p)'.") }
    }

    static func indices(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts.allSatisfy({ $0 >= 0 }) else { return nil }
        return (parts[0], parts[1])
    }

    mutating func run() throws {
        runtime.apply()
        let m = try model.load(precision: runtime.precision)
        m.reseed(runtime.seed)
        let c = m.config, T = c.steps, Z = c.zSize, P = c.pixels
        let folder = try outputFolder(out, checkpoint: model.checkpoint)
        // Each row: the two latent sequences [T][Z] and, for image pairs, the two images at the ends.
        var ends: [(a: [Float], b: [Float])] = []
        var images: [(Raster, Raster)] = []
        var kind = LatentPath.slerp
        if let from, let to {
            let set = try loadImageFiles([from, to], for: m, data: data)
            images = [(set.image(0), set.image(1))]
            kind = .linear
        } else if !pair.isEmpty {
            let set = try heldOut(data, m, seed: runtime.seed)
            let wanted = pair.map { Self.indices($0)! }
            for (i, j) in wanted where max(i, j) >= set.count {
                throw CLIError("--pair \(i),\(j): the held-out split has \(set.count) images (0...\(set.count - 1))")
            }
            images = wanted.map { (set.image($0.0), set.image($0.1)) }
            kind = .linear
        }
        if let path { kind = LatentPath(rawValue: path)! }
        if images.isEmpty {
            let z = try m.priorLatents(count: 2 * rows)   // [T][2·rows][Z]: row r joins draws 2r and 2r + 1
            let count = 2 * rows
            func draw(_ k: Int) -> [Float] {
                var out: [Float] = []
                for t in 0..<T {
                    let start = (t * count + k) * Z
                    out += z[start..<(start + Z)]
                }
                return out
            }
            ends = (0..<rows).map { (draw(2 * $0), draw(2 * $0 + 1)) }
        } else {
            let batch = images.flatMap { $0.0.pixels + $0.1.pixels }
            let q = try m.encode(batch: batch)
            ends = (0..<images.count).map { (q.means(image: 2 * $0), q.means(image: 2 * $0 + 1)) }
        }
        var strips: [[Raster]] = []
        for (a, b) in ends {
            let z = try LatentInterpolation.path(from: a, to: b, points: points, steps: T, zSize: Z, kind)
            let decoded = try m.generate(count: points, z: z)
            strips.append((0..<points).map { Pictures.raster(decoded[($0 * P)..<(($0 + 1) * P)], c) })
        }
        let s = Pictures.scale(for: c)
        var cells: [Raster] = []
        for (r, strip) in strips.enumerated() {
            if !images.isEmpty { cells.append(images[r].0) }
            cells += strip
            if !images.isEmpty { cells.append(images[r].1) }
        }
        let cols = points + (images.isEmpty ? 0 : 2)
        let grid = try ImageGrid.make(cells, rows: strips.count, cols: cols, scale: s)
        let pngPath = folder.appendingPathComponent("interpolation.png").path
        try grid.writePNG(to: pngPath)
        // The GIF walks every row's path there and back: frame k shows point k of each row, stacked.
        var frames: [Raster] = []
        for k in 0..<points {
            frames.append(try ImageGrid.make(strips.map { $0[k].upscaled(by: s) }, rows: strips.count, cols: 1,
                                             padding: 2, padColour: .white))
        }
        let gifPath = folder.appendingPathComponent("interpolation.gif").path
        try GIFWriter.write(frames + frames.reversed().dropFirst().dropLast(), to: gifPath, delayCentiseconds: 15)
        printErr("\(strips.count) row\(strips.count == 1 ? "" : "s") of \(points) points, \(kind.rawValue) "
                 + (images.isEmpty ? "between prior points" : "between posterior means"))
        print(pngPath)
        print(gifPath)
    }
}

/// Image files decoded and shaped (channels, size, background) for the model.
func loadImageFiles(_ files: [String], for m: DRAWModel, data: DataOptions) throws -> Dataset {
    let c = m.config
    let options = ImageOptions(channels: c.channels, height: c.height, width: c.width, background: try data.backgroundColor(),
                               binarization: data.binarization(seed: 0))
    return try ImageFolderLoader.load(files: files, options: options)
}

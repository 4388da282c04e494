// SampleCommand.swift: `draw sample`: images from the prior as a PNG sheet and step by step, or many as PNGs / .npy.
import ArgumentParser
import DRAW
import Foundation

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw new images from a trained model: samples.png and drawing.png (canvas after each step).",
        discussion: """
            --count N draws N images (default rows x cols); the sheet shows the first rows x cols of them, and \
            --individual / --npy write all N. --temperature scales the prior's standard deviation: z ~ N(0, t^2 I).
            Examples: draw sample --checkpoint draw-out --rows 8 --cols 8 --seed 7
                      draw sample --checkpoint draw-out --count 10000 --npy --temperature 0.8
            """)

    @OptionGroup var model: CheckpointOption

    @Option(help: "Rows of the sample sheet (and of the step-by-step picture).")
    var rows: Int = 8

    @Option(help: "Columns of the sample sheet.")
    var cols: Int = 8

    @Option(help: "How many images (default: rows x cols).")
    var count: Int?

    @Option(help: "Scale of the prior's standard deviation (1: the model's prior; below 1: tamer images).")
    var temperature: Float = 1

    @OptionGroup var set: ImageSetOptions

    @Option(help: "Folder for the pictures (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (1...Self.maxSide).contains(rows), (1...Self.maxSide).contains(cols) else {
            throw ValidationError("--rows and --cols must be in 1...\(Self.maxSide) (got \(rows) x \(cols)).")
        }
        if let count, !(1...10_000_000).contains(count) { throw ValidationError("--count must be in 1...10000000.") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be >= 0.") }
    }

    /// A sheet of 1000 x 1000 images is already more than any screen shows.
    static let maxSide = 1000

    mutating func run() throws {
        runtime.apply()
        let m = try model.load(precision: runtime.precision)
        try requireMemory(m.config.generationBytes(count: min(count ?? rows * cols, max(rows * cols, 256))),
                          for: "sampling \(rows * cols) images", runtime: runtime)
        m.reseed(runtime.seed)
        let folder = try outputFolder(out, checkpoint: model.checkpoint)
        let n = count ?? rows * cols
        let shown = min(n, rows * cols)
        // The sheet's images first (with their steps), then the rest in batches; z for all comes from one stream.
        let writer = try set.writer(name: "samples", count: n, config: m.config, folder: folder)
        let drawing = try m.sample(count: shown, z: try m.priorLatents(count: shown, temperature: temperature))
        for path in try Pictures.writeSamples(drawing, rows: (shown + cols - 1) / cols, cols: min(cols, shown), to: folder) {
            print(path)
        }
        try writer.add(drawing.images)
        var done = shown
        while done < n {
            let k = min(256, n - done)
            try writer.add(try m.generate(count: k, z: try m.priorLatents(count: k, temperature: temperature))[...])
            done += k
        }
        for path in try writer.finish() { print(path) }
    }
}

/// `--out`, or the checkpoint's folder (the run folder when given a run folder); created if needed.
func outputFolder(_ out: String?, checkpoint: String) throws -> URL {
    let url: URL
    if let out { url = URL(fileURLWithPath: out) } else {
        var isDir: ObjCBool = false
        let c = URL(fileURLWithPath: checkpoint)
        url = FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDir) && isDir.boolValue
            ? c : c.deletingLastPathComponent()
    }
    do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
        throw CLIError("cannot create the output folder \(url.path): \(plainReason(error))")
    }
    return url
}

// SampleCommand.swift: `draw sample`: images from the prior as a PNG sheet, plus the drawing step by step.
import ArgumentParser
import DRAW
import Foundation

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw new images from a trained model: samples.png and drawing.png (canvas after each step).",
        discussion: "Example: draw sample --checkpoint draw-out --rows 8 --cols 8 --seed 7")

    @OptionGroup var model: CheckpointOption

    @Option(help: "Rows of the sample sheet (and of the step-by-step picture).")
    var rows: Int = 8

    @Option(help: "Columns of the sample sheet.")
    var cols: Int = 8

    @Option(help: "Folder for the pictures (default: the checkpoint's folder).")
    var out: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (1...Self.maxSide).contains(rows), (1...Self.maxSide).contains(cols) else {
            throw ValidationError("--rows and --cols must be in 1...\(Self.maxSide) (got \(rows) x \(cols)).")
        }
    }

    /// A sheet of 1000 x 1000 images is already more than any screen shows.
    static let maxSide = 1000

    mutating func run() throws {
        runtime.apply()
        let m = try model.load()
        try requireMemory(m.config.generationBytes(count: rows * cols), for: "sampling \(rows * cols) images", runtime: runtime)
        m.reseed(runtime.seed)
        let folder = try outputFolder(out, checkpoint: model.checkpoint)
        for path in try Pictures.writeSamples(m, rows: rows, cols: cols, to: folder) { print(path) }
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

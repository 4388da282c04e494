// ImageSetOptions.swift: `--individual` and `--npy`, the per-image PNGs and NumPy array that sample and reconstruct write.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

struct ImageSetOptions: ParsableArguments {
    @Flag(help: "Also write every image as its own PNG, NAME/NAME-00000.png.")
    var individual = false

    @Flag(help: "Also write the whole set as NAME.npy, float32 [N, C, H, W] in [0, 1] (e.g. for FID elsewhere).")
    var npy = false

    /// Receives the images batch by batch, in order; `finish()` returns the paths written.
    func writer(name: String, count: Int, config c: DRAWConfig, folder: URL) throws -> ImageSetWriter {
        try ImageSetWriter(options: self, name: name, count: count, config: c, folder: folder)
    }
}

final class ImageSetWriter {
    private let config: DRAWConfig
    private let name: String
    private let individualFolder: URL?
    private let array: NPYWriter?
    private var next = 0
    private(set) var paths: [String] = []

    init(options: ImageSetOptions, name: String, count: Int, config c: DRAWConfig, folder: URL) throws {
        config = c
        self.name = name
        if options.individual {
            let dir = folder.appendingPathComponent(name)
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot create \(dir.path): \(error.localizedDescription)")
            }
            individualFolder = dir
        } else { individualFolder = nil }
        array = options.npy ? try NPYWriter(path: folder.appendingPathComponent("\(name).npy").path,
                                            shape: [count, c.channels, c.height, c.width]) : nil
    }

    /// `images` planar `[n][C][H][W]`.
    func add(_ images: ArraySlice<Float>) throws {
        let P = config.pixels
        try array?.append(images)
        guard let dir = individualFolder else { next += images.count / P; return }
        for k in 0..<(images.count / P) {
            let start = images.startIndex + k * P
            let r = Raster(channels: config.channels, height: config.height, width: config.width,
                           pixels: Array(images[start..<(start + P)]))
            try r.writePNG(to: dir.appendingPathComponent(String(format: "%@-%05d.png", name, next)).path)
            next += 1
        }
    }

    func finish() throws -> [String] {
        var out: [String] = []
        if let dir = individualFolder { out.append(dir.path + "/ (\(next) PNGs)") }
        if let array { try array.finish(); out.append(array.path) }
        return out
    }
}

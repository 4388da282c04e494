// ReconstructCommand.swift: `draw reconstruct`: originals beside their reconstructions, as a PNG grid, PNGs or .npy.
import ArgumentParser
import DRAW

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Write reconstructions.png: held-out images (left) beside the model's reconstructions (right).",
        discussion: """
            The sheet shows the first 64 of --count; --individual / --npy write all of them (z = mu).
            Examples: draw reconstruct --checkpoint draw-out --data faces --count 32
                      draw reconstruct --checkpoint draw-out --data faces --count 500 --npy
            """)

    @OptionGroup var pictures: PictureOptions

    @Option(help: "How many images (at most the held-out split's size).")
    var count: Int = 32

    @OptionGroup var set: ImageSetOptions

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be in 1...10000 (got \(count)).") }
    }

    mutating func run() throws {
        let (m, data, folder) = try pictures.prepare()
        let n = min(count, data.count)
        print(try Pictures.writeReconstructions(m, data, count: min(n, 64), to: folder))
        guard set.individual || set.npy else { return }
        let writer = try set.writer(name: "reconstructions", count: n, config: m.config, folder: folder)
        var start = 0
        while start < n {
            let k = min(100, n - start)
            var batch = [Float](repeating: 0, count: k * data.imageSize)
            data.copyImages(Array(start..<(start + k)), into: &batch)
            let rec = try m.reconstruct(batch: batch, mode: .mean)
            try writer.add(rec.canvases[((m.config.steps - 1) * k * m.config.pixels)...])
            start += k
        }
        for path in try writer.finish() { print(path) }
    }
}

// BenchCommand.swift: `draw bench`: training and generation throughput of the reference configurations.
import ArgumentParser
import DRAW
import DRAWKernels
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and generation speed on SPEC.md's reference configurations.",
        discussion: """
            A training step is what `draw train` does: forward, backward, clipping, Adam, fresh noise, on random \
            data. Each configuration runs warm-up steps, then timed steps until --seconds have passed (at least \
            --min-steps); images/s = batch / median step time. GFLOP/s counts model FLOPs as the peers' \
            RESULTS.md does; '% peak' is against this machine's own 1024^3 sgemm, measured first. Peak RSS is \
            the process's, so run one configuration per process to compare memory (as the peers do).
            --precision bf16 runs the products in bf16 (see `draw info` for the kernel); compare it with a \
            float32 run of the same configuration in its own process.
            Example: draw bench --threads 1 --config color64 --json
            """)

    @Option(parsing: .upToNextOption, help: "Configurations to run: color64, mnist, paper (default: all three).")
    var config: [String] = []

    @Option(help: "Timed seconds per configuration.")
    var seconds: Double = 4

    @Option(help: "At least this many timed steps.")
    var minSteps: Int = 10

    @Option(help: "Generated images per generation call (SPEC.md color64 batch).")
    var generateBatch: Int = 64

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        for name in config where DRAWConfig.preset(named: name) == nil {
            throw ValidationError("unknown --config '\(name)' (choose from color64, mnist, paper).")
        }
        guard seconds > 0, seconds <= 86400 else { throw ValidationError("--seconds must be in (0, 86400] (got \(seconds)).") }
        guard minSteps >= 1, minSteps <= 1_000_000 else { throw ValidationError("--min-steps must be in 1...1000000.") }
        guard generateBatch >= 1, generateBatch <= 100_000 else {
            throw ValidationError("--generate-batch must be in 1...100000 (got \(generateBatch)).")
        }
    }

    mutating func run() throws {
        runtime.apply()
        let info = buildInfoLine(precision: runtime.precision)
        let peak = try MachineProbe.sgemmPeak()
        if !json {
            print(info)
            print(String(format: "sgemm peak (1024^3, best of 5, %d threads): %.1f GFLOP/s", KernelRuntime.threads, peak))
            print("| config | precision | threads | train img/s | ms/step | GFLOP/s | % peak | generate img/s | gen GFLOP/s | peak RSS MB |")
            print("|---|---|---|---|---|---|---|---|---|---|")
        }
        var results: [[String: Any]] = []
        let names = config.isEmpty ? DRAWConfig.presets.map(\.name) : config
        for name in names {
            let preset = DRAWConfig.preset(named: name)!
            let r = try measure(preset)
            let gflops = r.trainRate * preset.config.trainingFLOPsPerImage / 1e9
            let genGflops = r.generateRate * preset.config.generationFLOPsPerImage / 1e9
            let rss = MachineProbe.peakRSSMegabytes()
            if json {
                results.append(["config": name, "precision": runtime.precision.rawValue, "threads": KernelRuntime.threads, "batch": preset.batchSize,
                                "train_images_per_s": r.trainRate, "ms_per_step": r.msPerStep,
                                "train_gflops": gflops, "percent_of_sgemm_peak": 100 * gflops / peak,
                                "steps_timed": r.steps, "generate_images_per_s": r.generateRate,
                                "generate_gflops": genGflops, "peak_rss_mb": rss])
            } else {
                print(String(format: "| %@ | %@ | %d | %.0f | %.2f | %.1f | %.1f%% | %.0f | %.1f | %.0f |", name,
                             runtime.precision.rawValue, KernelRuntime.threads, r.trainRate, r.msPerStep, gflops, 100 * gflops / peak,
                             r.generateRate, genGflops, rss))
            }
        }
        if json {
            let object: [String: Any] = ["build": info, "sgemm_peak_gflops": peak, "threads": KernelRuntime.threads,
                                         "date": ISO8601DateFormatter().string(from: Date()), "results": results]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct Measurement { var trainRate, msPerStep, generateRate: Double; var steps: Int }

    func measure(_ preset: DRAWPreset) throws -> Measurement {
        let c = preset.config, B = preset.batchSize
        let model = try DRAWModel(config: c, seed: runtime.seed)
        model.precision = runtime.precision
        // Random data in [0, 1]; binary for bce, as the peers feed.
        var random = KernelRandom(seed: runtime.seed)
        var batch = [Float](repeating: 0, count: B * c.pixels)
        try batch.withUnsafeMutableBufferPointer { try random.fillUniform(ShapedBuffer($0, shape: Shape($0.count))) }
        if c.loss == .bce { for i in batch.indices { batch[i] = batch[i] < 0.5 ? 0 : 1 } }
        var times: [Double] = []
        try batch.withUnsafeBufferPointer { images in
            for _ in 0..<3 { try model.trainStep(images: images) }
            let start = Date()
            while times.count < minSteps || Date().timeIntervalSince(start) < seconds {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try model.trainStep(images: images)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
                if times.count >= 2000 { break }
            }
        }
        let median = times.sorted()[times.count / 2]
        // Generation: same model, batches of generateBatch (final images only, noise drawn each call), median time.
        var gen: [Double] = []
        var images = [Float](repeating: 0, count: generateBatch * c.pixels)
        try images.withUnsafeMutableBufferPointer { out in
            try model.generate(into: out)
            let gStart = Date()
            while gen.count < minSteps || Date().timeIntervalSince(gStart) < min(seconds, 2) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try model.generate(into: out)
                gen.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
                if gen.count >= 5000 { break }
            }
        }
        let gMedian = gen.sorted()[gen.count / 2]
        return Measurement(trainRate: Double(B) / median, msPerStep: median * 1e3,
                           generateRate: Double(generateBatch) / gMedian, steps: times.count)
    }
}

// ConvBenchmarks.swift: the vaegan discriminator's convolutions at 32x32 (B 32) and whole training steps of l2, features (random net, Watson-DFT) and vaegan at 32x32 and 64x64.
import Benchmark
import CKernels
import DRAW
import Foundation

/// The discriminator's three 4x4 stride-2 layers (pad 1) on a batch of 32 32x32 colour images:
/// 3→32 at 32x32, 32→64 at 16x16, 64→128 at 8x8. FLOPs: 2·B·O·Ho·Wo·C·k² forward, twice that backward (dW, dx).
func registerConvRows() {
    let B = 32
    for (C, H, O) in [(3, 32, 32), (32, 16, 64), (64, 8, 128)] {
        let k = 4, Ho = H / 2, K = C * k * k, N = B * Ho * Ho
        let x = (0..<(B * C * H * H)).map { Float(($0 * 7919) % 1000) / 1000 }
        let w = (0..<(O * K)).map { Float(($0 * 104_729) % 997) / 997 - 0.5 }
        let bias = [Float](repeating: 0.1, count: O)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: B * O * Ho * Ho)
        let col = UnsafeMutablePointer<Float>.allocate(capacity: K * N)
        let work = UnsafeMutablePointer<Float>.allocate(capacity: O * N)
        let dcol = UnsafeMutablePointer<Float>.allocate(capacity: K * N)
        let dx = UnsafeMutablePointer<Float>.allocate(capacity: B * C * H * H)
        let dw = UnsafeMutablePointer<Float>.allocate(capacity: O * K), db = UnsafeMutablePointer<Float>.allocate(capacity: O)
        ck_conv2d_forward(y, col, work, x, w, bias, Int32(B), Int32(C), Int32(H), Int32(H), Int32(O), 4, 2, 1)
        let flops = 2 * Double(B * O * Ho * Ho * K)
        let shape = "\(C)x\(H)x\(H) -> \(O)x\(Ho)x\(Ho), B \(B)"
        nonisolated(unsafe) let p = (y, col, work, dcol, dx, dw, db)
        kernel("conv2d 4x4/2 forward (\(shape))", .flops(flops)) {
            ck_conv2d_forward(p.0, p.1, p.2, x, w, bias, Int32(B), Int32(C), Int32(H), Int32(H), Int32(O), 4, 2, 1)
        }
        kernel("conv2d 4x4/2 backward (\(shape))", .flops(2 * flops)) {
            ck_conv2d_backward(p.4, p.5, p.6, p.2, p.3, p.0, p.1, w, Int32(B), Int32(C), Int32(H), Int32(H),
                               Int32(O), 4, 2, 1)
        }
    }
}

/// One whole training step (forward, backward, Adam; for vaegan also the discriminator) of a colour DRAW
/// (E = D = 128, T = 10, N 5/5, Z 10, batch 32) at 32x32 and at 64x64, in images/s: the issue asks the vaegan step
/// be at most a few times slower than l2's at the same size. vaegan runs without the GAN warm-up and with both gates
/// held open (`--gan-warmup 0 --margin 1e6`), so the row times the whole step, the discriminator's update and the
/// decoder's GAN term every time (a training run's steps are cheaper whenever a gate closes). At 64x64 also
/// l2 and vaegan with --precision bf16.
func registerStepRows() {
    for size in [32, 64] { registerStepRows(size: size) }
}

private func registerStepRows(size: Int) {
    let config = DRAWConfig(channels: 3, height: size, width: size, steps: 10, readN: 5, writeN: 5, encSize: 128,
                            decSize: 128, zSize: 10, loss: .l2)
    let B = 32
    let images = (0..<(B * config.pixels)).map { Float(($0 * 7919) % 1000) / 1000 }
    func row(_ name: String, precision: Precision = .float32,
             _ step: @escaping (DRAWModel, UnsafeBufferPointer<Float>) throws -> Void) {
        Benchmark("step \(name) (\(size)x\(size) colour, E=D=128, T 10, B 32)",
                  configuration: .init(metrics: [.wallClock, .custom("images/s", polarity: .prefersLarger)],
                                       maxDuration: .seconds(3), maxIterations: 1000)) { benchmark in
            let model = try DRAWModel(config: config, seed: 1)
            model.precision = precision
            let start = DispatchTime.now().uptimeNanoseconds
            var calls = 0
            try images.withUnsafeBufferPointer { x in
                for _ in benchmark.scaledIterations { try step(model, x); calls += 1 }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            benchmark.measurement(.custom("images/s", polarity: .prefersLarger), Int((Double(B * calls) / seconds).rounded()))
        }
    }
    let l2: (DRAWModel, UnsafeBufferPointer<Float>) throws -> Void = { model, x in
        try model.computeGradients(images: x, mode: .sampled); try model.applyAdam()
    }
    row("l2", l2)
    if size == 64 { row("l2 --precision bf16", precision: .bf16, l2) }
    if size == 32 {
        nonisolated(unsafe) var features: FeatureLoss?
        row("features") { model, x in
            if features == nil { features = try FeatureLoss(channels: 3, height: 32, width: 32) }
            try model.computeGradients(images: x, mode: .sampled, reconstruction: features!.term)
            try model.applyAdam()
        }
        // --feature-net watson-dft at its measured weight (README "Sharp colour", fourth round).
        let watson = WatsonLoss(channels: 3, height: 32, width: 32, weight: 0.3)
        row("features watson-dft") { model, x in
            try model.computeGradients(images: x, mode: .sampled, reconstruction: watson.term)
            try model.applyAdam()
        }
    }
    // The default discriminator for the size (16 wide at 32x32, 32 at 64x64), and the other width.
    let other = VAEGANSettings.defaultDiscriminatorWidth(height: size, width: size) == 16 ? 32 : 16
    // At 64x64 also the default width with --precision bf16 (DRAW's products and the discriminator's convolutions).
    for (width, precision) in [(nil, .float32), (other, .float32)] + (size == 64 ? [(nil, .bf16)] : []) as [(Int?, Precision)] {
        nonisolated(unsafe) var vaegan: VAEGANTrainer?
        var settings = VAEGANSettings()
        settings.discriminatorWidth = width
        settings.ganWarmup = 0
        settings.margin = 1e6   // both gates always open: every step updates the discriminator and runs the GAN term
        let name = "vaegan" + (width.map { " --discriminator-width \($0)" } ?? "") + (precision == .bf16 ? " --precision bf16" : "")
        row(name, precision: precision) { model, x in
            if vaegan?.model !== model { vaegan = try VAEGANTrainer(model: model, settings: settings, seed: 2) }
            _ = try vaegan!.step(images: x)
        }
    }
}

// ReadmeExampleTests.swift: the Swift example in README.md, compiled and run, so the README cannot rot.
import DRAW
import Foundation
import Testing

@Suite struct ReadmeExampleTests {
    @Test func theReadmeExampleRuns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // --- README example begins
        let config = DRAWConfig(channels: 3, height: 32, width: 32, steps: 8, readN: 4, writeN: 4,
                                encSize: 128, decSize: 128, zSize: 10, attention: true, loss: .l2)
        let model = try DRAWModel(config: config, seed: 42)
        let batch = [Float](repeating: 0.5, count: 16 * config.pixels)   // 16 images, planar [B, C, H, W] in [0, 1]
        for _ in 0..<5 {
            let losses = try model.trainStep(batch: batch)                 // forward, BPTT, Adam
            print("loss \(losses.mean) = recon \(losses.meanRecon) + KL \(losses.meanKL)")
        }
        let rec = try model.reconstruct(batch: batch)                      // canvases and windows per step
        let drawing = try model.sample(count: 8)                           // 8 images from the prior, step by step
        try model.save(to: path)                                           // safetensors, PyTorch names
        let again = try DRAWModel(contentsOf: path)                        // resumes exactly where it was
        // --- README example ends
        #expect(rec.canvases.count == config.steps * 16 * config.pixels)
        #expect(drawing.images.count == 8 * config.pixels)
        #expect(again.step == 5)
    }
}

// TrainingTensorBoardTests.swift: `draw train` writes TensorBoard events (scalars each log step, pictures each checkpoint) that TensorBoard reads.
import DRAW
import DRAWTensorBoard
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct TrainingTensorBoardTests {
    @Test func trainingWritesEventsTensorBoardReads() throws {
        let out = try scratchFolder("tb")
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--eval-every", "3", "--checkpoint-every", "3",
                                              "--out", out.path])
        let dir = out.appendingPathComponent("tensorboard")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("events.out.tfevents.") }
        try #require(files.count == 1, "\(files)")
        let events = try EventFileReader.read(dir.appendingPathComponent(files[0]).path)
        let losses = events.compactMap { e in e.scalars["train/loss"].map { (e.step, $0) } }
        let log = try String(contentsOf: out.appendingPathComponent("train-log.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { TrainingLog.parse($0) }
        #expect(losses.map(\.0) == log.map { Int($0.step) }, "one train/loss per logged step")
        for (a, b) in zip(losses.map(\.1), log.map(\.total)) { #expect(abs(Double(a) - b) <= 1e-5 * abs(b)) }
        let validation = events.compactMap { e in e.scalars["validation/neg_elbo"].map { _ in e.step } }
        #expect(validation == [3, 6])
        for tag in ["train/recon", "train/kl", "train/learning_rate", "train/kl_weight", "train/images_per_s",
                    "train/gradient_norm", "validation/neg_elbo_z_mean", "validation/objective"] {
            #expect(events.contains { $0.scalars[tag] != nil }, "no \(tag)")
        }
        let pictures = events.flatMap { e in e.images.map { ($0.tag, e.step) } }
        #expect(pictures.map(\.0) == ["samples", "reconstructions", "samples", "reconstructions"])
        #expect(pictures.map(\.1) == [3, 3, 6, 6])

        // TensorBoard's own reader, where it is installed (bootstrap.sh installs it).
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/read-tensorboard.py").path
        guard try shell("python3 -c 'import tensorboard'").status == 0 else {
            print("skipped TensorBoard's reader: python3 cannot import tensorboard")
            return
        }
        let read = try shell("python3 '\(script)' '\(dir.path)' 2>/dev/null")
        #expect(read.status == 0, "\(read.output)")
        #expect(read.output.contains("validation/neg_elbo") && read.output.contains("reconstructions"), "\(read.output)")
    }

    /// A vaegan run also logs its discriminator: the BCE on real images and on reconstructions (positive, finite)
    /// and the fractions of steps whose gates let it train and let the decoder's GAN term run (in [0, 1]), at
    /// every logged step; an l2 run logs none of them.
    @Test func vaeganLogsItsDiscriminator() throws {
        let out = try scratchFolder("tb-vaegan")
        try runDraw(["train"] + tinyModel + ["--iterations", "4", "--loss", "vaegan", "--gan-warmup", "0",
                                              "--checkpoint-every", "0", "--eval-every", "0", "--out", out.path])
        let dir = out.appendingPathComponent("tensorboard")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasPrefix("events.out.tfevents.") })
        let events = try EventFileReader.read(dir.appendingPathComponent(file).path)
        let logged = events.compactMap { e in e.scalars["train/loss"].map { _ in e.step } }
        #expect(!logged.isEmpty)
        for tag in ["vaegan/real_bce", "vaegan/fake_bce"] {
            let values = events.compactMap { $0.scalars[tag] }
            #expect(values.count == logged.count && values.allSatisfy { $0.isFinite && $0 > 0 }, "\(tag): \(values)")
        }
        for tag in ["vaegan/discriminator_trained", "vaegan/decoder_gan"] {
            let values = events.compactMap { $0.scalars[tag] }
            #expect(values.count == logged.count && values.allSatisfy { (0...1).contains($0) }, "\(tag): \(values)")
        }
        let l2 = try scratchFolder("tb-l2")
        try runDraw(["train"] + tinyModel + ["--iterations", "2", "--checkpoint-every", "0", "--out", l2.path])
        let l2Dir = l2.appendingPathComponent("tensorboard")
        let l2File = try #require(try FileManager.default.contentsOfDirectory(atPath: l2Dir.path).first { $0.hasPrefix("events.out.tfevents.") })
        #expect(try EventFileReader.read(l2Dir.appendingPathComponent(l2File).path).allSatisfy { $0.scalars["vaegan/real_bce"] == nil })
    }

    /// The pictures use their own noise: a run with TensorBoard equals one without, bit for bit.
    @Test func tensorBoardDoesNotChangeTheRun() throws {
        let a = try scratchFolder("tb-on"), b = try scratchFolder("tb-off")
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--checkpoint-every", "2", "--out", a.path])
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--checkpoint-every", "2", "--no-tensorboard", "--out", b.path])
        #expect(try parameters(a.appendingPathComponent("model.safetensors")) == parameters(b.appendingPathComponent("model.safetensors")))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("tensorboard").path))
    }
}

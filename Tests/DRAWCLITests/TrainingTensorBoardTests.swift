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

    /// The pictures use their own noise: a run with TensorBoard equals one without, bit for bit.
    @Test func tensorBoardDoesNotChangeTheRun() throws {
        let a = try scratchFolder("tb-on"), b = try scratchFolder("tb-off")
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--checkpoint-every", "2", "--out", a.path])
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--checkpoint-every", "2", "--no-tensorboard", "--out", b.path])
        #expect(try parameters(a.appendingPathComponent("model.safetensors")) == parameters(b.appendingPathComponent("model.safetensors")))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("tensorboard").path))
    }
}

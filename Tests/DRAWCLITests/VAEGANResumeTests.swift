// VAEGANResumeTests.swift: a vaegan run's discriminator is saved with every checkpoint, rotated with it, and restored by --resume bit for bit.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct VAEGANResumeTests {
    static let sharp = ["--loss", "vaegan", "--gan-warmup", "2", "--gan-weight", "0.5", "--edge-weight", "0.25"]
    static let run = tinyModel + sharp

    /// Killed after step 4 and resumed without the loss flags, the run ends with the straight run's DRAW weights and
    /// discriminator: the vaegan options come back from run.json (the defaults, GAN weight 10 and no edge term,
    /// would give other weights after step 2).
    @Test func resumedRunEqualsTheStraightRun() throws {
        PointwiseReference.simdPathLock.lock()
        defer { PointwiseReference.simdPathLock.unlock() }
        let straight = try scratchFolder("vaegan-straight"), split = try scratchFolder("vaegan-split")
        try runDraw(["train"] + Self.run + ["--iterations", "7", "--out", straight.path])
        try runDraw(["train"] + Self.run + ["--iterations", "7", "--checkpoint-every", "4", "--out", split.path])
        let checkpoints = split.appendingPathComponent("checkpoints")
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).sorted()
                    == ["discriminator-00000004.safetensors", "discriminator-00000007.safetensors",
                        "step-00000004.safetensors", "step-00000007.safetensors"])
        // Cut the split run back to step 4, as a kill after step 4 would leave it.
        for name in ["checkpoints/step-00000007.safetensors", "checkpoints/discriminator-00000007.safetensors",
                     "model.safetensors", "discriminator.safetensors"] {
            try FileManager.default.removeItem(at: split.appendingPathComponent(name))
        }
        try runDraw(["train", "--out", split.path, "--resume", "--iterations", "7", "--threads", "1"])
        #expect(try parameters(straight.appendingPathComponent("model.safetensors"))
                    == parameters(split.appendingPathComponent("model.safetensors")))
        #expect(try Data(contentsOf: straight.appendingPathComponent("discriminator.safetensors"))
                    == Data(contentsOf: split.appendingPathComponent("discriminator.safetensors")))
    }

    /// run.json records every vaegan option; a contradicting one on --resume is refused naming the flag and both
    /// values, a repeated one is accepted.
    @Test func optionsAreSavedAndContradictionsRefused() throws {
        let out = try scratchFolder("vaegan-settings")
        try runDraw(["train"] + Self.run + ["--iterations", "2", "--out", out.path])
        let saved = try #require(try RunSettings.load(from: out))
        var expected = VAEGANSettings()
        expected.ganWarmup = 2; expected.ganWeight = 0.5; expected.edgeWeight = 0.25
        expected.discriminatorWidth = 16  // resolved for 16×16 images and recorded
        #expect(saved.loss == "vaegan")
        #expect(saved.lossSettings == expected)
        #expect {
            try runDraw(["train", "--out", out.path, "--resume", "--iterations", "3", "--gan-weight", "30", "--margin", "0.2"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("--gan-weight 30.0 (the saved run has 0.5)") && text.contains("--margin 0.2 (the saved run has 0.35)")
        }
        try runDraw(["train", "--out", out.path, "--resume", "--iterations", "3"] + Self.run)
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == 3)
    }

    /// The default width follows the image (16 up to 32×32, 32 above); a run.json without `loss_settings` (versions
    /// before they were recorded, whose discriminator was 32 wide) resumes with 32, so its discriminator loads.
    @Test func discriminatorWidthFollowsTheImageAndOldRunsKeepTheirs() throws {
        #expect(VAEGANSettings.defaultDiscriminatorWidth(height: 32, width: 32) == 16)
        #expect(VAEGANSettings.defaultDiscriminatorWidth(height: 64, width: 64) == 32)
        #expect(VAEGANSettings.defaultDiscriminatorWidth(height: 64, width: 28) == 16)
        let big = try DRAWModel(config: DRAWConfig(channels: 3, height: 64, width: 64, steps: 2, readN: 2, writeN: 2,
                                                   encSize: 8, decSize: 8, zSize: 2, loss: .l2), seed: 1)
        #expect(try VAEGANTrainer(model: big, seed: 1).discriminator.layers.first?.channels == 32)
        let out = try scratchFolder("vaegan-unrecorded")
        try runDraw(["train"] + Self.run + ["--discriminator-width", "32", "--iterations", "2", "--out", out.path])
        let runJSON = out.appendingPathComponent("run.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: runJSON)) as? [String: Any])
        #expect(json.removeValue(forKey: "loss_settings") != nil)
        try JSONSerialization.data(withJSONObject: json).write(to: runJSON)
        try runDraw(["train", "--out", out.path, "--resume", "--iterations", "3"])
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == 3)
    }

    /// The discriminator is rotated with its checkpoint (--keep), and a checkpoint without it is refused on
    /// resume, naming the missing file.
    @Test func discriminatorRotatesAndIsRequiredOnResume() throws {
        let out = try scratchFolder("vaegan-rotate")
        try runDraw(["train"] + Self.run + ["--iterations", "3", "--checkpoint-every", "1", "--keep", "1", "--out", out.path])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path).sorted()
                    == ["discriminator-00000003.safetensors", "step-00000003.safetensors"])
        try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints/discriminator-00000003.safetensors"))
        #expect { try runDraw(["train", "--out", out.path, "--resume"] + Self.run + ["--iterations", "4"]) } throws: {
            "\($0)".contains("discriminator-00000003.safetensors is not beside it")
        }
    }
}

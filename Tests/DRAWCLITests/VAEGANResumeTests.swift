// VAEGANResumeTests.swift: a vaegan run's discriminator is saved with every checkpoint, rotated with it, and restored by --resume bit for bit.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct VAEGANResumeTests {
    static let run = tinyModel + ["--loss", "vaegan", "--gan-warmup", "2", "--gan-weight", "0.5"]

    /// Killed after step 4 and resumed, the run ends with the straight run's DRAW weights and discriminator.
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
        try runDraw(["train", "--out", split.path, "--resume"] + Self.run + ["--iterations", "7"])
        #expect(try parameters(straight.appendingPathComponent("model.safetensors"))
                    == parameters(split.appendingPathComponent("model.safetensors")))
        #expect(try Data(contentsOf: straight.appendingPathComponent("discriminator.safetensors"))
                    == Data(contentsOf: split.appendingPathComponent("discriminator.safetensors")))
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

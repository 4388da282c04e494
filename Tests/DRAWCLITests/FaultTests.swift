// FaultTests.swift: kill -9 while checkpointing, Ctrl-C, a NaN loss and a full disk lose nothing.
import DRAW
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct FaultTests {
    /// A model large enough that a checkpoint takes a while to write (so kills land mid-write), small enough to be quick.
    static let writeHeavy = ["--data", "faces", "--limit", "64", "--height", "16", "--width", "16", "--steps", "2",
                             "--read-n", "2", "--write-n", "2", "--enc-size", "128", "--dec-size", "128",
                             "--z-size", "4", "--batch-size", "4", "--threads", "1", "--checkpoint-every", "1",
                             "--keep", "2"]

    @Test func killNineNeverLeavesAnUnreadableNewestCheckpoint() throws {
        let draw = try drawExecutable()
        let out = try scratchFolder("kill9")
        var killedAt: [Int64] = []
        for round in 0..<5 {
            let child = try Child(draw, ["train"] + Self.writeHeavy + ["--iterations", "100000", "--out", out.path]
                                  + (round > 0 ? ["--resume"] : []))
            // Let it get going, then kill it at an arbitrary point of a step or of a checkpoint write.
            usleep(useconds_t(400_000 + 137_000 * round))
            kill(child.process.processIdentifier, SIGKILL)
            let (status, output) = child.wait()
            #expect(status == 128 + SIGKILL, "\(output)")
            let (model, url) = try CheckpointStore.loadNewest(from: out.path, log: { _ in })
            #expect(url.lastPathComponent.hasPrefix("step-"), "the newest step checkpoint loads: \(url.path)")
            killedAt.append(model.step)
        }
        #expect(killedAt.last! > killedAt.first!, "each resumed run made progress: \(killedAt)")
        // Resuming after the last kill continues from the newest checkpoint.
        let end = killedAt.last! + 2
        let resumed = try Child(draw, ["train"] + Self.writeHeavy + ["--iterations", "\(end)", "--out", out.path, "--resume"]).wait()
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("resuming from"))
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == end)
    }

    @Test func ctrlCSavesThenStops() throws {
        let out = try scratchFolder("sigint")
        let child = try Child(try drawExecutable(), ["train"] + Self.writeHeavy + ["--iterations", "100000",
                              "--checkpoint-every", "0", "--out", out.path])
        usleep(1_500_000)
        kill(child.process.processIdentifier, SIGINT)
        let (status, output) = child.wait()
        #expect(status == 130, "\(output)")
        #expect(output.contains("interrupted at step"))
        let (model, _) = try CheckpointStore.loadNewest(from: out.path, log: { _ in })
        #expect(model.step > 0, "the checkpoint written on Ctrl-C holds the steps done")
    }

    @Test func nanLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let out = try scratchFolder("nan")
        // A learning rate of 1e30 sends the parameters to ±1e30 on the first step, so step 2 overflows.
        #expect {
            try runDraw(["train"] + tinyModel + ["--iterations", "50", "--learning-rate", "1e30", "--clip", "0",
                                                  "--checkpoint-every", "1", "--out", out.path])
        } throws: { error in
            let text = "\(error)"
            return text.contains("training stopped at step") && text.contains("last good checkpoint")
        }
        let (_, url) = try CheckpointStore.loadNewest(from: out.path, log: { _ in })
        #expect(try parameters(url).allSatisfy { $0.isFinite }, "the kept checkpoint \(url.path) is finite")
    }

    @Test func fullDiskIsAClearErrorAndThePreviousCheckpointSurvives() throws {
        let draw = try drawExecutable().path
        let out = try scratchFolder("full")
        let base = (["train"] + Self.writeHeavy + ["--out", out.path]).map { "'\($0)'" }.joined(separator: " ")
        #expect(try shell("'\(draw)' \(base) --iterations 2").status == 0)
        let before = try Data(contentsOf: out.appendingPathComponent("checkpoints/step-00000002.safetensors"))
        // Files may grow to 64 KiB at most (a checkpoint is ~1 MB): writes fail with EFBIG like a full disk.
        // SIGXFSZ is ignored so write() returns the error instead of killing the process.
        let run = try shell("trap '' XFSZ; ulimit -f 128; exec '\(draw)' \(base) --iterations 4 --resume")
        #expect(run.status != 0)
        #expect(run.output.contains("step-00000003.safetensors"), "the error names the file: \(run.output)")
        let after = try Data(contentsOf: out.appendingPathComponent("checkpoints/step-00000002.safetensors"))
        #expect(after == before, "the previous checkpoint is untouched")
        _ = try DRAWModel(contentsOf: out.appendingPathComponent("checkpoints/step-00000002.safetensors").path)
        let strays = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path)
            .filter { $0.contains(".tmp") }
        #expect(strays.isEmpty, "no temporary file is left behind: \(strays)")
    }
}

// FaultTests.swift: kill -9 while checkpointing, Ctrl-C, a NaN loss and a full disk lose nothing.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct FaultTests {
    /// A model large enough that a checkpoint takes a while to write (so kills land mid-write), small enough to be quick.
    static let writeHeavy = ["--data", "faces", "--limit", "64", "--height", "16", "--width", "16", "--steps", "2",
                             "--read-n", "2", "--write-n", "2", "--enc-size", "128", "--dec-size", "128",
                             "--z-size", "4", "--batch-size", "4", "--threads", "1", "--checkpoint-every", "1",
                             "--keep", "2"]

    /// Waits (up to a minute) until `condition` holds, checking every 20 ms: tests wait on what the child did, not on time.
    static func wait(for what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            guard Date() < deadline else { throw CLIError("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    /// The newest step checkpoint's step in `out` (0 if none).
    static func newestStep(_ out: URL) -> Int64 {
        CheckpointStore.list(in: out.appendingPathComponent("checkpoints")).first
            .flatMap { CheckpointStore.step(of: $0.lastPathComponent) } ?? 0
    }

    @Test func killNineNeverLeavesAnUnreadableNewestCheckpoint() throws {
        let draw = try drawExecutable()
        let out = try scratchFolder("kill9")
        var killedAt: [Int64] = []
        for round in 0..<5 {
            let before = Self.newestStep(out)
            let child = try Child(draw, ["train"] + Self.writeHeavy + ["--iterations", "100000", "--out", out.path]
                                  + (round > 0 ? ["--resume"] : []))
            // Once this round has written a checkpoint of its own, kill it wherever it is: a checkpoint is written
            // every step, so the kill lands in a step or in a write.
            try Self.wait(for: "round \(round)'s first checkpoint") { Self.newestStep(out) > before }
            kill(child.process.processIdentifier, SIGKILL)
            let (status, output) = child.wait()
            #expect(status == 128 + SIGKILL, "\(output)")
            let (model, url) = try CheckpointStore.loadNewest(from: out.path, resumable: true, log: { _ in })
            #expect(url.lastPathComponent.hasPrefix("step-"), "the newest step checkpoint loads: \(url.path)")
            killedAt.append(model.step)
        }
        #expect(killedAt.last! > killedAt.first!, "each resumed run made progress: \(killedAt)")
        // Resuming after the last kill continues from the newest checkpoint, and clears what the kills left half-written.
        let end = killedAt.last! + 2
        let resumed = try Child(draw, ["train", "--out", out.path, "--resume", "--iterations", "\(end)"]).wait()
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("resuming from"))
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == end)
        for dir in [out, out.appendingPathComponent("checkpoints")] {
            let litter = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter(RunFolder.isTemporary)
            #expect(litter.isEmpty, "no temporary files after the kills: \(litter)")
        }
    }

    /// SIGINT, SIGTERM and SIGHUP each save a checkpoint and the weights, then exit 128 + the signal.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalSavesThenStops(_ sig: Int32) throws {
        let out = try scratchFolder("signal\(sig)")
        let child = try Child(try drawExecutable(), ["train"] + Self.writeHeavy + ["--iterations", "100000",
                              "--checkpoint-every", "0", "--out", out.path])
        let log = out.appendingPathComponent("train-log.csv")
        try Self.wait(for: "the first logged steps") {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count >= 2
        }
        kill(child.process.processIdentifier, sig)
        let (status, output) = child.wait()
        #expect(status == 128 + sig, "\(output)")
        #expect(output.contains("interrupted by") && output.contains("at step"), "\(output)")
        let (model, _) = try CheckpointStore.loadNewest(from: out.path, resumable: true, log: { _ in })
        #expect(model.step >= 50, "the checkpoint written on the signal holds the steps done")
        let weights = try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path)
        #expect(weights.step == model.step, "model.safetensors is written on a signal too, before any checkpoint was due")
    }

    /// `draw train 2>&1 | head -1`: the reader of standard output and error goes away while the run writes its
    /// progress; the run goes on to the end and saves, exit 0, instead of dying of SIGPIPE with nothing saved.
    @Test func closedOutputPipeLosesNothing() throws {
        let out = try scratchFolder("pipe")
        let process = Process(), pipe = Pipe()
        process.executableURL = try drawExecutable()
        process.arguments = ["train"] + tinyModel + ["--iterations", "200", "--eval-every", "0", "--out", out.path]
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read the first line, then close the only read end: every later write of the child meets a closed pipe.
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")), let byte = try pipe.fileHandleForReading.read(upToCount: 1),
              !byte.isEmpty {
            first.append(byte)
        }
        try pipe.fileHandleForReading.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                "status \(process.terminationStatus), \(process.terminationReason == .uncaughtSignal ? "signal" : "exit")")
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == 200)
    }

    /// A learning rate of 1e30 sends the weights to ±1e30 at the first step: finite, but the next loss is NaN.
    /// No checkpoint of such weights is written (not even with --keep 1, which would rotate the last good one out),
    /// and the message says nothing from the step was saved.
    @Test func divergingRunSavesNothingPoisoned() throws {
        let out = try scratchFolder("nan")
        #expect {
            try runDraw(["train"] + tinyModel + ["--iterations", "50", "--learning-rate", "1e30", "--clip", "0",
                                                  "--checkpoint-every", "1", "--keep", "1", "--out", out.path])
        } throws: { error in
            let text = "\(error)"
            return text.contains("training stopped at step") && text.contains("nothing from this step was saved")
        }
        for url in CheckpointStore.list(in: out.appendingPathComponent("checkpoints")) {
            let m = try DRAWModel(contentsOf: url.path)
            #expect(m.firstNonFiniteTensor() == nil)
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
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

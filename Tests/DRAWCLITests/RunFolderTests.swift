// RunFolderTests.swift: a run folder owns its data: no fresh run over an old one, one writer, numeric checkpoint order, no litter.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct RunFolderTests {
    /// A fresh `draw train` into a folder holding a run is refused with the way out; --overwrite replaces the run.
    @Test func freshRunRefusesAFolderThatHoldsARun() throws {
        let out = try scratchFolder("owned")
        try runDraw(["train"] + tinyModel + ["--iterations", "4", "--checkpoint-every", "2", "--out", out.path])
        let before = try Data(contentsOf: out.appendingPathComponent("checkpoints/step-00000004.safetensors"))
        #expect {
            try runDraw(["train"] + tinyModel + ["--iterations", "2", "--out", out.path])
        } throws: { "\($0)".contains("already holds a run") && "\($0)".contains("--resume") && "\($0)".contains("--overwrite") }
        #expect(try Data(contentsOf: out.appendingPathComponent("checkpoints/step-00000004.safetensors")) == before,
                "the refused run touched nothing")
        try runDraw(["train"] + tinyModel + ["--iterations", "3", "--checkpoint-every", "0", "--out", out.path, "--overwrite"])
        let kept = CheckpointStore.list(in: out.appendingPathComponent("checkpoints")).map(\.lastPathComponent)
        #expect(kept == ["step-00000003.safetensors"], "the old run's checkpoints are gone, the new one is there: \(kept)")
    }

    /// While one process holds the folder, a second `draw train` is refused and names the holder's PID.
    @Test func secondWriterIsRefusedWithThePID() throws {
        let out = try scratchFolder("locked")
        let held = try RunFolder(out, fresh: true, overwrite: false)
        let second = try Child(try drawExecutable(), ["train"] + tinyModel + ["--iterations", "2", "--out", out.path]).wait()
        #expect(second.status == 1, "\(second.output)")
        #expect(second.output.contains("PID \(getpid())"), "\(second.output)")
        withExtendedLifetime(held) {}
    }

    /// Checkpoints sort by the step in the name: step 100 000 000 is newer than 99 999 999 (string order said no).
    @Test func checkpointOrderIsNumeric() throws {
        let dir = try scratchFolder("order")
        for name in ["step-99999999.safetensors", "step-100000000.safetensors", "step-00000007.safetensors",
                     "step-x.safetensors", "notes.txt"] {
            try Data().write(to: dir.appendingPathComponent(name))
        }
        #expect(CheckpointStore.list(in: dir).map(\.lastPathComponent)
                == ["step-100000000.safetensors", "step-99999999.safetensors", "step-00000007.safetensors"])
        #expect(try CheckpointStore(directory: dir, keep: 1).url(step: 123_456_789_012).lastPathComponent
                == "step-123456789012.safetensors")
    }

    /// Temporaries a killed writer left (ours and Foundation's) are removed when the folder is next taken.
    @Test func strayTemporariesAreRemovedAtTheStart() throws {
        let out = try scratchFolder("litter")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let strays = ["checkpoints/step-00000005.safetensors.tmp-99999", ".dat.nosync1234.ab12", "train-log.csv.tmp-4242"]
        for s in strays { try Data([1, 2, 3]).write(to: out.appendingPathComponent(s)) }
        try runDraw(["train"] + tinyModel + ["--iterations", "2", "--out", out.path])
        for s in strays { #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(s).path), "\(s) is left") }
    }

    /// A loss plot that cannot be written is a warning; the run still finishes with its checkpoint and model.
    @Test func plotWriteFailureIsAWarning() throws {
        let out = try scratchFolder("noplot")
        // A folder where loss.svg should go: renaming the temporary over it fails.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("loss.svg/blocker"), withIntermediateDirectories: true)
        let run = try Child(try drawExecutable(), ["train"] + tinyModel + ["--iterations", "4", "--checkpoint-every", "2",
                                                                         "--out", out.path]).wait()
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("warning: cannot write the loss plot"), "\(run.output)")
        _ = try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path)
    }
}

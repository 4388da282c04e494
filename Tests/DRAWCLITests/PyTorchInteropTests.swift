// PyTorchInteropTests.swift: model.safetensors, best.safetensors and `draw export` files load as PyTorch state_dicts (strict).
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct PyTorchInteropTests {
    /// scripts/torch_load.py: with torch, `load_state_dict(strict=True)` into nn.LSTMCell / nn.Linear modules; without
    /// it, exactly those names and shapes in float32, read by the `safetensors` package (bootstrap.sh installs it).
    @Test func weightsFilesLoadStrictlyInPyTorch() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/torch_load.py").path
        let ready = try shell("python3 -c 'import safetensors'")
        try #require(ready.status == 0, "the safetensors Python package is missing: bash scripts/bootstrap.sh installs it")
        let out = try scratchFolder("torch")
        try runDraw(["train"] + tinyModel + ["--iterations", "4", "--eval-every", "2", "--out", out.path])
        let exported = out.appendingPathComponent("exported.safetensors").path
        try runDraw(["export", out.appendingPathComponent("checkpoints").path, exported])
        for file in ["model.safetensors", "best.safetensors", "exported.safetensors"] {
            let run = try shell("python3 '\(script)' '\(out.appendingPathComponent(file).path)'")
            #expect(run.status == 0 && run.output.contains("ok ("), "\(file): \(run.output)")
        }
        // A step checkpoint keeps Adam's state, so it is not a strict state_dict: the check can fail.
        let checkpoint = CheckpointStore.list(in: out.appendingPathComponent("checkpoints")).first!.path
        let refused = try shell("python3 '\(script)' '\(checkpoint)'")
        #expect(refused.status != 0 && refused.output.contains("adam.m."), "\(refused.output)")
    }

    /// --init-from starts a new run from a trained model's weights with fresh Adam state at step 0.
    @Test func initFromFineTunesFromTheWeights() throws {
        let first = try scratchFolder("init-a"), second = try scratchFolder("init-b")
        try runDraw(["train"] + tinyModel + ["--iterations", "3", "--out", first.path])
        try runDraw(["train", "--data", "faces:40", "--batch-size", "4", "--iterations", "2", "--threads", "1",
                     "--init-from", first.appendingPathComponent("model.safetensors").path, "--out", second.path])
        let a = try DRAWModel(contentsOf: first.appendingPathComponent("model.safetensors").path)
        let b = try DRAWModel(contentsOf: second.appendingPathComponent("checkpoints/step-00000002.safetensors").path)
        #expect(b.config == a.config, "the model options come from the weights")
        #expect(b.step == 2, "the fine-tuning run counts its own steps")
    }
}

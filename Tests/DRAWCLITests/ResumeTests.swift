// ResumeTests.swift: --resume continues the saved run (run.json) exactly; schedules, validation and best.safetensors.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct ResumeTests {
    /// A run whose every setting differs from the defaults, with schedules that move every step.
    static let run = tinyModel + ["--lr-schedule", "cosine", "--lr-warmup", "2", "--kl-warmup", "5", "--beta1", "0.8",
                                  "--free-bits", "0.05", "--eval-every", "3", "--eval-images", "5"]

    func log(_ folder: URL) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("train-log.csv"), encoding: .utf8).split(separator: "\n")
            .map { line in
                // Everything but images/s (column 5), which is a measurement.
                var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if f.count > 5 { f.remove(at: 5) }
                return f.joined(separator: ",")
            }
    }

    /// `draw train --out X --resume` with no other flags continues the saved run: same data, batch, seed and
    /// schedule, so parameters and log equal the straight run's bit for bit (with the schedules mid-warm-up).
    @Test func resumeWithNoFlagsEqualsTheStraightRun() throws {
        PointwiseReference.simdPathLock.lock()
        defer { PointwiseReference.simdPathLock.unlock() }
        let straight = try scratchFolder("straight"), split = try scratchFolder("split")
        try runDraw(["train"] + Self.run + ["--iterations", "9", "--out", straight.path])
        try runDraw(["train"] + Self.run + ["--iterations", "9", "--checkpoint-every", "4", "--out", split.path])
        // Cut the split run back to its step-4 checkpoint, as a kill after step 4 would leave it.
        for name in ["step-00000008.safetensors", "step-00000009.safetensors"] {
            try FileManager.default.removeItem(at: split.appendingPathComponent("checkpoints/" + name))
        }
        try FileManager.default.removeItem(at: split.appendingPathComponent("model.safetensors"))
        try runDraw(["train", "--out", split.path, "--resume", "--threads", "1"])
        #expect(try parameters(straight.appendingPathComponent("model.safetensors"))
                    == parameters(split.appendingPathComponent("model.safetensors")))
        #expect(try log(straight) == log(split), "the logs agree step for step, schedule and validation columns too")
        #expect(try Data(contentsOf: straight.appendingPathComponent("best.safetensors"))
                    == Data(contentsOf: split.appendingPathComponent("best.safetensors")))
    }

    /// A flag that contradicts the saved run is refused, naming the flag and both values; --iterations may extend it.
    @Test func contradictingFlagIsRefused() throws {
        let out = try scratchFolder("contradict")
        try runDraw(["train"] + tinyModel + ["--iterations", "2", "--out", out.path])
        #expect {
            try runDraw(["train", "--out", out.path, "--resume", "--batch-size", "4", "--data", "faces:50", "--free-bits", "0.5"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("--batch-size 4 (the saved run has 8)") && text.contains("--data faces:50 (the saved run has faces)")
                && text.contains("--free-bits 0.5 (the saved run has none)")
        }
        try runDraw(["train", "--out", out.path, "--resume", "--iterations", "4"] + tinyModel)
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == 4)
    }

    /// The products' precision is part of the run: a bf16 run resumed without flags stays bf16 (bit for bit the
    /// straight bf16 run), and --precision float32 on it is refused.
    @Test func precisionIsSavedWithTheRun() throws {
        let straight = try scratchFolder("bf16-straight"), split = try scratchFolder("bf16-split")
        let run = ["train"] + tinyModel + ["--precision", "bf16", "--eval-every", "0"]
        try runDraw(run + ["--iterations", "4", "--out", straight.path])
        try runDraw(run + ["--iterations", "2", "--out", split.path])
        #expect {
            try runDraw(["train", "--out", split.path, "--resume", "--iterations", "4", "--precision", "float32"])
        } throws: { "\($0)".contains("--precision float32 (the saved run has bf16)") }
        try runDraw(["train", "--out", split.path, "--resume", "--iterations", "4", "--threads", "1"])
        #expect(try parameters(straight.appendingPathComponent("model.safetensors"))
                    == parameters(split.appendingPathComponent("model.safetensors")))
    }

    /// A run folder without run.json (an older draw's) does not say what it trained on: --resume without --data
    /// is refused (the default data would silently train the model on faces), with --data it continues.
    @Test func resumeWithoutRunJSONNeedsTheData() throws {
        let out = try scratchFolder("norunjson")
        try runDraw(["train"] + tinyModel + ["--iterations", "2", "--out", out.path])
        try FileManager.default.removeItem(at: out.appendingPathComponent(RunSettings.fileName))
        #expect {
            try runDraw(["train", "--out", out.path, "--resume", "--iterations", "3"])
        } throws: { error in "\(error)".contains("has no run.json") && "\(error)".contains("give --data") }
        try runDraw(["train", "--out", out.path, "--resume", "--iterations", "3"] + tinyModel)
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).step == 3)
    }

    /// The KL weight of step s is exactly klWeight · s / warm-up until the warm-up ends; the lr warm-up likewise.
    @Test func warmUpsChangeTheWeightsExactlyAsStated() throws {
        let out = try scratchFolder("warmup")
        try runDraw(["train"] + tinyModel + ["--iterations", "8", "--kl-warmup", "4", "--kl-weight", "0.5", "--lr-warmup", "2",
                                              "--out", out.path])
        let rows = try String(contentsOf: out.appendingPathComponent("train-log.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { TrainingLog.parse($0) }
        // The log keeps 6 significant digits of the Float the step used.
        func logged(_ x: Double) -> Double { Double(String(format: "%.6g", Double(Float(x))))! }
        #expect(rows.map(\.klWeight) == [0.125, 0.25, 0.375, 0.5, 0.5, 0.5, 0.5, 0.5].map(logged))
        let lr = Double(Recipe.measured.learningRate)
        #expect(rows.map(\.learningRate) == ([lr / 2] + Array(repeating: lr, count: 7)).map(logged))
    }

    /// The default recipe is `measured` (lr 2e-3, β1 0.9, KL warm-up 300, KL weight 0.01 for l2 and 1 for bce);
    /// `--recipe spec` is SPEC.md's values (KL weight 1 for both).
    @Test func recipesResolveToTheirValues() throws {
        let bce = ["--loss", "bce", "--binarize", "threshold"]
        for (flags, lr, beta1, warmup, klWeight) in [([String](), Float(2e-3), Float(0.9), 300, Float(0.01)), (bce, 2e-3, 0.9, 300, 1),
                                                     (["--recipe", "spec"], 1e-3, 0.5, 0, 1), (["--recipe", "spec"] + bce, 1e-3, 0.5, 0, 1)] {
            let out = try scratchFolder("recipe")
            try runDraw(["train"] + tinyModel + flags + ["--iterations", "1", "--out", out.path])
            let s = try #require(try RunSettings.load(from: out))
            #expect(s.adam.learningRate == lr && s.schedule.learningRate == lr, "\(flags)")
            #expect(s.adam.beta1 == beta1 && s.adam.beta2 == 0.999 && s.adam.clip == 5, "\(flags)")
            #expect(s.schedule.klWarmup == warmup && s.schedule.klWeight == klWeight && s.schedule.decay == .constant, "\(flags)")
        }
    }

    /// best.safetensors holds the parameters of the step with the lowest held-out objective in the log: recon + the
    /// run's KL weight (0.01, l2's default) · KL, which is below the negative ELBO, not the ELBO itself.
    @Test func bestIsTheLowestValidationPoint() throws {
        let out = try scratchFolder("best")
        try runDraw(["train"] + tinyModel + ["--iterations", "12", "--eval-every", "2", "--checkpoint-every", "2",
                                              "--keep", "100", "--learning-rate", "0.01", "--out", out.path])
        let rows = try String(contentsOf: out.appendingPathComponent("train-log.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { TrainingLog.parse($0) }.filter { $0.validation.isFinite }
        #expect(rows.map(\.step) == [2, 4, 6, 8, 10, 12])
        #expect(rows.allSatisfy { $0.validationObjective < $0.validation }, "the objective weighs the KL by 0.01")
        let best = try #require(rows.min { $0.validationObjective < $1.validationObjective })
        let checkpoint = out.appendingPathComponent(String(format: "checkpoints/step-%08lld.safetensors", best.step))
        #expect(try parameters(out.appendingPathComponent("best.safetensors")) == parameters(checkpoint),
                "best.safetensors is step \(best.step)'s model")
        #expect(try DRAWModel(contentsOf: out.appendingPathComponent("best.safetensors").path).hasOptimizerState == false)
    }

    /// --early-stop stops after that many validations without a new best. At KL weight 1 (`--recipe spec`) the
    /// ranked objective is the negative ELBO.
    @Test func earlyStopStopsAfterThePatience() throws {
        let out = try scratchFolder("early")
        // Validating on 5 images after every step, a worse value comes soon.
        try runDraw(["train"] + tinyModel + ["--iterations", "400", "--eval-every", "1", "--early-stop", "2",
                                              "--recipe", "spec", "--out", out.path])
        let rows = try String(contentsOf: out.appendingPathComponent("train-log.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { TrainingLog.parse($0) }
        #expect(rows.count < 400, "stopped early")
        #expect(rows.allSatisfy { abs($0.validationObjective - $0.validation) <= 1e-5 * abs($0.validation) })
        let v = rows.map(\.validationObjective)
        let bestIndex = v.indices.min { v[$0] < v[$1] }!
        #expect(v.count - 1 - bestIndex == 2, "stopped two validations after the best: \(v)")
    }
}

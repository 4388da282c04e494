// EndToEndTests.swift: train → sample → reconstruct → attention → eval on a tiny model, and bit-exact resume via the CLI.
import DRAW
import DRAWData
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct EndToEndTests {
    @Test func trainThenEveryPicture() throws {
        let out = try scratchFolder("e2e")
        try runDraw(["train"] + tinyModel + ["--iterations", "12", "--checkpoint-every", "5", "--keep", "2",
                                              "--out", out.path])
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        for name in ["model.safetensors", "train-log.csv", "loss.svg", "checkpoints"] {
            #expect(files.contains(name), "train wrote no \(name)")
        }
        // Checkpoints at 5, 10 and 12; only the newest 2 kept.
        let kept = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path).sorted()
        #expect(kept == ["step-00000010.safetensors", "step-00000012.safetensors"])
        let log = try String(contentsOf: out.appendingPathComponent("train-log.csv"), encoding: .utf8)
        #expect(log.hasPrefix(TrainingLog.header))
        #expect(log.split(separator: "\n").count == 13, "one row per step for a 12-step run")

        let data = ["--data", "faces", "--limit", "96", "--height", "16", "--width", "16", "--seed", "5"]
        try runDraw(["sample", "--checkpoint", out.path, "--rows", "2", "--cols", "3"])
        try runDraw(["reconstruct", "--checkpoint", out.path, "--count", "4"] + data)
        try runDraw(["attention", "--checkpoint", out.path, "--count", "3"] + data)

        let sheet = try PNGCodec.read(out.appendingPathComponent("samples.png").path)
        #expect(sheet.channels == 3)
        #expect(sheet.width == 3 * 64 + 4 && sheet.height == 2 * 64 + 3, "2 x 3 sheet of 16 px images shown 4x, 1 px padding")
        let drawing = try PNGCodec.read(out.appendingPathComponent("drawing.png").path)
        #expect(drawing.width == 3 * 16 * Pictures.scale(for: try DRAWModel(contentsOf: out.appendingPathComponent("model.safetensors").path).config) + 4,
                "drawing.png has one column per step (T = 3), enlarged")
        _ = try PNGCodec.read(out.appendingPathComponent("reconstructions.png").path)
        for t in 1...3 {
            _ = try PNGCodec.read(out.appendingPathComponent(String(format: "attention/step-%02d.png", t)).path)
        }
        let gif = try Data(contentsOf: out.appendingPathComponent("attention.gif"))
        #expect(gif.prefix(6) == Data("GIF89a".utf8))

        let evalOut = try shell("'\(try drawExecutable().path)' eval --checkpoint '\(out.path)' --json --deterministic "
            + data.joined(separator: " "))
        #expect(evalOut.status == 0, "\(evalOut.output)")
        let jsonLine = try #require(evalOut.output.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
        let total = try #require(object["total"] as? [Double])
        let recon = try #require(object["recon"] as? [Double]), kl = try #require(object["kl"] as? [Double])
        #expect(total.count == 5, "the held-out 5% of 96 images")
        for i in total.indices { #expect(abs(total[i] - recon[i] - kl[i]) <= 1e-3 * abs(total[i])) }
    }

    /// Compares two in-process runs bit for bit, so it holds the process-wide SIMD-path lock (DRAWTestSupport):
    /// a kernel test forcing another path mid-run would change the bits.
    @Test func resumeIsBitExact() throws {
        PointwiseReference.simdPathLock.lock()
        defer { PointwiseReference.simdPathLock.unlock() }
        let straight = try scratchFolder("straight"), split = try scratchFolder("split")
        try runDraw(["train"] + tinyModel + ["--iterations", "8", "--out", straight.path])
        try runDraw(["train"] + tinyModel + ["--iterations", "3", "--out", split.path])
        try runDraw(["train"] + tinyModel + ["--iterations", "8", "--out", split.path, "--resume"])
        let a = try DRAWModel(contentsOf: straight.appendingPathComponent("model.safetensors").path)
        let b = try DRAWModel(contentsOf: split.appendingPathComponent("model.safetensors").path)
        #expect(a.step == 8 && b.step == 8)
        #expect(try parameters(straight.appendingPathComponent("model.safetensors"))
                    == parameters(split.appendingPathComponent("model.safetensors")),
                "parameters after 8 straight steps vs 3 + 5 resumed")
        func losses(_ url: URL) throws -> [Substring] {
            try String(contentsOf: url.appendingPathComponent("train-log.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",")[0...4].joined(separator: ",")[...] }
        }
        #expect(try losses(straight) == losses(split), "the logs agree step for step (images/s aside)")
    }
}

// EvalSeedTests.swift: `eval --seed` sets the sampling noise, and the text says what the number is (bound, z = mu, no nats for l2).
import DRAW
import DRAWData
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct EvalSeedTests {
    /// A folder of 16×16 faces on disk: the same images whatever --seed says (procedural faces follow the seed).
    @Test func theSeedChangesTheNoiseAndOnlyTheNoise() throws {
        let out = try scratchFolder("eval-seed")
        try runDraw(["train"] + tinyModel + ["--iterations", "4", "--out", out.path])
        let images = out.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let faces = try ProceduralFaces.generate(count: 6, height: 16, width: 16, seed: 9)
        for i in 0..<6 { try faces.image(i).writePNG(to: images.appendingPathComponent("\(i).png").path) }
        func total(_ seed: Int, _ extra: [String] = []) throws -> Double {
            let args = ["eval", "--checkpoint", out.path, "--data", images.path, "--split", "all", "--json", "--seed", "\(seed)"] + extra
            let r = try shell(([try drawExecutable().path] + args).map { "'\($0)'" }.joined(separator: " "))
            #expect(r.status == 0, "\(r.output)")
            let line = try #require(r.output.split(separator: "\n").first { $0.hasPrefix("{") })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["images"] as? Int == 6)
            return try #require(object["mean_total"] as? Double)
        }
        let (a, b, again) = (try total(1), try total(2), try total(1))
        #expect(a == again && a != b, "seed 1: \(a), seed 2: \(b), seed 1 again: \(again)")
        #expect(try total(1, ["--deterministic"]) == total(2, ["--deterministic"]), "z = mu uses no noise")
    }

    @Test func theWordsFitTheNumber() {
        let bound = EvalCommand.summaryLine(loss: .bce, deterministic: false, images: 3, 90, recon: 80, kl: 10)
        #expect(bound.contains("upper bound on the NLL") && bound.contains("nats/image"))
        let mu = EvalCommand.summaryLine(loss: .bce, deterministic: true, images: 3, 90, recon: 80, kl: 10)
        #expect(!mu.contains("upper bound") && mu.contains("not a bound") && mu.contains("z = mu"))
        for d in [false, true] {
            let l2 = EvalCommand.summaryLine(loss: .l2, deterministic: d, images: 3, 9, recon: 8, kl: 1)
            #expect(!l2.contains("nats") && !l2.contains("bound") && l2.contains("per image"), "\(l2)")
        }
    }
}

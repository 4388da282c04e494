// CheckpointFiniteTests.swift: nothing non-finite is saved or loaded, hyperparameters in a file are range-checked, weights-only files.
import DRAW
import Foundation
import Testing

@Suite struct CheckpointFiniteTests {
    static let config = DRAWConfig(channels: 1, height: 6, width: 5, steps: 2, readN: 2, writeN: 3, encSize: 4, decSize: 3,
                                   zSize: 2, loss: .bce)

    func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("finite-\(getpid())-\(name).safetensors").path
    }

    /// A trained model saved, then one value of one tensor replaced by NaN in the file's bytes.
    func poisoned(_ name: String, in path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: bytes[8..<(8 + headerLength)]) as! [String: Any]
        let entry = header[name] as! [String: Any]
        let begin = (entry["data_offsets"] as! [Int])[0] + 8 + headerLength
        var nan = Float.nan.bitPattern.littleEndian
        withUnsafeBytes(of: &nan) { bytes.replaceSubrange(begin..<(begin + 4), with: $0) }
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: ["encoder.weight_ih", "adam.m.decoder.bias_hh", "adam.v.write.weight"])
    func loadRefusesNonFiniteTensorsNamingThem(_ tensor: String) throws {
        let model = try DRAWModel(config: Self.config, seed: 3)
        _ = try model.trainStep(batch: [Float](repeating: 1, count: 2 * Self.config.pixels))
        let path = scratch("nan-\(tensor)")
        defer { unlink(path) }
        try model.save(to: path)
        try poisoned(tensor, in: path)
        #expect { try DRAWModel(contentsOf: path) } throws: { "\($0)".contains(path) && "\($0)".contains("\"\(tensor)\"") && "\($0)".contains("NaN") }
    }

    @Test func saveRefusesANonFiniteModelAndWritesNothing() throws {
        let model = try DRAWModel(config: Self.config, seed: 3)
        var w = model.parameter(named: "mu.weight")!
        w[1] = .infinity
        try model.setParameter(named: "mu.weight", to: w)
        let path = scratch("inf")
        #expect { try model.save(to: path) } throws: { "\($0)".contains("mu.weight") }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(model.firstNonFiniteTensor() == "mu.weight")
    }

    /// A step whose update overflows a moment (a huge gradient squared) reports the divergence at once.
    @Test func adamStepThatOverflowsReportsDivergence() throws {
        let model = try DRAWModel(config: Self.config, seed: 3)
        _ = try model.computeGradients(batch: [Float](repeating: 1, count: Self.config.pixels))
        model.adam.clip = 0
        model.withGradientSlab { $0[0] = 3e38 }
        #expect { try model.applyAdam() } throws: { "\($0)".contains("diverged at step 1") }
    }

    /// Hyperparameters in a checkpoint get the flags' range checks.
    @Test(arguments: [("adam_beta1", "1.5"), ("adam_lr", "-0.001"), ("adam_eps", "0"), ("kl_weight", "-2"), ("step", "-4")])
    func checkpointHyperparametersAreRangeChecked(_ key: String, _ value: String) throws {
        let model = try DRAWModel(config: Self.config, seed: 3)
        let path = scratch("meta-\(key)")
        defer { unlink(path) }
        try model.save(to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = try JSONSerialization.jsonObject(with: bytes[8..<(8 + headerLength)]) as! [String: Any]
        var meta = header["__metadata__"] as! [String: String]
        meta[key] = value
        header["__metadata__"] = meta
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var length = UInt64(json.count).littleEndian
        var file = Data()
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(bytes[(8 + headerLength)...])
        bytes = file
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect { try DRAWModel(contentsOf: path) } throws: { "\($0)".contains("\"\(key)\"") }
    }

    /// `trainingState: false` writes the weights and config alone: no adam.* tensors, loads back equal, cannot resume.
    @Test func weightsOnlyFileHasNoOptimizerState() throws {
        let model = try DRAWModel(config: Self.config, seed: 3)
        _ = try model.trainStep(batch: [Float](repeating: 1, count: Self.config.pixels))
        let path = scratch("weights")
        defer { unlink(path) }
        try model.save(to: path, trainingState: false)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).prefix(4096), as: UTF8.self)
        #expect(!text.contains("adam."))
        let back = try DRAWModel(contentsOf: path)
        #expect(!back.hasOptimizerState && back.step == 1)
        #expect(Array(back.parameterSlab) == Array(model.parameterSlab))
        back.resetOptimizer()
        #expect(back.hasOptimizerState && back.step == 0)
    }
}

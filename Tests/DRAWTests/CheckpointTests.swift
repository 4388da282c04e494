// CheckpointTests.swift: safetensors checkpoints round-trip, load the fixtures unchanged, and reject bad files with clear errors.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct CheckpointTests {
    static let config = DRAWConfig(channels: 3, height: 6, width: 5, steps: 2, readN: 2, writeN: 3, encSize: 5,
                                   decSize: 4, zSize: 2, attention: true, loss: .l2)

    /// Every fixture's weights.safetensors loads, with the config from its metadata equal to expected.json's,
    /// and saving then loading gives the same parameters bit for bit and no leftover temporary file.
    @Test(arguments: Fixture.names())
    func fixtureWeightsLoadAndRoundTrip(_ name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        #expect(model.config == f.config)
        let dir = try scratchFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: path)
        let again = try DRAWModel(contentsOf: path)
        #expect(Array(again.parameterSlab) == Array(model.parameterSlab))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.safetensors"])
    }

    /// The header names PyTorch's tensors with their shapes, and the config JSON under __metadata__.config.
    @Test func headerHasSpecNamesShapesAndConfig() throws {
        let model = try DRAWModel(config: Self.config, seed: 2)
        let dir = try scratchFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + n) % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data[8..<(8 + n)]) as! [String: Any]
        let meta = header["__metadata__"] as! [String: String]
        let config = try JSONSerialization.jsonObject(with: Data(meta["config"]!.utf8)) as! [String: Any]
        #expect(Set(config.keys) == ["C", "H", "W", "T", "read_n", "write_n", "enc_size", "dec_size", "z_size",
                                     "attention", "loss"])
        let expectShapes: [String: [Int]] = [
            "encoder.weight_ih": [20, 2 * 3 * 4 + 4], "encoder.weight_hh": [20, 5], "encoder.bias_ih": [20],
            "encoder.bias_hh": [20], "decoder.weight_ih": [16, 2], "decoder.weight_hh": [16, 4],
            "decoder.bias_ih": [16], "decoder.bias_hh": [16], "mu.weight": [2, 5], "mu.bias": [2],
            "logsigma.weight": [2, 5], "logsigma.bias": [2], "read_attn.weight": [5, 4], "read_attn.bias": [5],
            "write_attn.weight": [5, 4], "write_attn.bias": [5], "write.weight": [27, 4], "write.bias": [27],
        ]
        for (name, shape) in expectShapes {
            let e = header[name] as? [String: Any]
            #expect(e?["dtype"] as? String == "F32", "\(name)")
            #expect((e?["shape"] as? [Int]) == shape, "\(name)")
        }
    }

    /// Each kind of damage is reported with the file and the field or tensor, and leaves the model unchanged.
    @Test func badFilesAreRejectedWithClearErrors() throws {
        let model = try DRAWModel(config: Self.config, seed: 2)
        let dir = try scratchFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.safetensors").path
        try model.save(to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let headerText = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)

        func file(_ name: String, _ data: Data) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: p))
            return p
        }
        /// A copy of the good file with its header text edited (same length, so offsets still hold).
        func edited(_ name: String, _ from: String, _ to: String) throws -> String {
            precondition(from.utf8.count == to.utf8.count && headerText.contains(from), from)
            var d = bytes
            d.replaceSubrange(8..<(8 + n), with: Data(headerText.replacingOccurrences(of: from, with: to).utf8))
            return try file(name, d)
        }
        func message(_ path: String) -> String {
            do { _ = try DRAWModel(contentsOf: path); return "" } catch { return "\(error)" }
        }
        let shortHeader = try file("short.safetensors", bytes.prefix(5))
        var hugeLength = bytes
        hugeLength.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
        let cases: [(String, [String])] = [
            (shortHeader, ["short.safetensors", "8-byte"]),
            (try file("length.safetensors", hugeLength), ["length.safetensors", "header length"]),
            (try file("json.safetensors", bytes.prefix(8) + Data(repeating: 0x7B, count: n) + bytes.suffix(from: 8 + n)),
             ["json.safetensors", "JSON"]),
            (try edited("dtype.safetensors", "\"mu.bias\":{\"data_offsets\":[", "\"mu.bias\":{\"data_offsetz\":["),
             ["dtype.safetensors", "mu.bias", "data_offsets"]),
            (try edited("f64.safetensors", "\"dtype\":\"F32\",\"shape\":[2]}", "\"dtype\":\"I32\",\"shape\":[2]}"),
             ["f64.safetensors", "dtype I32"]),
            (try edited("shape.safetensors", "\"shape\":[5,4]", "\"shape\":[4,5]"),
             ["shape.safetensors", "shape [4, 5]"]),
            (try edited("missing.safetensors", "\"write.bias\"", "\"write.bia_\""),
             ["missing.safetensors", "missing tensor \"write.bias\""]),
            (try edited("config.safetensors", "\\\"z_size\\\"", "\\\"y_size\\\""),
             ["config.safetensors", "z_size"]),
            (try file("truncated.safetensors", bytes.prefix(bytes.count - 4)), ["truncated.safetensors", "truncated"]),
            (try edited("nan.safetensors", "\"kl_weight\":\"1.0\"", "\"kl_weight\":\"nan\""),
             ["nan.safetensors", "kl_weight", "not finite"]),
        ]
        for (path, words) in cases {
            let text = message(path)
            #expect(!text.isEmpty, "\(path) loaded")
            for w in words { #expect(text.contains(w), "\(path): \"\(text)\" should mention \(w)") }
        }
        // Loading into a model of another config names the mismatch and changes nothing.
        let other = try DRAWModel(config: DRAWConfig(channels: 1, height: 6, width: 5, steps: 2, readN: 2, writeN: 3,
                                                     encSize: 5, decSize: 4, zSize: 2, loss: .l2), seed: 4)
        let before = Array(other.parameterSlab)
        #expect(throws: DRAWError.self) { try other.load(from: good) }
        #expect(Array(other.parameterSlab) == before)
        do { try other.load(from: good) } catch { #expect("\(error)".contains("config")) }
    }
}

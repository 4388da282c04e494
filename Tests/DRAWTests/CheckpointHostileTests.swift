// CheckpointHostileTests.swift: hostile checkpoint headers (reviewed for the fuzz harnesses): overflowing shapes,
// numbers no Int holds, overflowing configs and huge declared models are errors, not traps or huge allocations.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct CheckpointHostileTests {
    /// Writes a safetensors file from header JSON and `dataBytes` zero bytes; returns the load error's text ("" if it loaded).
    func loadError(_ header: String, dataBytes: Int = 0) throws -> String {
        let dir = try scratchFolder("hostile-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("hostile.safetensors").path
        var file = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(Data(header.utf8))
        file.append(Data(repeating: 0, count: dataBytes))
        try file.write(to: URL(fileURLWithPath: path))
        do { _ = try DRAWModel(contentsOf: path); return "" } catch { return "\(error)" }
    }

    /// A config JSON string (escaped for embedding in the header's __metadata__), no attention unless asked.
    func config(c: Int = 1, h: Int = 2, w: Int = 2, t: Int = 1, enc: Int = 2, dec: Int = 2, z: Int = 1,
                attention: Bool = false) -> String {
        "{\\\"C\\\":\(c),\\\"H\\\":\(h),\\\"W\\\":\(w),\\\"T\\\":\(t),\\\"read_n\\\":2,\\\"write_n\\\":2,"
            + "\\\"enc_size\\\":\(enc),\\\"dec_size\\\":\(dec),\\\"z_size\\\":\(z),\\\"attention\\\":\(attention),\\\"loss\\\":\\\"l2\\\"}"
    }

    /// Shape 2^32 × 2^32 × 16 wraps Int to 0 bytes, which matched data_offsets [0, 0] (it trapped on overflow).
    @Test func shapeWhoseProductOverflowsIsRejected() throws {
        let text = try loadError(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}}"#)
        #expect(text.contains("tensor \"a\"") && text.contains("more bytes than an Int holds"), "\(text)")
    }

    /// Numbers an Int cannot hold (1e300, 2^63, -1e19) or not whole are malformed, not trapped on.
    @Test(arguments: ["1e300", "9223372036854775808", "18446744073709551615", "-1e19", "1.5"])
    func shapeNumbersOutsideIntAreMalformed(_ number: String) throws {
        let text = try loadError(#"{"a":{"dtype":"F32","shape":[\#(number)],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(text.contains("malformed \"shape\""), "\(number): \(text)")
        let offsets = try loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,\#(number)]}}"#, dataBytes: 4)
        #expect(offsets.contains("data_offsets"), "\(number): \(offsets)")
    }

    /// C·H·W past Int64 trapped in DRAWConfig.validate; now each field is capped and products are checked.
    @Test func configWhoseSizesOverflowIsInvalid() throws {
        let huge = 1 << 62
        for cfg in [config(c: huge, h: 4, w: 4), config(h: 1 << 31, w: 1 << 31), config(enc: 1 << 30, dec: 1 << 30, z: 1 << 30),
                    config(c: 3, h: 1 << 20, w: 1 << 20, attention: true)] {
            let text = try loadError(#"{"__metadata__":{"config":"\#(cfg)"}}"#)
            #expect(text.contains("invalid config"), "\(cfg): \(text)")
        }
        #expect(throws: DRAWError.self) {
            try DRAWConfig(channels: 1, height: 1, width: 1, steps: 1, readN: 2, writeN: 2, encSize: 1, decSize: 1 << 20,
                           zSize: 1 << 20, attention: false, loss: .l2).validate()
        }
    }

    /// A 200-byte file declaring a valid but ~38 GB model (E = D = Z = 23000) is refused from its header: the
    /// tensors are checked before the model is allocated (before, the parameter slab's allocation failed and trapped).
    @Test func hugeModelInSmallFileIsRefusedBeforeAllocating() throws {
        let cfg = config(h: 1, w: 1, enc: 23000, dec: 23000, z: 23000)
        let text = try loadError(#"{"__metadata__":{"config":"\#(cfg)"}}"#)
        #expect(text.contains("missing tensor"), "\(text)")
    }

    /// An empty file is refused from its size (Data(contentsOf:) leaked 4 KiB reading it: a leak only the fuzzer's
    /// LeakSanitizer sees; Fuzz/Corpus/safetensors/empty-leaked-4KiB-in-Foundation keeps that check running).
    @Test func emptyFileIsRefusedFromItsSize() throws {
        let dir = try scratchFolder("hostile-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.safetensors").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(throws: DRAWError.badSafeTensors(path: path, reason: "file is 0 bytes, shorter than the 8-byte header length")) {
            _ = try DRAWModel(contentsOf: path)
        }
    }
}

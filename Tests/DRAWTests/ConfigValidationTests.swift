// ConfigValidationTests.swift: absurd configs are refused with a message naming the field or tensor, never trapped on.
import DRAW
import Testing

@Suite struct ConfigValidationTests {
    static func config(c: Int = 1, h: Int = 4, w: Int = 4, n: Int = 2, enc: Int = 4, dec: Int = 4, z: Int = 2,
                       attention: Bool = true) -> DRAWConfig {
        DRAWConfig(channels: c, height: h, width: w, steps: 2, readN: n, writeN: n, encSize: enc, decSize: dec,
                   zSize: z, attention: attention, loss: .l2)
    }

    /// What `validate()` says, or nil when it accepts the config.
    static func message(_ c: DRAWConfig) -> String? {
        do { try c.validate(); return nil } catch { return "\(error)" }
    }

    /// Each case overflows a different product (Int64 itself for the first three); the message names the culprit.
    @Test(arguments: [
        (config(c: Int(Int32.max), h: Int(Int32.max), w: Int(Int32.max)), "C*H*W"),
        (config(enc: Int(Int32.max)), "encoder.weight_ih: dimension 8589934588"),
        (config(enc: 1 << 20, dec: 1 << 20, z: 1 << 20), "encoder.weight_ih: shape [4194304, 1048584] holds more than"),
        (config(enc: 1, dec: 1, z: 1 << 29), "mu.weight: dimension 536870912"),
        (config(enc: 1, dec: 1 << 16, z: 1 << 14), "decoder.weight_ih: shape [262144, 16384]"),
        (config(c: 1 << 20, h: 8, w: 8, n: 2, enc: 1, dec: 1 << 10, z: 1, attention: true),
         "write.weight: shape [4194304, 1024]"),
        (config(h: 1 << 13, w: 1 << 13, enc: 1, dec: 64, attention: false), "write.weight: shape [67108864, 64]"),
    ])
    func absurdConfigIsRefusedWithAMessage(_ c: DRAWConfig, _ expected: String) {
        let text = Self.message(c)
        #expect(text?.contains("invalid config") == true, "\(String(describing: text))")
        #expect(text?.contains(expected) == true, "\(String(describing: text))")
    }

    /// The same table accepts what fits: the largest tensor of E = D = Z = 23000 has 2 116 184 000 < 2^31 values.
    @Test func largestConfigThatFitsIsAccepted() {
        #expect(Self.message(Self.config(h: 1, w: 1, enc: 23000, dec: 23000, z: 23000, attention: false)) == nil)
        #expect(Self.message(Self.config(h: 1, w: 1, enc: 23170, dec: 23170, z: 1, attention: false))?
            .contains("encoder.weight_ih") == true)
    }
}

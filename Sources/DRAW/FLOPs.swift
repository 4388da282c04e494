// FLOPs.swift: nominal matrix-product FLOPs per image, counted exactly as the peers' bench.py / RESULTS.md count them.
extension DRAWConfig {
    /// Forward FLOPs of one image at one time step, by part: 2 per multiply-add of every matrix product
    /// (the LSTM and linear GEMMs, and the glimpses as the two products `X Fxᵀ` then `Fy ·`), nothing else:
    /// filterbank exps, gates, sigmoids, the canvas update and Adam are not counted.
    public var forwardFLOPsPerStep: [(part: String, flops: Double)] {
        let C = Double(channels), H = Double(height), W = Double(width)
        let E = Double(encSize), D = Double(decSize), Z = Double(zSize)
        let Nr = Double(readN), Nw = Double(writeN), a = attention ? 1.0 : 0.0
        return [
            ("encoder_lstm", 2 * (Double(readSize) + D) * 4 * E + 2 * E * 4 * E),
            ("decoder_lstm", 2 * Z * 4 * D + 2 * D * 4 * D),
            ("mu_logsigma", 2 * 2 * E * Z),
            ("attn_heads", a * 2 * 2 * D * 5),
            ("write_linear", 2 * D * Double(writeSize)),
            ("read_glimpse", a * 2 * C * 2 * (H * W * Nr + Nr * H * Nr)),
            ("write_glimpse", a * C * 2 * (Nw * Nw * W + H * Nw * W)),
        ]
    }

    /// Forward FLOPs per image over the T steps.
    public var forwardFLOPsPerImage: Double { Double(steps) * forwardFLOPsPerStep.reduce(0) { $0 + $1.flops } }

    /// Training-step FLOPs per image: forward plus backward, the backward counted as twice the forward
    /// (a product's input and weight gradients), the peers' "train = 3 × forward".
    public var trainingFLOPsPerImage: Double { 3 * forwardFLOPsPerImage }

    /// Generation FLOPs per image: decoder LSTM, write linear, write head and write glimpse for T steps.
    public var generationFLOPsPerImage: Double {
        let parts = Dictionary(uniqueKeysWithValues: forwardFLOPsPerStep.map { ($0.part, $0.flops) })
        let head = attention ? 2 * Double(decSize) * 5 : 0
        return Double(steps) * (parts["decoder_lstm"]! + parts["write_linear"]! + parts["write_glimpse"]! + head)
    }
}

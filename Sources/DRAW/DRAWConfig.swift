// DRAWConfig.swift: the model's hyperparameters with SPEC.md's JSON keys, validation and the sizes derived from them.
import DRAWKernels
import Foundation

/// The reconstruction term of the loss (SPEC.md "Loss").
public enum ReconstructionLoss: String, Codable, Sendable, CaseIterable {
    /// Binary cross-entropy from the canvas logits: for binarized data, where the total is the negative ELBO.
    case bce
    /// `0.5 · Σ (x − sigmoid(c_T))²`: for colour data.
    case l2
}

/// One DRAW model's shape. Encoded as JSON with SPEC.md's keys
/// (`C, H, W, T, read_n, write_n, enc_size, dec_size, z_size, attention, loss`).
public struct DRAWConfig: Codable, Equatable, Hashable, Sendable {
    /// Colour channels C (1 grey, 3 RGB); all channels share one attention window.
    public var channels: Int
    public var height: Int
    public var width: Int
    /// Drawing steps T.
    public var steps: Int
    /// Read glimpse size Nr (N×N per channel); ignored without attention.
    public var readN: Int
    /// Write patch size Nw; ignored without attention.
    public var writeN: Int
    /// Encoder LSTM size E.
    public var encSize: Int
    /// Decoder LSTM size D.
    public var decSize: Int
    /// Latent size Z per step.
    public var zSize: Int
    /// Gaussian attention windows (true) or whole-image read and write (false).
    public var attention: Bool
    public var loss: ReconstructionLoss

    public init(channels: Int, height: Int, width: Int, steps: Int, readN: Int, writeN: Int,
                encSize: Int, decSize: Int, zSize: Int, attention: Bool = true, loss: ReconstructionLoss) {
        self.channels = channels
        self.height = height
        self.width = width
        self.steps = steps
        self.readN = readN
        self.writeN = writeN
        self.encSize = encSize
        self.decSize = decSize
        self.zSize = zSize
        self.attention = attention
        self.loss = loss
    }

    enum CodingKeys: String, CodingKey {
        case channels = "C", height = "H", width = "W", steps = "T", readN = "read_n", writeN = "write_n"
        case encSize = "enc_size", decSize = "dec_size", zSize = "z_size", attention, loss
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channels = try c.decode(Int.self, forKey: .channels)
        height = try c.decode(Int.self, forKey: .height)
        width = try c.decode(Int.self, forKey: .width)
        steps = try c.decode(Int.self, forKey: .steps)
        readN = try c.decode(Int.self, forKey: .readN)
        writeN = try c.decode(Int.self, forKey: .writeN)
        encSize = try c.decode(Int.self, forKey: .encSize)
        decSize = try c.decode(Int.self, forKey: .decSize)
        zSize = try c.decode(Int.self, forKey: .zSize)
        attention = try c.decode(Bool.self, forKey: .attention)
        let name = try c.decode(String.self, forKey: .loss)
        guard let kind = ReconstructionLoss(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .loss, in: c,
                                                   debugDescription: "must be \"bce\" or \"l2\", got \"\(name)\"")
        }
        loss = kind
    }

    /// Decodes a config from SPEC.md JSON; `source` (a file path, "metadata") goes into the error message.
    public static func decode(json: Data, source: String) throws -> DRAWConfig {
        do {
            let config = try JSONDecoder().decode(DRAWConfig.self, from: json)
            try config.validate()
            return config
        } catch let error as DecodingError {
            throw DRAWError.invalidConfig(field: source, reason: describeDecoding(error))
        }
    }

    /// The config as compact SPEC.md JSON (sorted keys, so files are reproducible).
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of Ints, a Bool and a String cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Throws `DRAWError.invalidConfig` naming the first field (or parameter tensor, from ParameterLayout's table)
    /// out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ reason: String) throws {
            if !ok { throw DRAWError.invalidConfig(field: field, reason: reason) }
        }
        // Each field is a C int for the kernels (a config read from a file can hold any Int, and Swift traps on
        // overflow): capped fields keep the sums and small multiples below in range, products are checked.
        for (key, value) in [("C", channels), ("H", height), ("W", width), ("T", steps), ("enc_size", encSize),
                             ("dec_size", decSize), ("z_size", zSize)] {
            try require(value >= 1, key, "must be >= 1, got \(value)")
            try require(value <= Int(Int32.max), key, "must be <= \(Int32.max), got \(value)")
        }
        // Every step keeps its states for BPTT: a T of 10^9 in a small file would ask for terabytes at the first batch.
        try require(steps <= Self.maxSteps, "T", "must be <= \(Self.maxSteps), got \(steps)")
        if attention {
            try require(readN >= 2, "read_n", "must be >= 2 with attention (delta divides by N - 1), got \(readN)")
            try require(writeN >= 2, "write_n", "must be >= 2 with attention (delta divides by N - 1), got \(writeN)")
            // The attention kernels keep per-thread scratch on the stack, sized by CK_MAX_N (ckernels.h).
            try require(readN <= Self.maxWindow, "read_n", "must be <= \(Self.maxWindow) (CK_MAX_N), got \(readN)")
            try require(writeN <= Self.maxWindow, "write_n", "must be <= \(Self.maxWindow) (CK_MAX_N), got \(writeN)")
        }
        // The image first: the table's dimensions are computed from it (C·H·W, 2·C·H·W without attention).
        let limit = Int(Int32.max) / 8
        try require(Self.checked([channels, height, width]) <= limit, "C*H*W", "image of \(channels)x\(height)x\(width) values is too large")
        // Every GEMM dimension and leading dimension is a C int, and so is every tensor's element count.
        for tensor in ParameterLayout.table(config: self).joined() {
            let shape = "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]"
            for d in tensor.shape {
                try require(d <= limit, tensor.name, "dimension \(d) of shape \(shape) is more than \(limit)")
            }
            try require(Self.checked(tensor.shape) <= Int(Int32.max), tensor.name,
                        "shape \(shape) holds more than \(Int32.max) values")
        }
    }

    /// The most drawing steps a config may have (the paper uses 64).
    public static let maxSteps = 10_000

    /// The largest read_n / write_n the attention kernels accept (CK_MAX_N in ckernels.h).
    public static let maxWindow = Kernels.maxWindow

    // MARK: derived sizes

    /// Values per image, C·H·W.
    public var pixels: Int { channels * height * width }
    /// Length of r: `2·C·Nr²` with attention, `2·C·H·W` without.
    public var readSize: Int { attention ? 2 * channels * readN * readN : 2 * pixels }
    /// Length of the write output: `C·Nw²` with attention, `C·H·W` without.
    public var writeSize: Int { attention ? channels * writeN * writeN : pixels }
    /// Encoder LSTM input `[r, h_dec]` (`FusedLayout.EncoderColumns` names its blocks).
    public var encoderInputSize: Int { readSize + decSize }
}

/// A reference configuration from SPEC.md with its batch size.
public struct DRAWPreset: Sendable {
    public let name: String
    public let config: DRAWConfig
    public let batchSize: Int
    public let about: String
}

extension DRAWConfig {
    /// The colour blog post's model: celebA at 64×64, one epoch ≈ 2400 iterations of 64.
    public static let color64 = DRAWConfig(channels: 3, height: 64, width: 64, steps: 10, readN: 5, writeN: 5,
                                           encSize: 256, decSize: 256, zSize: 10, loss: .l2)
    /// The model `draw train` and `draw demo` build when no --preset is named: color64's, with a write window of
    /// `measuredWriteN` instead of 5×5. The window, not the loss, was what kept colour reconstructions blurred: 10
    /// steps of 5×5 write 250 values per channel onto 1024 or 4096 pixels (README "Sharp colour", ninth round).
    public static func measured(channels: Int, height: Int, width: Int) -> DRAWConfig {
        var c = color64
        (c.channels, c.height, c.width) = (channels, height, width)
        c.writeN = measuredWriteN(height: height, width: width)
        return c
    }

    /// The measured write window: half the image's shorter side (16 at 32×32, 32 at 64×64), within 2...maxWindow.
    public static func measuredWriteN(height: Int, width: Int) -> Int {
        max(2, min(maxWindow, min(height, width) / 2))
    }

    /// The common DRAW re-implementations' MNIST model.
    public static let mnist = DRAWConfig(channels: 1, height: 28, width: 28, steps: 10, readN: 2, writeN: 5,
                                         encSize: 256, decSize: 256, zSize: 10, loss: .bce)
    /// The paper's binarized MNIST model (test NLL <= 80.97 nats).
    public static let paper = DRAWConfig(channels: 1, height: 28, width: 28, steps: 64, readN: 2, writeN: 5,
                                         encSize: 256, decSize: 256, zSize: 100, loss: .bce)

    /// SPEC.md's reference configurations.
    public static let presets: [DRAWPreset] = [
        DRAWPreset(name: "color64", config: .color64, batchSize: 64,
                   about: "the colour blog post (celebA at 64x64, one epoch ~ 2400 iterations)"),
        DRAWPreset(name: "mnist", config: .mnist, batchSize: 100, about: "common DRAW re-implementations"),
        DRAWPreset(name: "paper", config: .paper, batchSize: 100,
                   about: "the paper's binarized MNIST model (test NLL <= 80.97 nats)"),
    ]

    /// The preset called `name`, or nil.
    public static func preset(named name: String) -> DRAWPreset? { presets.first { $0.name == name } }
}

/// "key path: what" from a DecodingError, for config and header messages.
public func describeDecoding(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return keys.isEmpty ? "" : keys + ": "
    }
    switch error {
    case let .keyNotFound(key, context): return path(context) + "missing key \"\(key.stringValue)\""
    case let .typeMismatch(type, context): return path(context) + "expected \(type)"
    case let .valueNotFound(type, context): return path(context) + "expected \(type), found null"
    case let .dataCorrupted(context):
        return path(context) + context.debugDescription
    @unknown default: return "\(error)"
    }
}

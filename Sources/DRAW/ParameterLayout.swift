// ParameterLayout.swift: where each PyTorch state_dict tensor lives in the flat parameter slab, ordered for stacked GEMMs.
import Foundation

/// One named parameter tensor: PyTorch `state_dict` name and shape, offset in the slab.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// PyTorch's default init draws U(−bound, bound).
    public let initBound: Float
    public var count: Int { shape.reduce(1, *) }
}

/// The slab's table of tensors. Tensors fed by the same input sit next to each other so one GEMM covers them:
/// `mu.weight` then `logsigma.weight` form one (2Z, E) weight (biases likewise), and
/// `write.weight`, `write_attn.weight`, `read_attn.weight` one (C·Nw² + 10, D) weight on h_dec.
/// Groups start on 16-float boundaries; the padding between them stays zero in every slab.
public struct ParameterLayout: Sendable {
    public let tensors: [TensorInfo]
    /// Floats in a slab, padding included.
    public let count: Int
    private let index: [String: Int]

    // Offsets the model uses directly.
    let encWih, encWhh, encBih, encBhh: Int
    let mlW, mlB: Int
    let decWih, decWhh, decBih, decBhh: Int
    let headW, headB: Int

    public init(config c: DRAWConfig) {
        let E = c.encSize, D = c.decSize, Z = c.zSize
        let encBound = 1 / Float(E).squareRoot(), decBound = 1 / Float(D).squareRoot()
        // Each inner array is one group, contiguous; bounds: LSTMCell 1/√hidden, Linear 1/√in.
        var groups: [[(String, [Int], Float)]] = [
            [("encoder.weight_ih", [4 * E, c.encoderInputSize], encBound)],
            [("encoder.weight_hh", [4 * E, E], encBound)],
            [("encoder.bias_ih", [4 * E], encBound)],
            [("encoder.bias_hh", [4 * E], encBound)],
            [("mu.weight", [Z, E], encBound), ("logsigma.weight", [Z, E], encBound)],
            [("mu.bias", [Z], encBound), ("logsigma.bias", [Z], encBound)],
            [("decoder.weight_ih", [4 * D, Z], decBound)],
            [("decoder.weight_hh", [4 * D, D], decBound)],
            [("decoder.bias_ih", [4 * D], decBound)],
            [("decoder.bias_hh", [4 * D], decBound)],
        ]
        if c.attention {
            groups.append([("write.weight", [c.writeSize, D], decBound), ("write_attn.weight", [5, D], decBound),
                           ("read_attn.weight", [5, D], decBound)])
            groups.append([("write.bias", [c.writeSize], decBound), ("write_attn.bias", [5], decBound),
                           ("read_attn.bias", [5], decBound)])
        } else {
            groups.append([("write.weight", [c.writeSize, D], decBound)])
            groups.append([("write.bias", [c.writeSize], decBound)])
        }
        var plan = FloatArena.Plan()
        var tensors: [TensorInfo] = []
        for group in groups {
            var offset = plan.reserve(group.reduce(0) { $0 + $1.1.reduce(1, *) })
            for (name, shape, bound) in group {
                tensors.append(TensorInfo(name: name, shape: shape, offset: offset, initBound: bound))
                offset += shape.reduce(1, *)
            }
        }
        let index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
        self.tensors = tensors
        self.index = index
        count = plan.count
        let offsets = tensors.map(\.offset)
        func at(_ name: String) -> Int { offsets[index[name]!] }
        encWih = at("encoder.weight_ih"); encWhh = at("encoder.weight_hh")
        encBih = at("encoder.bias_ih"); encBhh = at("encoder.bias_hh")
        mlW = at("mu.weight"); mlB = at("mu.bias")
        decWih = at("decoder.weight_ih"); decWhh = at("decoder.weight_hh")
        decBih = at("decoder.bias_ih"); decBhh = at("decoder.bias_hh")
        headW = at("write.weight"); headB = at("write.bias")
    }

    /// The tensor called `name` (a PyTorch state_dict name), or nil.
    public func tensor(named name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// Number of trainable values (padding excluded).
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }
}

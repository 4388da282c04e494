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

    /// One entry of the table: a tensor's state_dict name, shape and init bound, before it has an offset.
    struct Entry {
        let name: String
        let shape: [Int]
        let initBound: Float
    }

    /// The table every parameter fact comes from: each inner array is one group, contiguous in the slab; bounds:
    /// LSTMCell 1/√hidden, Linear 1/√in. The head group's rows are `FusedLayout.HeadRow`'s blocks in its order.
    /// Each dimension is a sum or product of a few config fields, which cannot overflow once `validate()` has
    /// capped the fields and checked C·H·W; the element counts are for `validate()` to check.
    static func table(config c: DRAWConfig) -> [[Entry]] {
        let E = c.encSize, D = c.decSize, Z = c.zSize, head = c.fused.headRow
        let encBound = 1 / Float(E).squareRoot(), decBound = 1 / Float(D).squareRoot()
        var groups: [[Entry]] = [
            [Entry(name: "encoder.weight_ih", shape: [4 * E, c.encoderInputSize], initBound: encBound)],
            [Entry(name: "encoder.weight_hh", shape: [4 * E, E], initBound: encBound)],
            [Entry(name: "encoder.bias_ih", shape: [4 * E], initBound: encBound)],
            [Entry(name: "encoder.bias_hh", shape: [4 * E], initBound: encBound)],
            [Entry(name: "mu.weight", shape: [Z, E], initBound: encBound),
             Entry(name: "logsigma.weight", shape: [Z, E], initBound: encBound)],
            [Entry(name: "mu.bias", shape: [Z], initBound: encBound),
             Entry(name: "logsigma.bias", shape: [Z], initBound: encBound)],
            [Entry(name: "decoder.weight_ih", shape: [4 * D, Z], initBound: decBound)],
            [Entry(name: "decoder.weight_hh", shape: [4 * D, D], initBound: decBound)],
            [Entry(name: "decoder.bias_ih", shape: [4 * D], initBound: decBound)],
            [Entry(name: "decoder.bias_hh", shape: [4 * D], initBound: decBound)],
        ]
        var weights = [Entry(name: "write.weight", shape: [head.write.count, D], initBound: decBound)]
        var biases = [Entry(name: "write.bias", shape: [head.write.count], initBound: decBound)]
        if c.attention {
            weights += [Entry(name: "write_attn.weight", shape: [head.writeAttention.count, D], initBound: decBound),
                        Entry(name: "read_attn.weight", shape: [head.readAttention.count, D], initBound: decBound)]
            biases += [Entry(name: "write_attn.bias", shape: [head.writeAttention.count], initBound: decBound),
                       Entry(name: "read_attn.bias", shape: [head.readAttention.count], initBound: decBound)]
        }
        groups += [weights, biases]
        return groups
    }

    /// The layout of a config that has passed `validate()` (which keeps every product here in range).
    public init(config c: DRAWConfig) {
        let groups = Self.table(config: c)
        var plan = FloatArena.Plan()
        var tensors: [TensorInfo] = []
        for group in groups {
            var offset = plan.reserve(group.reduce(0) { $0 + $1.shape.reduce(1, *) })
            for entry in group {
                tensors.append(TensorInfo(name: entry.name, shape: entry.shape, offset: offset, initBound: entry.initBound))
                offset += entry.shape.reduce(1, *)
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

// PackedWeights.swift: the weights of the per-step products packed into panels (float32, or bf16 panels), repacked when the parameters change.
import DRAWKernels

/// One packed weight as the products see it: float32 panels or bf16 pair-row panels (with the scratch a bf16
/// product converts its activations into), from row `startRow` on.
struct PackedWeight {
    enum Panels {
        case float32(PackedMatrix)
        case bf16(PackedBF16Matrix, BF16Scratch)
    }
    let panels: Panels
    /// The first row the products use (`rows(from:)`).
    let startRow: Int

    /// The same panels from row `k0` on: a product over a later block of the stacked inputs.
    func rows(from k0: Int) -> PackedWeight { PackedWeight(panels: panels, startRow: startRow + k0) }
    /// K, all the rows packed (several weights stacked along it).
    var rows: Int {
        switch panels {
        case .float32(let m): m.rows
        case .bf16(let m, _): m.rows
        }
    }
}

/// Where a bf16 product converts its activations: grown to the largest product seen, shared by one model's
/// matrices (the products run one at a time).
final class BF16Scratch {
    private(set) var base = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var capacity = 1

    /// A view of exactly the `PackedBF16Matrix.scratchCount(rows:k:)` floats a product needs (grown only when a
    /// larger product comes).
    func reserve(rows: Int, k: Int) -> ShapedBuffer {
        let n = PackedBF16Matrix.scratchCount(rows: rows, k: k)
        if n > capacity {
            base.deallocate()
            base = .allocate(capacity: n)
            capacity = n
        }
        return view(base, Shape(n))
    }

    deinit { base.deallocate() }
}

/// The model's weights as the time loop multiplies them, packed once per parameter version instead of by
/// OpenBLAS on every call: Wᵀ for the forward products x Wᵀ, W for the backward's dx = dy W. The weight
/// gradients (one large GEMM each over T·B rows) stay on OpenBLAS, which packs once for many rows.
final class PackedWeights {
    private let arena: FloatArena
    /// Forward, stacked along K in the order of the cache's step rows: the encoder on [r | h_enc | h_dec] (W_ih's
    /// r columns, W_hh, W_ih's h_dec columns; x̂ for r without attention), [μ; log σ], the decoder on [h_dec | z]
    /// (W_hh, W_ih), and the head stack on h_dec (write, write head, read head; the write layer without attention).
    let encT, mlT, decT, headT: PackedWeight
    /// b_ih + b_hh of the encoder (4E) and of the decoder (4D), summed once per parameter version.
    let encBias, decBias: UnsafeMutablePointer<Float>
    /// Backward: heads, decoder W_ih and W_hh, [μ; log σ], encoder W_hh, encoder W_ih's h_dec columns and its r
    /// columns (attention only; without it x̂'s gradient goes through OpenBLAS).
    let headN, decIhN, decHhN, mlN, encHhN, encIhHdN: PackedWeight
    /// nil without attention.
    let encIhRN: PackedWeight?
    /// The model's parameter version each half was packed from (-1: never).
    private var forwardVersion = -1, backwardVersion = -1
    private let config: DRAWConfig, layout: ParameterLayout
    let precision: Precision

    init(config c: DRAWConfig, layout: ParameterLayout, precision: Precision) {
        config = c
        self.layout = layout
        self.precision = precision
        let E = c.encSize, D = c.decSize, Z = c.zSize, K = c.fused.headRow.width
        let R = c.attention ? c.readSize : 0, row = c.fused.stepRow
        let scratch = precision == .bf16 ? BF16Scratch() : nil
        var plan = FloatArena.Plan()
        // Each matrix's (K, N) and its offset; bf16 panels take half a float per element (the arena is zeroed, as
        // their padding must be).
        func reserve(_ K: Int, _ N: Int) -> (offset: Int, K: Int, N: Int) {
            let floats = scratch == nil ? PackedMatrix.count(rows: K, columns: N)
                : (PackedBF16Matrix.count(rows: K, columns: N) + 1) / 2
            return (plan.reserve(floats), K, N)
        }
        let encT = reserve(row.encoderInput.count, 4 * E), mlT = reserve(E, 2 * Z),
            decT = reserve(row.decoderInput.count, 4 * D), headT = reserve(D, K)
        let headN = reserve(K, D), decIhN = reserve(4 * D, Z), decHhN = reserve(4 * D, D), mlN = reserve(2 * Z, E)
        let encHhN = reserve(4 * E, E), encIhHdN = reserve(4 * E, D), encIhRN = reserve(4 * E, R)
        let encBias = plan.reserve(4 * E), decBias = plan.reserve(4 * D)
        let a = FloatArena(plan)
        arena = a
        // Borrowed views over the arena (zeroed, as the bf16 panels' padding must be).
        func matrix(_ m: (offset: Int, K: Int, N: Int)) -> PackedWeight {
            kernels { () throws(KernelError) in
                if let scratch {
                    let words = PackedBF16Matrix.count(rows: m.K, columns: m.N)
                    let raw = UnsafeMutableRawPointer(a[m.offset]).bindMemory(to: UInt16.self, capacity: words)
                    let storage = try BF16Words(UnsafeMutableBufferPointer(start: raw, count: words))
                    return PackedWeight(panels: .bf16(try PackedBF16Matrix(storage, rows: m.K, columns: m.N), scratch),
                                        startRow: 0)
                }
                let storage = view(a[m.offset], Shape(PackedMatrix.count(rows: m.K, columns: m.N)))
                return PackedWeight(panels: .float32(try PackedMatrix(storage, rows: m.K, columns: m.N)), startRow: 0)
            }
        }
        (self.encT, self.mlT, self.decT, self.headT) = (matrix(encT), matrix(mlT), matrix(decT), matrix(headT))
        (self.headN, self.decIhN, self.decHhN, self.mlN) = (matrix(headN), matrix(decIhN), matrix(decHhN), matrix(mlN))
        (self.encHhN, self.encIhHdN) = (matrix(encHhN), matrix(encIhHdN))
        self.encIhRN = R > 0 ? matrix(encIhRN) : nil
        (self.encBias, self.decBias) = (a[encBias], a[decBias])
    }

    /// Packs the forward matrices from `p` unless they already hold parameter version `version`.
    func refreshForward(_ p: UnsafePointer<Float>, version: Int) {
        guard forwardVersion != version else { return }
        let c = config, L = layout, E = c.encSize, D = c.decSize, Z = c.zSize, In = c.encoderInputSize
        let row = c.fused.stepRow, columns = c.fused.encoderColumns
        // encT's rows follow the step row: W_ih's step-read columns, W_hh, W_ih's h_dec columns.
        packTransposed(encT, row: row.read.lowerBound, p + L.encWih + columns.stepRead.lowerBound, In,
                       K: row.read.count, N: 4 * E)
        packTransposed(encT, row: row.hEnc.lowerBound, p + L.encWhh, E, K: E, N: 4 * E)
        packTransposed(encT, row: row.hDec.lowerBound, p + L.encWih + columns.hDec.lowerBound, In, K: D, N: 4 * E)
        packTransposed(mlT, row: 0, p + L.mlW, E, K: E, N: 2 * Z)
        // decT's rows follow [h_dec | z]: W_hh, then W_ih.
        packTransposed(decT, row: 0, p + L.decWhh, D, K: D, N: 4 * D)
        packTransposed(decT, row: row.decoderZRow, p + L.decWih, Z, K: Z, N: 4 * D)
        packTransposed(headT, row: 0, p + L.headW, D, K: D, N: c.fused.headRow.width)
        for i in 0..<(4 * E) { encBias[i] = p[L.encBih + i] + p[L.encBhh + i] }
        for i in 0..<(4 * D) { decBias[i] = p[L.decBih + i] + p[L.decBhh + i] }
        forwardVersion = version
    }

    /// Packs the backward matrices from `p` unless they already hold parameter version `version`.
    func refreshBackward(_ p: UnsafePointer<Float>, version: Int) {
        guard backwardVersion != version else { return }
        let c = config, L = layout, E = c.encSize, D = c.decSize, Z = c.zSize, In = c.encoderInputSize
        pack(headN, p + L.headW, D, N: D)
        pack(decIhN, p + L.decWih, Z, N: Z)
        pack(decHhN, p + L.decWhh, D, N: D)
        pack(mlN, p + L.mlW, E, N: E)
        pack(encHhN, p + L.encWhh, E, N: E)
        pack(encIhHdN, p + L.encWih + c.fused.encoderColumns.hDec.lowerBound, In, N: D)
        if let encIhRN { pack(encIhRN, p + L.encWih + c.fused.encoderColumns.stepRead.lowerBound, In, N: c.readSize) }
        backwardVersion = version
    }

    /// Rows [row, row + K) of m = Wᵀ, W (N, K) with row stride ld.
    private func packTransposed(_ m: PackedWeight, row: Int, _ W: UnsafePointer<Float>, _ ld: Int, K: Int, N: Int) {
        let w = view(W, Shape(N, K), rowStride: ld)
        kernels { () throws(KernelError) in
            switch m.panels {
            case .float32(let packed): try DRAWKernels.packTransposed(packed, from: w, startRow: row)
            case .bf16(let packed, _): try packTransposedBF16(packed, from: w, startRow: row)
            }
        }
    }

    /// m (m.rows, N) = W, row stride ld.
    private func pack(_ m: PackedWeight, _ W: UnsafePointer<Float>, _ ld: Int, N: Int) {
        let w = view(W, Shape(m.rows, N), rowStride: ld)
        kernels { () throws(KernelError) in
            switch m.panels {
            case .float32(let packed): try DRAWKernels.pack(packed, from: w)
            case .bf16(let packed, _): try packBF16(packed, from: w)
            }
        }
    }
}

/// y (M, N) = b + x P, or += when accumulating: a forward product on a packed Wᵀ, using `in` rows from its start row.
@inline(__always) func linear(_ y: UnsafeMutablePointer<Float>, _ ldy: Int, _ x: UnsafePointer<Float>, _ ldx: Int,
                              _ w: PackedWeight, _ b: UnsafePointer<Float>?, rows: Int, in: Int, out: Int,
                              accumulate: Bool) {
    let yv = view(y, Shape(rows, out), rowStride: ldy), xv = view(x, Shape(rows, `in`), rowStride: ldx)
    let bias = b.map { view($0, Shape(out)) }
    kernels { () throws(KernelError) in
        switch w.panels {
        case .float32(let m):
            try linearForwardPacked(y: yv, x: xv, weight: m, startRow: w.startRow, bias: bias, accumulate: accumulate)
        case .bf16(let m, let s):
            try gemmPackedBF16(c: yv, a: xv, packed: m, startRow: w.startRow, bias: bias,
                               scratch: s.reserve(rows: rows, k: `in`), accumulate: accumulate)
        }
    }
}

/// dx (M, N) += dy P: a backward product on a packed W (all its K rows = the layer's outputs).
@inline(__always) func accumulateProduct(_ dx: UnsafeMutablePointer<Float>, _ lddx: Int, _ dy: UnsafePointer<Float>,
                                         _ lddy: Int, _ w: PackedWeight, rows: Int, out: Int) {
    let dxv = view(dx, Shape(rows, out), rowStride: lddx), dyv = view(dy, Shape(rows, w.rows), rowStride: lddy)
    kernels { () throws(KernelError) in
        switch w.panels {
        case .float32(let m): try gemmPacked(c: dxv, a: dyv, packed: m, accumulate: true)
        case .bf16(let m, let s):
            try gemmPackedBF16(c: dxv, a: dyv, packed: m, bias: nil, scratch: s.reserve(rows: rows, k: w.rows),
                               accumulate: true)
        }
    }
}

// PackedWeights.swift: the weights of the per-step products packed into panels (ck_pack, or bf16 panels), repacked when the parameters change.
import CKernels

/// One packed (K, N) matrix: K is what the products pass as Kp (they may use its first rows only); float32
/// panels (ck_pack) or bf16 pair-row panels (ck_pack_bf16), with the scratch a bf16 product converts into.
struct PackedMatrix {
    let base: UnsafeMutableRawPointer
    let K: Int
    /// The first row the products use (`rows(from:)`): a float32 product starts its panels there, a bf16 one
    /// passes it on (its rows come in pairs, and k0 may be odd).
    let k0: Int
    /// nil for float32 panels.
    let bf16Scratch: BF16Scratch?

    /// The same panels from row `k0` on: a product over a later block of the stacked inputs.
    func rows(from k0: Int) -> PackedMatrix { PackedMatrix(base: base, K: K, k0: self.k0 + k0, bf16Scratch: bf16Scratch) }
    var floats: UnsafeMutablePointer<Float> { base.assumingMemoryBound(to: Float.self) + k0 * Int(CK_PACK_COLS) }
    var bf16: UnsafeMutablePointer<UInt16> { base.assumingMemoryBound(to: UInt16.self) }
}

/// Where a bf16 product converts its activations: grown to the largest product seen, shared by one model's
/// matrices (the products run one at a time).
final class BF16Scratch {
    private(set) var base = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var capacity = 1

    /// At least `ck_bf16_scratch_floats(rows, k)` floats.
    func reserve(rows: Int, k: Int) -> UnsafeMutablePointer<Float> {
        let n = ck_bf16_scratch_floats(rows.c, k.c)
        if n > capacity {
            base.deallocate()
            base = .allocate(capacity: n)
            capacity = n
        }
        return base
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
    let encT, mlT, decT, headT: PackedMatrix
    /// b_ih + b_hh of the encoder (4E) and of the decoder (4D), summed once per parameter version.
    let encBias, decBias: UnsafeMutablePointer<Float>
    /// Backward: heads, decoder W_ih and W_hh, [μ; log σ], encoder W_hh, encoder W_ih's h_dec columns and its r
    /// columns (attention only; without it x̂'s gradient goes through OpenBLAS).
    let headN, decIhN, decHhN, mlN, encHhN, encIhHdN, encIhRN: PackedMatrix
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
        func reserve(_ K: Int, _ N: Int) -> (offset: Int, K: Int) {
            (plan.reserve(scratch == nil ? ck_packed_size(K.c, N.c) : (ck_packed_size_bf16(K.c, N.c) + 1) / 2), K)
        }
        let encT = reserve(row.encoderInput.count, 4 * E), mlT = reserve(E, 2 * Z),
            decT = reserve(row.decoderInput.count, 4 * D), headT = reserve(D, K)
        let headN = reserve(K, D), decIhN = reserve(4 * D, Z), decHhN = reserve(4 * D, D), mlN = reserve(2 * Z, E)
        let encHhN = reserve(4 * E, E), encIhHdN = reserve(4 * E, D), encIhRN = reserve(4 * E, R)
        let encBias = plan.reserve(4 * E), decBias = plan.reserve(4 * D)
        let a = FloatArena(plan)
        arena = a
        func matrix(_ m: (offset: Int, K: Int)) -> PackedMatrix {
            PackedMatrix(base: UnsafeMutableRawPointer(a[m.offset]), K: m.K, k0: 0, bf16Scratch: scratch)
        }
        (self.encT, self.mlT, self.decT, self.headT) = (matrix(encT), matrix(mlT), matrix(decT), matrix(headT))
        (self.headN, self.decIhN, self.decHhN, self.mlN) = (matrix(headN), matrix(decIhN), matrix(decHhN), matrix(mlN))
        (self.encHhN, self.encIhHdN, self.encIhRN) = (matrix(encHhN), matrix(encIhHdN), matrix(encIhRN))
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
        if c.attention { pack(encIhRN, p + L.encWih + c.fused.encoderColumns.stepRead.lowerBound, In, N: c.readSize) }
        backwardVersion = version
    }

    /// Rows [row, row + K) of m = Wᵀ, W (N, K) with row stride ld.
    private func packTransposed(_ m: PackedMatrix, row: Int, _ W: UnsafePointer<Float>, _ ld: Int, K: Int, N: Int) {
        if precision == .bf16 { ck_pack_transposed_rows_bf16(m.bf16, m.K.c, row.c, W, ld.c, K.c, N.c) }
        else { ck_pack_transposed_rows(m.floats, m.K.c, row.c, W, ld.c, K.c, N.c) }
    }

    /// m (m.K, N) = W, row stride ld.
    private func pack(_ m: PackedMatrix, _ W: UnsafePointer<Float>, _ ld: Int, N: Int) {
        if precision == .bf16 { ck_pack_bf16(m.bf16, W, ld.c, m.K.c, N.c) }
        else { ck_pack(m.floats, W, ld.c, m.K.c, N.c) }
    }
}

/// y (M, N) = b + x P, or += when accumulating: a forward product on a packed Wᵀ, using its first `in` rows.
@inline(__always) func linear(_ y: UnsafeMutablePointer<Float>, _ ldy: Int, _ x: UnsafePointer<Float>, _ ldx: Int,
                              _ w: PackedMatrix, _ b: UnsafePointer<Float>?, rows: Int, in: Int, out: Int,
                              accumulate: Bool) {
    if let s = w.bf16Scratch {
        ck_gemm_packed_bf16(y, ldy.c, x, ldx.c, w.bf16, w.K.c, w.k0.c, rows.c, `in`.c, out.c, accumulate ? 1 : 0, b,
                            s.reserve(rows: rows, k: `in`))
    } else {
        ck_linear_forward_packed(y, ldy.c, x, ldx.c, w.floats, w.K.c, b, rows.c, `in`.c, out.c, accumulate ? 1 : 0)
    }
}

/// dx (M, N) += dy P: a backward product on a packed W (K = the layer's outputs).
@inline(__always) func accumulateProduct(_ dx: UnsafeMutablePointer<Float>, _ lddx: Int, _ dy: UnsafePointer<Float>,
                                         _ lddy: Int, _ w: PackedMatrix, rows: Int, out: Int) {
    if let s = w.bf16Scratch {
        ck_gemm_packed_bf16(dx, lddx.c, dy, lddy.c, w.bf16, w.K.c, w.k0.c, rows.c, w.K.c, out.c, 1, nil,
                            s.reserve(rows: rows, k: w.K))
    } else {
        ck_gemm_packed(dx, lddx.c, dy, lddy.c, w.floats, w.K.c, rows.c, w.K.c, out.c, 1)
    }
}

// PackedWeights.swift: the weights of the per-step products packed into panels (ck_pack), repacked when the parameters change.
import CKernels

/// One packed (K, N) matrix: K is what the products pass as Kp (they may use its first rows only).
struct PackedMatrix {
    let base: UnsafeMutablePointer<Float>
    let K: Int
}

/// The model's weights as the time loop multiplies them, packed once per parameter version instead of by
/// OpenBLAS on every call: Wᵀ for the forward products x Wᵀ, W for the backward's dx = dy W. The weight
/// gradients (one large GEMM each over T·B rows) stay on OpenBLAS, which packs once for many rows.
final class PackedWeights {
    private let arena: FloatArena
    /// Forward: encoder step input [r | h_dec] (or [x̂ | h_dec]), encoder W_hh, [μ; log σ], decoder W_ih, W_hh,
    /// the head stack on h_dec (write, write head, read head; the write layer without attention).
    let encInT, encHhT, mlT, decIhT, decHhT, headT: PackedMatrix
    /// Backward: heads, decoder W_ih and W_hh, [μ; log σ], encoder W_hh, encoder W_ih's h_dec columns and its r
    /// columns (attention only; without it x̂'s gradient goes through OpenBLAS).
    let headN, decIhN, decHhN, mlN, encHhN, encIhHdN, encIhRN: PackedMatrix
    /// The model's parameter version each half was packed from (-1: never).
    private var forwardVersion = -1, backwardVersion = -1
    private let config: DRAWConfig, layout: ParameterLayout

    init(config c: DRAWConfig, layout: ParameterLayout) {
        config = c
        self.layout = layout
        let E = c.encSize, D = c.decSize, Z = c.zSize, Ie = c.encoderStepInput, K = c.headSize
        let R = c.attention ? c.readSize : 0
        let shapes = [(Ie, 4 * E), (E, 4 * E), (E, 2 * Z), (Z, 4 * D), (D, 4 * D), (D, K),
                      (K, D), (4 * D, Z), (4 * D, D), (2 * Z, E), (4 * E, E), (4 * E, D), (4 * E, R)]
        var plan = FloatArena.Plan()
        let offsets = shapes.map { plan.reserve(ck_packed_size($0.0.c, $0.1.c)) }
        let a = FloatArena(plan)
        arena = a
        let m = zip(offsets, shapes).map { PackedMatrix(base: a[$0.0], K: $0.1.0) }
        (encInT, encHhT, mlT, decIhT, decHhT, headT) = (m[0], m[1], m[2], m[3], m[4], m[5])
        (headN, decIhN, decHhN, mlN, encHhN, encIhHdN, encIhRN) = (m[6], m[7], m[8], m[9], m[10], m[11], m[12])
    }

    /// Packs the forward matrices from `p` unless they already hold parameter version `version`.
    func refreshForward(_ p: UnsafePointer<Float>, version: Int) {
        guard forwardVersion != version else { return }
        let c = config, L = layout, E = c.encSize, D = c.decSize, Z = c.zSize, In = c.encoderInputSize
        ck_pack_transposed(encInT.base, p + L.encWih + c.encoderStepColumn, In.c, encInT.K.c, (4 * E).c)
        ck_pack_transposed(encHhT.base, p + L.encWhh, E.c, E.c, (4 * E).c)
        ck_pack_transposed(mlT.base, p + L.mlW, E.c, E.c, (2 * Z).c)
        ck_pack_transposed(decIhT.base, p + L.decWih, Z.c, Z.c, (4 * D).c)
        ck_pack_transposed(decHhT.base, p + L.decWhh, D.c, D.c, (4 * D).c)
        ck_pack_transposed(headT.base, p + L.headW, D.c, D.c, c.headSize.c)
        forwardVersion = version
    }

    /// Packs the backward matrices from `p` unless they already hold parameter version `version`.
    func refreshBackward(_ p: UnsafePointer<Float>, version: Int) {
        guard backwardVersion != version else { return }
        let c = config, L = layout, E = c.encSize, D = c.decSize, Z = c.zSize, In = c.encoderInputSize
        ck_pack(headN.base, p + L.headW, D.c, c.headSize.c, D.c)
        ck_pack(decIhN.base, p + L.decWih, Z.c, (4 * D).c, Z.c)
        ck_pack(decHhN.base, p + L.decWhh, D.c, (4 * D).c, D.c)
        ck_pack(mlN.base, p + L.mlW, E.c, (2 * Z).c, E.c)
        ck_pack(encHhN.base, p + L.encWhh, E.c, (4 * E).c, E.c)
        ck_pack(encIhHdN.base, p + L.encWih + (In - D), In.c, (4 * E).c, D.c)
        if c.attention { ck_pack(encIhRN.base, p + L.encWih, In.c, (4 * E).c, c.readSize.c) }
        backwardVersion = version
    }
}

/// y (M, N) = b + x P, or += when accumulating: a forward product on a packed Wᵀ, using its first `in` rows.
@inline(__always) func linear(_ y: UnsafeMutablePointer<Float>, _ ldy: Int, _ x: UnsafePointer<Float>, _ ldx: Int,
                              _ w: PackedMatrix, _ b: UnsafePointer<Float>?, rows: Int, in: Int, out: Int,
                              accumulate: Bool) {
    ck_linear_forward_packed(y, ldy.c, x, ldx.c, w.base, w.K.c, b, rows.c, `in`.c, out.c, accumulate ? 1 : 0)
}

/// dx (M, N) += dy P: a backward product on a packed W (K = the layer's outputs).
@inline(__always) func accumulateProduct(_ dx: UnsafeMutablePointer<Float>, _ lddx: Int, _ dy: UnsafePointer<Float>,
                                         _ lddy: Int, _ w: PackedMatrix, rows: Int, out: Int) {
    ck_gemm_packed(dx, lddx.c, dy, lddy.c, w.base, w.K.c, rows.c, w.K.c, out.c, 1)
}

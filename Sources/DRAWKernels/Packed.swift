// Packed.swift: packed weight panels (ck_pack*) and the products that read them, behind shape checks.
import CKernels

/// A (K, N) matrix stored as `Kernels.packColumns`-wide column panels (ckernels.h "Packed weights"):
/// the layout `gemmPacked` and `linearForwardPacked` read. A view over a ShapedBuffer of at least
/// `PackedMatrix.count(rows:columns:)` floats.
public struct PackedMatrix {
    /// The packed floats (rank 1, contiguous).
    public let storage: ShapedBuffer
    /// K (rows, the product's inner dimension) and N (columns, the outputs).
    public let rows: Int, columns: Int

    /// Floats a packed (rows, columns) matrix takes (`ck_packed_size`).
    public static func count(rows: Int, columns: Int) -> Int { ck_packed_size(rows.c, columns.c) }

    /// Views `storage` as a packed (rows, columns) matrix; throws if it is too small or not contiguous.
    public init(_ storage: ShapedBuffer, rows: Int, columns: Int) throws(KernelError) {
        guard rows >= 1, columns >= 1, rows <= Int(Int32.max), columns <= Int(Int32.max) else {
            throw .badView(reason: "packed matrix of \(rows) x \(columns)")
        }
        let needed = Self.count(rows: rows, columns: columns)
        guard storage.isContiguous, storage.shape.count >= needed else {
            throw .badView(reason: "packed (\(rows), \(columns)) needs \(needed) contiguous floats, got \(storage.shape) with row stride \(storage.rowStride)")
        }
        (self.storage, self.rows, self.columns) = (storage, rows, columns)
    }

    /// A new zeroed packed (rows, columns) matrix that owns its storage.
    public static func zeros(rows: Int, columns: Int) throws(KernelError) -> PackedMatrix {
        try PackedMatrix(.zeros(Shape(max(count(rows: rows, columns: columns), 1))), rows: rows, columns: columns)
    }
}

extension Kernels {
    /// Columns per packed panel (CK_PACK_COLS).
    public static let packColumns = Int(CK_PACK_COLS)
}

/// packed = W, W (K, N) with any row stride, packed (K, N) (`ck_pack`; for dx = dy·W: K = out, N = in).
public func pack(_ packed: PackedMatrix, from w: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "pack"
    try expect(w, Shape(packed.rows, packed.columns), k, "w")
    var ops = Operands(k)
    ops.input("w", w)
    ops.output("packed", packed.storage)
    try ops.check()
    ck_pack(packed.storage.base, w.base, w.rowStride.c, packed.rows.c, packed.columns.c)
}

/// Rows [startRow, startRow + K) of packed (Kp, N) = Wᵀ with W (N, K), any row stride (`ck_pack_transposed_rows`;
/// startRow 0 and K = Kp is `ck_pack_transposed`, a linear layer's (out, in) weight as packed (in, out)).
/// Other rows are left alone, so several weights can be stacked along K.
public func packTransposed(_ packed: PackedMatrix, from w: ShapedBuffer, startRow: Int = 0) throws(KernelError) {
    let k: StaticString = "packTransposed"
    let K = try expectTransposedRows(w, columns: packed.columns, rows: packed.rows, startRow: startRow, k)
    var ops = Operands(k)
    ops.input("w", w)
    ops.output("packed", packed.storage)
    try ops.check()
    if startRow == 0 && K == packed.rows {
        ck_pack_transposed(packed.storage.base, w.base, w.rowStride.c, K.c, packed.columns.c)
    } else {
        ck_pack_transposed_rows(packed.storage.base, packed.rows.c, startRow.c, w.base, w.rowStride.c, K.c,
                                packed.columns.c)
    }
}

/// C (M, N) = A·P[startRow ..< startRow + K], or C += … when `accumulate` (`ck_gemm_packed`).
/// a: (M, K) with startRow + K ≤ P.rows, c: (M, N = P.columns), each with any row stride.
public func gemmPacked(c: ShapedBuffer, a: ShapedBuffer, packed: PackedMatrix, startRow: Int = 0,
                       accumulate: Bool = false) throws(KernelError) {
    let k: StaticString = "gemmPacked"
    try require(a.shape.rank == 2, k, "a", "has shape \(a.shape), expected (M, K)")
    let M = a.shape[0], K = a.shape[1]
    try requireRows(K, from: startRow, packed, k, "a")
    try expect(c, Shape(M, packed.columns), k, "c")
    var ops = Operands(k)
    ops.input("a", a); ops.input("packed", packed.storage)
    ops.output("c", c)
    try ops.check()
    // Row startRow of every panel is startRow·CK_PACK_COLS floats in; the panels stay packed.rows rows apart.
    ck_gemm_packed(c.base, c.rowStride.c, a.base, a.rowStride.c, packed.storage.base + startRow * Kernels.packColumns,
                   packed.rows.c, M.c, packed.columns.c, K.c, accumulate ? 1 : 0)
}

/// y = x·W[:, startRow ..< startRow + in]ᵀ + b with W packed transposed (packed (Kp, N), startRow + in ≤ Kp),
/// or y += … (`ck_linear_forward_packed`). y: (M, out) with out ≤ N (the first out outputs: generation's head product,
/// which needs no read head), x: (M, in), any row stride; bias: (out) or nil.
public func linearForwardPacked(y: ShapedBuffer, x: ShapedBuffer, weight: PackedMatrix, startRow: Int = 0,
                                bias: ShapedBuffer?, accumulate: Bool = false) throws(KernelError) {
    let k: StaticString = "linearForwardPacked"
    try require(x.shape.rank == 2, k, "x", "has shape \(x.shape), expected (M, in)")
    let M = x.shape[0], inputs = x.shape[1], out = min(y.shape[y.shape.rank - 1], weight.columns)
    try requireRows(inputs, from: startRow, weight, k, "x")
    try expect(y, Shape(M, out), k, "y")
    try expectDense(bias, Shape(out), k, "bias")
    var ops = Operands(k)
    ops.input("x", x); ops.input("weight", weight.storage); ops.input("bias", bias)
    ops.output("y", y)
    try ops.check()
    ck_linear_forward_packed(y.base, y.rowStride.c, x.base, x.rowStride.c,
                             weight.storage.base + startRow * Kernels.packColumns, weight.rows.c,
                             bias?.base, M.c, inputs.c, out.c, accumulate ? 1 : 0)
}

/// The K of a transposed pack's w (N, K): throws unless N is the packed matrix's columns and rows
/// [startRow, startRow + K) lie inside its `rows`.
func expectTransposedRows(_ w: ShapedBuffer, columns N: Int, rows: Int, startRow: Int,
                          _ k: StaticString) throws(KernelError) -> Int {
    try require(w.shape.rank == 2, k, "w", "has shape \(w.shape), expected (N, K)")
    let K = w.shape[1]
    try expect(w, Shape(N, K), k, "w")
    try require(startRow >= 0 && startRow + K <= rows, k, "startRow",
                "\(startRow) + K = \(K) rows do not fit the packed matrix's \(rows)")
    return K
}

/// Throws unless rows [startRow, startRow + K) lie inside the packed matrix (`argument` has K columns).
@inline(__always)
func requireRows(_ K: Int, from startRow: Int, _ packed: PackedMatrix, _ kernel: StaticString,
                 _ argument: StaticString) throws(KernelError) {
    try require(startRow >= 0 && startRow + K <= packed.rows, kernel, argument,
                "has K = \(K) columns from row \(startRow), the packed matrix only \(packed.rows) rows")
}

// BF16.swift: bfloat16 rounding, packed bf16 weight panels (ck_pack*_bf16) and the bf16 product, behind shape checks.
import CKernels

extension KernelRuntime {
    /// Forces a bf16 `path` (nil: automatic); a path the CPU lacks falls back to the best below it. Returns the path in effect.
    @discardableResult
    public static func force(bf16 path: BF16Path?) -> BF16Path {
        BF16Path(rawValue: ck_force_bf16_path(path?.rawValue ?? -1)) ?? .scalar
    }
}

/// bfloat16 as its 16 bits: the upper half of a float32.
public enum BFloat16 {
    /// `x` rounded to bf16 as vcvtneps2bf16 does: to nearest, ties to even; denormals to a signed zero; NaN stays NaN.
    public static func bits(_ x: Float) -> UInt16 { ck_bf16_from_float(x) }
    /// The float whose upper half is `bits` (exact).
    public static func float(_ bits: UInt16) -> Float { ck_bf16_to_float(bits) }
}

/// Contiguous bf16 words that a packed bf16 matrix lives in: borrowed, or owned (zeroed, 64-byte aligned).
public struct BF16Words {
    public let base: UnsafeMutablePointer<UInt16>
    public let count: Int
    private let owner: Storage<UInt16>?

    /// Borrows `memory` (at least one word).
    public init(_ memory: UnsafeMutableBufferPointer<UInt16>) throws(KernelError) {
        guard let base = memory.baseAddress, memory.count > 0 else { throw .badView(reason: "no memory for bf16 words") }
        (self.base, count, owner) = (base, memory.count, nil)
    }

    /// `count` new zeroed words, owned.
    public static func zeros(_ count: Int) throws(KernelError) -> BF16Words {
        guard count >= 1 else { throw .badView(reason: "\(count) bf16 words") }
        return BF16Words(Storage(count: count, zero: 0))
    }
    private init(_ storage: Storage<UInt16>) { (base, count, owner) = (storage.base, storage.count, storage) }

    /// The words, as a copy (tests).
    public var array: [UInt16] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// A (K, N) matrix packed as bf16 pair-row panels (ckernels.h: `CK_PACK_COLS` columns per panel, rows 2i and
/// 2i+1 interleaved, `ck_bf16_panel_pairs(K)` pair rows per panel), the layout `gemmPackedBF16` reads. Columns
/// past N and rows never packed must be zero: zero the words once when they are allocated.
public struct PackedBF16Matrix {
    /// The words, at least `PackedBF16Matrix.count(rows:columns:)` of them.
    public let storage: BF16Words
    /// K (rows, the product's inner dimension; several weights may be stacked along it) and N (columns, the outputs).
    public let rows: Int, columns: Int

    /// Words a packed bf16 (rows, columns) matrix takes (`ck_packed_size_bf16`).
    public static func count(rows: Int, columns: Int) -> Int { ck_packed_size_bf16(rows.c, columns.c) }

    /// Views `storage` as a packed (rows, columns) matrix; throws if it is too small.
    public init(_ storage: BF16Words, rows: Int, columns: Int) throws(KernelError) {
        guard rows >= 1, columns >= 1, rows <= Int(Int32.max) - 64, columns <= Int(Int32.max) else {
            throw .badView(reason: "packed bf16 matrix of \(rows) x \(columns)")
        }
        let needed = Self.count(rows: rows, columns: columns)
        guard storage.count >= needed else {
            throw .badView(reason: "packed bf16 (\(rows), \(columns)) needs \(needed) words, got \(storage.count)")
        }
        (self.storage, self.rows, self.columns) = (storage, rows, columns)
    }

    /// A new zeroed packed bf16 (rows, columns) matrix that owns its words.
    public static func zeros(rows: Int, columns: Int) throws(KernelError) -> PackedBF16Matrix {
        try PackedBF16Matrix(.zeros(max(count(rows: rows, columns: columns), 1)), rows: rows, columns: columns)
    }

    /// Floats of scratch `gemmPackedBF16` needs for `rows` rows of A and `k` inputs (`ck_bf16_scratch_floats`).
    public static func scratchCount(rows: Int, k: Int) -> Int { ck_bf16_scratch_floats(rows.c, k.c) }
}

/// packed = bf16(W), W (K, N) with any row stride (`ck_pack_bf16`); every word of the matrix, padding included,
/// is overwritten.
public func packBF16(_ packed: PackedBF16Matrix, from w: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "packBF16"
    try expect(w, Shape(packed.rows, packed.columns), k, "w")
    var ops = Operands(k)
    ops.input("w", w)
    ops.words("packed", packed.storage, isOutput: true)
    try ops.check()
    ck_pack_bf16(packed.storage.base, w.base, w.rowStride.c, packed.rows.c, packed.columns.c)
}

/// Rows [startRow, startRow + K) of packed (Kp, N) = bf16(Wᵀ), W (N, K) with any row stride
/// (`ck_pack_transposed_rows_bf16`; startRow may be odd). Other rows are left alone.
public func packTransposedBF16(_ packed: PackedBF16Matrix, from w: ShapedBuffer, startRow: Int = 0) throws(KernelError) {
    let k: StaticString = "packTransposedBF16"
    let K = try expectTransposedRows(w, columns: packed.columns, rows: packed.rows, startRow: startRow, k)
    var ops = Operands(k)
    ops.input("w", w)
    ops.words("packed", packed.storage, isOutput: true)
    try ops.check()
    ck_pack_transposed_rows_bf16(packed.storage.base, packed.rows.c, startRow.c, w.base, w.rowStride.c, K.c,
                                 packed.columns.c)
}

/// C (M, N) = bias + bf16(A)·P[startRow ..< startRow + K], or C += … when `accumulate`, summed in float32
/// (`ck_gemm_packed_bf16`). The same bits for any thread count.
/// Shapes:
/// - c: (M, N ≤ P.columns), any row stride: the first N outputs. a: (M, K), any row stride, with startRow + K ≤ P.rows.
/// - bias: (N) or nil.
/// - scratch: (`PackedBF16Matrix.scratchCount(rows: M, k: K)`), contiguous, overwritten (A converted).
public func gemmPackedBF16(c: ShapedBuffer, a: ShapedBuffer, packed: PackedBF16Matrix, startRow: Int = 0,
                           bias: ShapedBuffer?, scratch: ShapedBuffer, accumulate: Bool = false) throws(KernelError) {
    let k: StaticString = "gemmPackedBF16"
    try require(a.shape.rank == 2, k, "a", "has shape \(a.shape), expected (M, K)")
    let M = a.shape[0], K = a.shape[1]
    try require(startRow >= 0 && startRow + K <= packed.rows, k, "a",
                "has K = \(K) columns from row \(startRow), the packed matrix only \(packed.rows) rows")
    let N = min(c.shape[c.shape.rank - 1], packed.columns)
    try expect(c, Shape(M, N), k, "c")
    try expectDense(bias, Shape(N), k, "bias")
    try expectDense(scratch, Shape(PackedBF16Matrix.scratchCount(rows: M, k: K)), k, "scratch")
    var ops = Operands(k)
    ops.input("a", a); ops.words("packed", packed.storage, isOutput: false); ops.input("bias", bias)
    ops.output("c", c); ops.output("scratch", scratch)
    try ops.check()
    ck_gemm_packed_bf16(c.base, c.rowStride.c, a.base, a.rowStride.c, packed.storage.base, packed.rows.c, startRow.c,
                        M.c, N.c, K.c, accumulate ? 1 : 0, bias?.base, scratch.base)
}

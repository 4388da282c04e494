// ShapedBuffer.swift: a float32 view with a shape and a row stride over memory it borrows or owns: what every kernel takes.
/// A row-major float32 tensor view. The first dimension is the rows, with a row stride in floats (≥ the row
/// length, so a view can be some columns of a wider buffer, the header's `ld*`); the inner dimensions are
/// contiguous. Copying a view copies the pointer, never the floats.
///
/// Borrowing views (`init(_:shape:rowStride:)`) are valid while the memory is; owning ones
/// (`ShapedBuffer.zeros(_:)`) keep their storage alive as long as any copy of the view lives.
public struct ShapedBuffer {
    /// The first element.
    public let base: UnsafeMutablePointer<Float>
    public let shape: Shape
    /// Floats from one row to the next (the first dimension's stride).
    public let rowStride: Int
    private let owner: Storage<Float>?

    /// Borrows `memory` as `shape`, rows `rowStride` floats apart (default: contiguous).
    /// Throws if a dimension is below 1, the stride is shorter than a row, the view runs past `memory`'s end,
    /// or a size does not fit the kernels' C int.
    public init(_ memory: UnsafeMutableBufferPointer<Float>, shape: Shape, rowStride: Int? = nil) throws(KernelError) {
        guard let base = memory.baseAddress else { throw .badView(reason: "no memory for shape \(shape)") }
        try self.init(base: base, available: memory.count, shape: shape, rowStride: rowStride, owner: nil)
    }

    private init(base: UnsafeMutablePointer<Float>, available: Int, shape: Shape, rowStride: Int?,
                 owner: Storage<Float>?) throws(KernelError) {
        let stride = rowStride ?? shape.rowLength
        for i in 0..<shape.rank where shape[i] < 1 || shape[i] > Int(Int32.max) {
            throw .badView(reason: "dimension \(i) of \(shape) must be in 1...\(Int32.max)")
        }
        guard shape.rank > 1 || stride == shape.rowLength else {
            throw .badView(reason: "a rank-1 view \(shape) has no row stride, got \(stride)")
        }
        guard stride >= shape.rowLength else {
            throw .badView(reason: "row stride \(stride) is shorter than a row of \(shape) (\(shape.rowLength))")
        }
        let (span, o1) = (shape.rows - 1).multipliedReportingOverflow(by: stride)
        let (extent, o2) = span.addingReportingOverflow(shape.rowLength)
        guard !o1, !o2, extent <= Int(Int32.max) else {
            throw .badView(reason: "\(shape) with row stride \(stride) spans more than \(Int32.max) floats")
        }
        guard extent <= available else {
            throw .badView(reason: "\(shape) with row stride \(stride) needs \(extent) floats, memory has \(available)")
        }
        self.base = base
        self.shape = shape
        self.rowStride = stride
        self.owner = owner
    }

    /// A new zero-filled contiguous buffer that owns its storage.
    public static func zeros(_ shape: Shape) throws(KernelError) -> ShapedBuffer {
        let storage = Storage<Float>(count: max(shape.count, 1), zero: 0)
        return try ShapedBuffer(base: storage.base, available: storage.count, shape: shape, rowStride: nil,
                                owner: storage)
    }

    /// A new owning buffer holding `values` as `shape`.
    public init(_ values: [Float], shape: Shape) throws(KernelError) {
        guard values.count == shape.count else {
            throw .badView(reason: "\(values.count) values for shape \(shape) of \(shape.count)")
        }
        self = try .zeros(shape)
        for i in values.indices { base[i] = values[i] }
    }

    /// Floats from the first element to one past the last.
    public var extent: Int { (shape.rows - 1) * rowStride + shape.rowLength }
    /// Whether the rows follow each other with no gap (what a kernel without an `ld*` argument needs).
    public var isContiguous: Bool { rowStride == shape.rowLength || shape.rows == 1 }
    /// The strides of every dimension in floats, outermost first.
    public var strides: [Int] {
        (0..<shape.rank).map { i in i == 0 && shape.rank > 1 ? rowStride : (i + 1..<shape.rank).reduce(1) { $0 * shape[$1] } }
    }

    /// Columns `range` of a rank-2 view, keeping the row stride: e.g. h's columns of a `[r | h_enc | h_dec | z]` row.
    public func columns(_ range: Range<Int>) throws(KernelError) -> ShapedBuffer {
        guard shape.rank == 2, range.lowerBound >= 0, range.upperBound <= shape[1], !range.isEmpty else {
            throw .badView(reason: "columns \(range) of \(shape)")
        }
        return try ShapedBuffer(base: base + range.lowerBound, available: extent - range.lowerBound,
                                shape: Shape(shape[0], range.count), rowStride: rowStride, owner: owner)
    }

    /// The same floats seen as `shape` (same element count, contiguous views only).
    public func reshaped(_ newShape: Shape) throws(KernelError) -> ShapedBuffer {
        guard isContiguous, newShape.count == shape.count else {
            throw .badView(reason: "cannot view \(shape) (row stride \(rowStride)) as \(newShape)")
        }
        return try ShapedBuffer(base: base, available: extent, shape: newShape, rowStride: nil, owner: owner)
    }

    /// The floats in row-major order, strides skipped (a copy, for tests and printing).
    public var array: [Float] {
        var out: [Float] = []
        out.reserveCapacity(shape.count)
        for r in 0..<shape.rows { out += UnsafeBufferPointer(start: base + r * rowStride, count: shape.rowLength) }
        return out
    }
}

/// Memory an owning view (ShapedBuffer, BF16Words) keeps alive: 64-byte aligned, zeroed.
final class Storage<Element> {
    let base: UnsafeMutablePointer<Element>
    let count: Int
    init(count: Int, zero: Element) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Element>.stride, alignment: 64)
        base = raw.initializeMemory(as: Element.self, repeating: zero, count: count)
    }
    deinit { UnsafeMutableRawPointer(base).deallocate() }
}

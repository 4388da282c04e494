// Checks.swift: the shape, stride and aliasing checks every kernel wrapper runs: integer comparisons, no allocation.

/// Throws `.shapeMismatch` unless `b` has shape `expected`.
@inline(__always)
func expect(_ b: ShapedBuffer, _ expected: Shape, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    if b.shape != expected {
        throw .shapeMismatch(kernel: "\(kernel)", argument: "\(argument)", expected: expected, got: b.shape)
    }
}

/// `expect` for an optional argument (nil passes).
@inline(__always)
func expect(_ b: ShapedBuffer?, _ expected: Shape, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    if let b { try expect(b, expected, kernel, argument) }
}

/// Throws `.badStride` unless `b` is one contiguous block (the header gives it no `ld*`).
@inline(__always)
func expectContiguous(_ b: ShapedBuffer?, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    if let b, !b.isContiguous {
        throw .badStride(kernel: "\(kernel)", argument: "\(argument)", shape: b.shape, rowStride: b.rowStride,
                         expected: b.shape.rowLength)
    }
}

/// Throws `.badStride` unless `b`'s rows are `stride` floats apart (two arguments that share one `ld*`).
@inline(__always)
func expectRowStride(_ b: ShapedBuffer, _ stride: Int, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    if b.rowStride != stride {
        throw .badStride(kernel: "\(kernel)", argument: "\(argument)", shape: b.shape, rowStride: b.rowStride,
                         expected: stride)
    }
}

/// `expect` plus `expectContiguous`.
@inline(__always)
func expectDense(_ b: ShapedBuffer?, _ expected: Shape, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    try expect(b, expected, kernel, argument)
    try expectContiguous(b, kernel, argument)
}

/// Throws `.outOfRange` unless `ok`.
@inline(__always)
func require(_ ok: Bool, _ kernel: StaticString, _ argument: StaticString, _ reason: @autoclosure () -> String) throws(KernelError) {
    if !ok { throw .outOfRange(kernel: "\(kernel)", argument: "\(argument)", reason: reason()) }
}

/// Throws unless the attention window size is in 2…CK_MAX_N (the kernels' stack scratch is sized by it).
@inline(__always)
func requireWindow(_ N: Int, _ kernel: StaticString, _ argument: StaticString) throws(KernelError) {
    try require(N >= 2 && N <= Kernels.maxWindow, kernel, argument,
                "gives window N = \(N), must be in 2...\(Kernels.maxWindow) (CK_MAX_N)")
}

/// Whether two views share a float. Exact for views with one row stride (columns side by side in one row buffer
/// do not overlap); otherwise any intersection of their address ranges counts.
func overlaps(_ a: ShapedBuffer, _ b: ShapedBuffer) -> Bool {
    let lo = Int(bitPattern: a.base), hi = lo + 4 * a.extent
    let bLo = Int(bitPattern: b.base), bHi = bLo + 4 * b.extent
    if hi <= bLo || bHi <= lo { return false }
    guard a.shape.rank > 1, b.shape.rank > 1, a.rowStride == b.rowStride, (bLo - lo) % 4 == 0 else { return true }
    let ld = a.rowStride
    let d = (((bLo - lo) / 4) % ld + ld) % ld
    // a covers columns [0, wa) of each row mod ld, b covers [d, d + wb): disjoint iff b fits in the gap.
    return !(a.shape.rowLength <= d && d + b.shape.rowLength <= ld)
}

/// The arguments of one call, for the aliasing rule: no output shares memory with another argument, except
/// an in-place pair the header allows, which must then be the very same view. Stored inline (no allocation).
struct Operands {
    struct Entry {
        var name: StaticString = ""
        var buffer: ShapedBuffer?
        /// Bytes [lo, hi) of an argument that is not a float view (bf16 panels); (0, 0) for none.
        var bytes = (lo: 0, hi: 0)
        var isOutput = false
        /// Index of the entry this output may be identical to, or -1.
        var mayBe = -1
    }
    let kernel: StaticString
    private var entries = InlineArray<12, Entry>(repeating: Entry())
    private var count = 0

    init(_ kernel: StaticString) { self.kernel = kernel }

    /// Adds an input; returns its index for `output(_:_:mayBe:)`.
    @discardableResult
    mutating func input(_ name: StaticString, _ b: ShapedBuffer?) -> Int {
        entries[count] = Entry(name: name, buffer: b)
        count += 1
        return count - 1
    }
    /// Adds an output; `mayBe` names an earlier entry it may be identical to (in place).
    mutating func output(_ name: StaticString, _ b: ShapedBuffer?, mayBe: Int = -1) {
        entries[count] = Entry(name: name, buffer: b, isOutput: true, mayBe: mayBe)
        count += 1
    }
    /// Adds bf16 words as an input or an output (compared by address range only).
    mutating func words(_ name: StaticString, _ w: BF16Words, isOutput: Bool) {
        let lo = Int(bitPattern: w.base)
        entries[count] = Entry(name: name, bytes: (lo, lo + 2 * w.count), isOutput: isOutput)
        count += 1
    }

    /// Whether two entries share memory: exact for float views, address ranges otherwise.
    private func overlap(_ a: Entry, _ b: Entry) -> Bool {
        if let x = a.buffer, let y = b.buffer { return overlaps(x, y) }
        let ra = a.buffer.map(Self.range) ?? a.bytes, rb = b.buffer.map(Self.range) ?? b.bytes
        return ra.hi > ra.lo && rb.hi > rb.lo && ra.lo < rb.hi && rb.lo < ra.hi
    }
    private static func range(_ b: ShapedBuffer) -> (lo: Int, hi: Int) {
        let lo = Int(bitPattern: b.base)
        return (lo, lo + 4 * b.extent)
    }

    func check() throws(KernelError) {
        for i in 0..<count where entries[i].isOutput {
            for j in 0..<count where j != i && (j > i || !entries[j].isOutput) {
                if entries[i].mayBe == j || entries[j].mayBe == i, let a = entries[i].buffer, let b = entries[j].buffer,
                   a.base == b.base, a.shape == b.shape, a.rowStride == b.rowStride { continue }
                if overlap(entries[i], entries[j]) {
                    throw .overlap(kernel: "\(kernel)", argument: "\(entries[i].name)", other: "\(entries[j].name)")
                }
            }
        }
    }
}

extension Int {
    /// The C int a kernel takes; every view's sizes were checked to fit when it was made.
    @inline(__always) var c: Int32 { Int32(truncatingIfNeeded: self) }
}

// KernelArguments.swift: named random kernel arguments, their clones for the raw C call, and the wrong-shape sweep.
import DRAWKernels
import DRAWTestSupport
import Testing

/// A kernel call's arguments by header name, in owning buffers (a row stride wider than the row where asked).
final class KernelArguments {
    var buffers: [String: ShapedBuffer] = [:]
    private var rng: SeededRNG

    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    /// A random (range) argument of `shape`; rank 2 with `padding` extra floats per row as a columns view.
    func add(_ name: String, _ shape: Shape, padding: Int = 0, in range: ClosedRange<Float> = -1...1) {
        var b = try! ShapedBuffer.zeros(shape.rank == 2 && padding > 0 ? Shape(shape[0], shape[1] + padding) : shape)
        if shape.rank == 2 && padding > 0 { b = try! b.columns(0..<shape[1]) }
        for i in 0..<b.extent { b.base[i] = Float.random(in: range, using: &rng) }
        buffers[name] = b
    }

    subscript(name: String) -> ShapedBuffer { buffers[name]! }

    /// The same arguments in new memory (same shapes, strides and values, padding included).
    func clone() -> KernelArguments {
        let copy = KernelArguments(seed: 0)
        for (name, b) in buffers {
            let storage = try! ShapedBuffer.zeros(Shape(b.extent))
            storage.base.update(from: b.base, count: b.extent)
            copy.buffers[name] = try! ShapedBuffer(UnsafeMutableBufferPointer(start: storage.base, count: b.extent),
                                                   shape: b.shape, rowStride: b.rowStride)
            copy.keepAlive.append(storage)
        }
        return copy
    }
    private var keepAlive: [ShapedBuffer] = []

    /// Every element of every argument, as bits. (Padding is left out: views side by side in one row buffer, like
    /// mu and logSigma, hold each other's elements there. The kernels' own tests guard padding with sentinels.)
    var bits: [String: [UInt32]] { buffers.mapValues { $0.array.map(\.bitPattern) } }
}

/// Runs `call` through the Swift API on `args` and `raw` (the C function) on a clone, and expects every argument,
/// outputs and inputs and padding, to hold the same bits afterwards. Holds the SIMD-path lock so both run one path.
func expectSameAsRawCall(_ args: KernelArguments, _ call: (KernelArguments) throws(KernelError) -> Void,
                         raw: (KernelArguments) -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let copy = args.clone()
    PointwiseReference.simdPathLock.lock()
    defer { PointwiseReference.simdPathLock.unlock() }
    try call(args)
    raw(copy)
    let a = args.bits, b = copy.bits
    for name in a.keys.sorted() {
        #expect(a[name] == b[name], "\(name) differs from the raw C call", sourceLocation: sourceLocation)
    }
}

/// For every argument in turn, a wrong shape (last dimension + 1, and for rank ≥ 2 also first dimension + 1) must
/// throw before anything runs. Arguments outside `defining` must be named in a `.shapeMismatch` with the expected
/// (the right) shape and the one given; a defining argument (one the sizes are read from) must make some check fail,
/// except for the dimensions in `free` (name → dimension) that no other argument repeats (attentionForward's Fx
/// (B, N, W + 1) is the right call for an image one wider).
func expectWrongShapesRefused(_ kernel: String, _ args: KernelArguments, defining: Set<String>,
                              free: [String: Int] = [:],
                              _ call: (KernelArguments) throws(KernelError) -> Void,
                              sourceLocation: SourceLocation = #_sourceLocation) {
    for (name, good) in args.buffers {
        let s = good.shape
        var wrong: [Shape] = [grow(s, at: s.rank - 1)]
        if s.rank > 1 { wrong.append(grow(s, at: 0)) }
        for bad in wrong where !(free[name].map { bad[$0] != s[$0] } ?? false) {
            let before = args.bits
            args.buffers[name] = try! .zeros(bad)
            defer { args.buffers[name] = good }
            do {
                try call(args)
                Issue.record("\(kernel): \(name) of shape \(bad) (right: \(s)) was accepted", sourceLocation: sourceLocation)
            } catch {
                if !defining.contains(name) {
                    #expect(error == .shapeMismatch(kernel: kernel, argument: name, expected: s, got: bad),
                            "\(kernel): \(name) \(bad): \(error)", sourceLocation: sourceLocation)
                }
                #expect("\(error)".hasPrefix(kernel + ": "), "\(error)", sourceLocation: sourceLocation)
            }
            var after = args.bits
            after[name] = before[name]
            #expect(after == before, "\(kernel): a refused call wrote something", sourceLocation: sourceLocation)
        }
    }
}

/// `s` with dimension `i` one larger.
func grow(_ s: Shape, at i: Int) -> Shape {
    let d = (0..<4).map { s[$0] + ($0 == i ? 1 : 0) }
    switch s.rank {
    case 1: return Shape(d[0])
    case 2: return Shape(d[0], d[1])
    case 3: return Shape(d[0], d[1], d[2])
    default: return Shape(d[0], d[1], d[2], d[3])
    }
}

extension ShapedBuffer {
    /// The row stride as the C `ld*` argument, for the raw calls.
    var ld: Int32 { Int32(rowStride) }
}

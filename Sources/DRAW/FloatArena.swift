// FloatArena.swift: one 64-byte-aligned, zeroed float allocation carved into named buffers, plus per-step views.
import Foundation

/// Owns one aligned block of floats; `take(_:)` hands out 16-float-aligned pieces of it.
/// Reserve everything first (`FloatArena.Plan`), then allocate once: no allocation happens afterwards.
final class FloatArena {
    struct Plan {
        private(set) var count = 0
        /// Reserves `n` floats and returns their offset; offsets are multiples of 16 floats (64 bytes).
        mutating func reserve(_ n: Int) -> Int {
            let offset = count
            count += (n + 15) / 16 * 16
            return offset
        }
    }

    let base: UnsafeMutablePointer<Float>
    let count: Int

    init(_ plan: Plan) {
        count = max(plan.count, 16)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        memset(raw, 0, count * MemoryLayout<Float>.stride)
        base = raw.bindMemory(to: Float.self, capacity: count)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    subscript(offset: Int) -> UnsafeMutablePointer<Float> { base + offset }
    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
}

/// A per-time-step view of a [steps][B][width] buffer, indexed by SPEC.md's t (`first` is the lowest t stored).
struct StepBuffer {
    let base: UnsafeMutablePointer<Float>
    /// Floats per step (B · width).
    let stride: Int
    let first: Int

    subscript(t: Int) -> UnsafeMutablePointer<Float> { base + (t - first) * stride }
}

/// memset / memcpy on floats: plain Swift loops are slow in debug builds, these are not.
@inline(__always) func zero(_ p: UnsafeMutablePointer<Float>, _ n: Int) { memset(p, 0, n * MemoryLayout<Float>.stride) }
@inline(__always) func copy(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    memcpy(dst, src, n * MemoryLayout<Float>.stride)
}

/// dst[i] += src[i] for n floats (short vectors: biases).
@inline(__always) func add(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { dst[i] += src[i] }
}

/// Row r of a dense (rows, columns) block times scales[r], in place.
@inline(__always) func scaleRows(_ p: UnsafeMutablePointer<Float>, rows: Int, columns: Int, by scales: UnsafePointer<Float>) {
    for r in 0..<rows {
        let row = p + r * columns, k = scales[r]
        for j in 0..<columns { row[j] *= k }
    }
}

/// Copies a (rows, columns) block between buffers with row strides ldd and lds (in floats).
@inline(__always) func copyRows(_ dst: UnsafeMutablePointer<Float>, _ ldd: Int, _ src: UnsafePointer<Float>, _ lds: Int,
                                rows: Int, columns: Int) {
    for i in 0..<rows { memcpy(dst + i * ldd, src + i * lds, columns * MemoryLayout<Float>.stride) }
}

extension Int {
    /// The C kernels take `int` sizes; the config's validation keeps them in range.
    @inline(__always) var c: Int32 { Int32(self) }
}

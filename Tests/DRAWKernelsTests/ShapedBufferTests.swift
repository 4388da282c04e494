// ShapedBufferTests.swift: views (bounds, strides, columns), the aliasing rule, and the error messages users read.
import DRAWKernels
import Testing

@Suite struct ShapedBufferTests {
    @Test func viewsMustFitTheirMemory() throws {
        var memory = [Float](repeating: 0, count: 20)
        try memory.withUnsafeMutableBufferPointer { m in
            let v = try ShapedBuffer(m, shape: Shape(3, 4), rowStride: 8)  // (3 − 1)·8 + 4 = 20 floats
            #expect(v.extent == 20 && v.strides == [8, 1] && !v.isContiguous)
            #expect(throws: KernelError.self) { try ShapedBuffer(m, shape: Shape(3, 4), rowStride: 9) }
            #expect(throws: KernelError.self) { try ShapedBuffer(m, shape: Shape(3, 4), rowStride: 3) }
            #expect(throws: KernelError.self) { try ShapedBuffer(m, shape: Shape(21)) }
            #expect(throws: KernelError.self) { try ShapedBuffer(m, shape: Shape(0, 4)) }
            #expect(throws: KernelError.self) { try ShapedBuffer(m, shape: Shape(4), rowStride: 5) }
            #expect(try ShapedBuffer(m, shape: Shape(2, 2, 5)).strides == [10, 5, 1])
        }
        let owned = try ShapedBuffer([1, 2, 3, 4, 5, 6], shape: Shape(2, 3))
        #expect(try owned.columns(1..<3).array == [2, 3, 5, 6])
        #expect(try owned.reshaped(Shape(3, 2)).shape == Shape(3, 2))
        #expect(throws: KernelError.self) { try owned.columns(1..<3).reshaped(Shape(4)) }
        #expect(throws: KernelError.self) { try owned.columns(2..<4) }
    }

    /// Columns side by side in one row buffer do not overlap; rows that share floats, or a partial shift, do.
    @Test func aliasingRule() throws {
        let row = try ShapedBuffer.zeros(Shape(4, 9))   // a [mu | logσ | z] row of Z = 3 each
        let mu = try row.columns(0..<3), logSigma = try row.columns(3..<6), z = try row.columns(6..<9)
        let kl = try ShapedBuffer.zeros(Shape(4))
        try latentForward(z: z, kl: kl, mu: mu, logSigma: logSigma, eps: nil)
        #expect(throws: KernelError.overlap(kernel: "latentForward", argument: "z", other: "logSigma")) {
            try latentForward(z: row.columns(5..<8), kl: kl, mu: mu, logSigma: logSigma, eps: nil)
        }
        #expect(throws: KernelError.overlap(kernel: "latentForward", argument: "kl", other: "mu")) {
            try latentForward(z: z, kl: ShapedBuffer(UnsafeMutableBufferPointer(start: row.base, count: 4), shape: Shape(4)),
                              mu: mu, logSigma: logSigma, eps: nil)
        }
        // In place is allowed only as the very same view: canvas shifted by one float against canvasPrev is refused.
        let canvas = try ShapedBuffer.zeros(Shape(1, 1, 4, 4)), shifted = try ShapedBuffer.zeros(Shape(17))
        let a = try ShapedBuffer(UnsafeMutableBufferPointer(start: shifted.base, count: 16), shape: Shape(1, 1, 4, 4))
        let b = try ShapedBuffer(UnsafeMutableBufferPointer(start: shifted.base + 1, count: 16), shape: Shape(1, 1, 4, 4))
        let params = try ShapedBuffer([2, 2, 1, 1, 1], shape: Shape(1, 5))
        let Fx = try ShapedBuffer.zeros(Shape(1, 2, 4)), Fy = try ShapedBuffer.zeros(Shape(1, 2, 4))
        let w = try ShapedBuffer.zeros(Shape(1, 4))
        try writeForward(canvas: canvas, canvasPrev: canvas, w: w, Fx: Fx, Fy: Fy, params: params)
        #expect(throws: KernelError.overlap(kernel: "writeForward", argument: "canvas", other: "canvasPrev")) {
            try writeForward(canvas: b, canvasPrev: a, w: w, Fx: Fx, Fy: Fy, params: params)
        }
    }

    @Test func stridesAndRanges() throws {
        let wide = try ShapedBuffer.zeros(Shape(3, 12))
        let c = try ShapedBuffer.zeros(Shape(3, 3)), pre = try ShapedBuffer.zeros(Shape(3, 12))
        // pre has no ld* in the header: a strided view of it is refused, naming its stride.
        #expect(throws: KernelError.badStride(kernel: "lstmForward", argument: "pre", shape: Shape(3, 12), rowStride: 14,
                                              expected: 12)) {
            try lstmForward(h: wide.columns(0..<3), c: c, act: pre, pre: ShapedBuffer.zeros(Shape(3, 14)).columns(0..<12), cPrev: nil)
        }
        // mu and logSigma share one ld in the header.
        let kl = try ShapedBuffer.zeros(Shape(3))
        #expect(throws: KernelError.badStride(kernel: "latentForward", argument: "logSigma", shape: Shape(3, 2), rowStride: 2,
                                              expected: 12)) {
            try latentForward(z: .zeros(Shape(3, 2)), kl: kl, mu: wide.columns(0..<2), logSigma: .zeros(Shape(3, 2)), eps: nil)
        }
        // Windows above CK_MAX_N are refused (the kernels' scratch is on the stack).
        let N = Kernels.maxWindow + 1
        #expect(throws: KernelError.self) {
            try attentionForward(params: .zeros(Shape(1, 5)), Fx: .zeros(Shape(1, N, 4)), Fy: .zeros(Shape(1, N, 4)),
                                 head: .zeros(Shape(1, 5)))
        }
    }

    @Test func messagesNameKernelArgumentAndBothShapes() {
        let e = KernelError.shapeMismatch(kernel: "readForward", argument: "T", expected: Shape(64, 6, 5, 64),
                                          got: Shape(64, 6, 5, 63))
        #expect(e.description == "readForward: T has shape (64, 6, 5, 63), expected (64, 6, 5, 64)")
    }
}

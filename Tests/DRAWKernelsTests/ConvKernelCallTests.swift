// ConvKernelCallTests.swift: the convolution and pointwise conv-net wrappers match their raw C calls bit for bit and refuse every wrong shape.
import CKernels
import DRAWKernels
import DRAWTestSupport
import Testing

/// Odd sizes: B 2, C 3, a 7 × 9 image, 3 × 3 kernel with stride 2 and pad 1 (Ho 4, Wo 5), O 5; pointwise sizes 37 and 33.
@Suite struct ConvKernelCallTests {
    static let B = 2, C = 3, H = 7, W = 9, O = 5
    static let geometry = try! ConvolutionGeometry(input: Shape(B, C, H, W), kernel: 3, stride: 2, pad: 1)

    @Test func geometry() throws {
        let g = Self.geometry
        #expect((g.outputHeight, g.outputWidth) == (4, 5))
        #expect(g.columns == Shape(27, 40) && g.output(channels: 5) == Shape(2, 5, 4, 5))
        #expect(throws: KernelError.self) { try ConvolutionGeometry(input: Shape(2, 3, 7), kernel: 3) }
        #expect(throws: KernelError.self) { try ConvolutionGeometry(input: Shape(1, 1, 2, 9), kernel: 3) }
        #expect(throws: KernelError.self) { try ConvolutionGeometry(input: Shape(1, 1, 7, 9), kernel: 3, stride: 0) }
        #expect(throws: KernelError.self) { try ConvolutionGeometry(input: Shape(1, 1, 7, 9), kernel: 3, pad: -1) }
        _ = try ConvolutionGeometry(input: Shape(1, 1, 2, 2), kernel: 3, pad: 1)  // the padded image holds one window
    }

    @Test func im2colAndCol2im() throws {
        let g = Self.geometry
        let a = KernelArguments(seed: 31)
        a.add("x", g.input); a.add("col", g.columns)
        let forward = { (a: KernelArguments) throws(KernelError) in try im2col(col: a["col"], x: a["x"], g) }
        try expectSameAsRawCall(a, forward) { a in ck_im2col(a["col"].base, a["x"].base, 2, 3, 7, 9, 3, 2, 1) }
        expectWrongShapesRefused("im2col", a, defining: [], forward)

        let b = KernelArguments(seed: 32)
        b.add("dx", g.input); b.add("dcol", g.columns)
        let adjoint = { (b: KernelArguments) throws(KernelError) in try col2im(dx: b["dx"], dcol: b["dcol"], g) }
        try expectSameAsRawCall(b, adjoint) { b in ck_col2im(b["dx"].base, b["dcol"].base, 2, 3, 7, 9, 3, 2, 1) }
        expectWrongShapesRefused("col2im", b, defining: [], adjoint)
        #expect(throws: KernelError.overlap(kernel: "col2im", argument: "dx", other: "dcol")) {
            try col2im(dx: borrow(b["dcol"], as: g.input), dcol: b["dcol"], g)
        }
    }

    /// The forward's arguments become the backward's: y and bias leave, the gradients and dy arrive, x leaves.
    private static func becomeBackwardArguments(_ a: KernelArguments) {
        let (g, O) = (geometry, Self.O)
        for name in ["y", "bias"] { a.buffers[name] = nil }
        a.add("dx", g.input); a.add("dweight", g.weight(channels: O)); a.add("dbias", Shape(O))
        a.add("dcol", g.columns); a.add("dy", g.output(channels: O))
        a.buffers["x"] = nil
    }

    @Test func conv2d() throws {
        let (g, O) = (Self.geometry, Self.O)
        let a = KernelArguments(seed: 33)
        a.add("x", g.input); a.add("weight", g.weight(channels: O), in: -0.3...0.3); a.add("bias", Shape(O))
        a.add("y", g.output(channels: O)); a.add("col", g.columns); a.add("work", g.work(channels: O))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try conv2dForward(y: a["y"], col: a["col"], work: a["work"], x: a["x"], weight: a["weight"], bias: a["bias"], g)
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_conv2d_forward(a["y"].base, a["col"].base, a["work"].base, a["x"].base, a["weight"].base, a["bias"].base,
                              2, 3, 7, 9, 5, 3, 2, 1)
        }
        expectWrongShapesRefused("conv2dForward", a, defining: ["weight"], forward)
        #expect(throws: KernelError.overlap(kernel: "conv2dForward", argument: "work", other: "x")) {
            try conv2dForward(y: a["y"], col: a["col"], work: borrow(a["x"], as: g.work(channels: O)), x: a["x"],
                              weight: a["weight"], bias: nil, g)
        }

        Self.becomeBackwardArguments(a)
        let backward = { (a: KernelArguments) throws(KernelError) in
            try conv2dBackward(dx: a["dx"], dweight: a["dweight"], dbias: a["dbias"], work: a["work"], dcol: a["dcol"],
                               dy: a["dy"], col: a["col"], weight: a["weight"], g)
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_conv2d_backward(a["dx"].base, a["dweight"].base, a["dbias"].base, a["work"].base, a["dcol"].base,
                               a["dy"].base, a["col"].base, a["weight"].base, 2, 3, 7, 9, 5, 3, 2, 1)
        }
        expectWrongShapesRefused("conv2dBackward", a, defining: ["weight"], backward)
        #expect(throws: KernelError.outOfRange(kernel: "conv2dBackward", argument: "dcol", reason: "is nil, but dx needs it as scratch")) {
            try conv2dBackward(dx: a["dx"], dweight: nil, dbias: nil, work: a["work"], dcol: nil, dy: a["dy"],
                               col: a["col"], weight: a["weight"], g)
        }
        // Parameters only (the first layer of a net whose input needs no gradient): no dcol.
        try conv2dBackward(dx: nil, dweight: a["dweight"], dbias: a["dbias"], work: a["work"], dcol: nil, dy: a["dy"],
                           col: a["col"], weight: a["weight"], g)
    }

    /// The bf16 products (`bf16Scratch:`): the same call as the raw bf16 kernels, wrong shapes (the scratch's
    /// among them) refused before any C runs.
    @Test func conv2dBF16() throws {
        let (g, O) = (Self.geometry, Self.O)
        let a = KernelArguments(seed: 36)
        a.add("x", g.input); a.add("weight", g.weight(channels: O), in: -0.3...0.3); a.add("bias", Shape(O))
        a.add("y", g.output(channels: O)); a.add("col", g.columns); a.add("work", g.work(channels: O))
        a.add("bf16Scratch", g.bf16Scratch(channels: O))
        #expect(g.bf16Scratch(channels: O).count == Int(ck_conv2d_bf16_scratch_floats(2, 3, 7, 9, 5, 3, 2, 1)))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try conv2dForward(y: a["y"], col: a["col"], work: a["work"], x: a["x"], weight: a["weight"], bias: a["bias"],
                              bf16Scratch: a["bf16Scratch"], g)
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_conv2d_forward_bf16(a["y"].base, a["col"].base, a["work"].base, a["bf16Scratch"].base, a["x"].base,
                                   a["weight"].base, a["bias"].base, 2, 3, 7, 9, 5, 3, 2, 1)
        }
        expectWrongShapesRefused("conv2dForward", a, defining: ["weight"], forward)

        Self.becomeBackwardArguments(a)
        let backward = { (a: KernelArguments) throws(KernelError) in
            try conv2dBackward(dx: a["dx"], dweight: a["dweight"], dbias: a["dbias"], work: a["work"], dcol: a["dcol"],
                               bf16Scratch: a["bf16Scratch"], dy: a["dy"], col: a["col"], weight: a["weight"], g)
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_conv2d_backward_bf16(a["dx"].base, a["dweight"].base, a["dbias"].base, a["work"].base, a["dcol"].base,
                                    a["bf16Scratch"].base, a["dy"].base, a["col"].base, a["weight"].base, 2, 3, 7, 9, 5, 3, 2, 1)
        }
        expectWrongShapesRefused("conv2dBackward", a, defining: ["weight"], backward)
    }

    @Test func leakyReLU() throws {
        let a = KernelArguments(seed: 34)
        a.add("x", Shape(37)); a.add("y", Shape(37))
        let forward = { (a: KernelArguments) throws(KernelError) in try leakyReLUForward(y: a["y"], x: a["x"], slope: 0.2) }
        try expectSameAsRawCall(a, forward) { a in ck_leaky_relu_forward(a["y"].base, a["x"].base, 37, 0.2) }
        expectWrongShapesRefused("leakyReLUForward", a, defining: ["x"], forward)
        try leakyReLUForward(y: a["x"], x: a["x"], slope: 0)  // in place is allowed

        a.add("dx", Shape(37)); a.add("dy", Shape(37)); a.buffers["x"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try leakyReLUBackward(dx: a["dx"], dy: a["dy"], y: a["y"], slope: 0.2)
        }
        try expectSameAsRawCall(a, backward) { a in ck_leaky_relu_backward(a["dx"].base, a["dy"].base, a["y"].base, 37, 0.2) }
        expectWrongShapesRefused("leakyReLUBackward", a, defining: ["y"], backward)
        #expect(throws: KernelError.self) { try leakyReLUBackward(dx: a["dx"], dy: a["dy"], y: a["y"], slope: -0.1) }
        #expect(throws: KernelError.overlap(kernel: "leakyReLUBackward", argument: "dx", other: "dy")) {
            try leakyReLUBackward(dx: a["dy"], dy: a["dy"], y: a["y"], slope: 0.2)
        }
    }

    @Test func sigmoidBackwardAndSquaredDistance() throws {
        let (B, P) = (3, 33)
        let a = KernelArguments(seed: 35)
        a.add("dx", Shape(B, P)); a.add("dy", Shape(B, P)); a.add("y", Shape(B, P), in: 0...1)
        let sigmoid = { (a: KernelArguments) throws(KernelError) in try sigmoidBackward(dx: a["dx"], dy: a["dy"], y: a["y"]) }
        try expectSameAsRawCall(a, sigmoid) { a in ck_sigmoid_backward(a["dx"].base, a["dy"].base, a["y"].base, 3, 33) }
        expectWrongShapesRefused("sigmoidBackward", a, defining: ["y"], sigmoid)

        let d = KernelArguments(seed: 36)
        d.add("a", Shape(B, P)); d.add("target", Shape(B, P)); d.add("loss", Shape(B))
        let forward = { (d: KernelArguments) throws(KernelError) in
            try squaredDistanceForward(loss: d["loss"], a: d["a"], target: d["target"])
        }
        try expectSameAsRawCall(d, forward) { d in ck_sqdist_forward(d["loss"].base, d["a"].base, d["target"].base, 3, 33) }
        expectWrongShapesRefused("squaredDistanceForward", d, defining: ["a"], forward)

        d.add("da", Shape(B, P)); d.add("dloss", Shape(B)); d.buffers["loss"] = nil
        let backward = { (d: KernelArguments) throws(KernelError) in
            try squaredDistanceBackward(da: d["da"], dloss: d["dloss"], a: d["a"], target: d["target"])
        }
        try expectSameAsRawCall(d, backward) { d in
            ck_sqdist_backward(d["da"].base, d["dloss"].base, d["a"].base, d["target"].base, 3, 33)
        }
        expectWrongShapesRefused("squaredDistanceBackward", d, defining: ["a"], backward)
    }
}

/// Another view (`shape`, contiguous) over the first floats of `b`'s memory, to provoke an overlap.
func borrow(_ b: ShapedBuffer, as shape: Shape) throws(KernelError) -> ShapedBuffer {
    try ShapedBuffer(UnsafeMutableBufferPointer(start: b.base, count: b.extent), shape: shape)
}

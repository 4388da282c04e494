// KernelCallTests.swift: every DRAWKernels function matches its raw C call bit for bit and refuses every wrong shape.
import CKernels
import DRAWKernels
import DRAWTestSupport
import Testing

/// Odd sizes throughout (B 3, C 2, H 7, W 9, N 3, LSTM 5, Z 3) and padded rows where the header has an `ld*`.
@Suite struct KernelCallTests {
    static let B = 3, C = 2, H = 7, W = 9, N = 3, L = 5, Z = 3

    /// A window on the image: head, params, Fx, Fy filled by the C attention forward.
    static func window(_ a: KernelArguments) {
        a.add("head", Shape(B, 5), padding: 2, in: -0.3...0.3)
        a.add("params", Shape(B, 5)); a.add("Fx", Shape(B, N, W)); a.add("Fy", Shape(B, N, H))
        ck_attention_forward(a["params"].base, a["Fx"].base, a["Fy"].base, a["head"].base, a["head"].ld,
                             Int32(B), Int32(H), Int32(W), Int32(N))
        a.buffers["head"] = nil
    }

    @Test func attention() throws {
        let a = KernelArguments(seed: 1)
        a.add("head", Shape(Self.B, 5), padding: 3, in: -0.5...0.5)
        a.add("params", Shape(Self.B, 5)); a.add("Fx", Shape(Self.B, Self.N, Self.W)); a.add("Fy", Shape(Self.B, Self.N, Self.H))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try attentionForward(params: a["params"], Fx: a["Fx"], Fy: a["Fy"], head: a["head"])
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_attention_forward(a["params"].base, a["Fx"].base, a["Fy"].base, a["head"].base, 8, 3, 7, 9, 3)
        }
        expectWrongShapesRefused("attentionForward", a, defining: ["head", "Fx", "Fy"], free: ["Fx": 2, "Fy": 2], forward)

        for name in ["dhead", "dparams"] { a.add(name, Shape(Self.B, 5)) }
        a.add("dFx", Shape(Self.B, Self.N, Self.W)); a.add("dFy", Shape(Self.B, Self.N, Self.H))
        a.buffers["head"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try attentionBackward(dhead: a["dhead"], dparams: a["dparams"], dFx: a["dFx"], dFy: a["dFy"],
                                  params: a["params"], Fx: a["Fx"], Fy: a["Fy"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_attention_backward(a["dhead"].base, 5, a["dparams"].base, a["dFx"].base, a["dFy"].base,
                                  a["params"].base, a["Fx"].base, a["Fy"].base, 3, 7, 9, 3)
        }
        expectWrongShapesRefused("attentionBackward", a, defining: ["params", "Fx", "Fy"], backward)
    }

    @Test func read() throws {
        let (B, C, H, W, N) = (Self.B, Self.C, Self.H, Self.W, Self.N)
        let a = KernelArguments(seed: 2)
        Self.window(a)
        a.add("x", Shape(B, C, H, W), in: 0...1); a.add("xhat", Shape(B, C, H, W))
        a.add("r", Shape(B, 2 * C * N * N), padding: 5)
        a.add("T", Shape(B, 2 * C, N, W)); a.add("U", Shape(B, 2 * C, N, H))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try readForward(r: a["r"], T: a["T"], U: a["U"], x: a["x"], xhat: a["xhat"], Fx: a["Fx"], Fy: a["Fy"],
                            params: a["params"])
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_read_forward(a["r"].base, a["r"].ld, a["T"].base, a["U"].base, a["x"].base, a["xhat"].base,
                            a["Fx"].base, a["Fy"].base, a["params"].base, 3, 2, 7, 9, 3)
        }
        expectWrongShapesRefused("readForward", a, defining: ["x", "Fx"], forward)

        a.add("dx", Shape(B, C, H, W)); a.add("dxhat", Shape(B, C, H, W)); a.add("dr", Shape(B, 2 * C * N * N), padding: 1)
        a.add("dFx", Shape(B, N, W)); a.add("dFy", Shape(B, N, H)); a.add("dparams", Shape(B, 5))
        for name in ["x", "xhat", "r"] { a.buffers[name] = nil }
        let backward = { (a: KernelArguments) throws(KernelError) in
            try readBackward(dx: a["dx"], dxhat: a["dxhat"], dFx: a["dFx"], dFy: a["dFy"], dparams: a["dparams"],
                             dr: a["dr"], T: a["T"], U: a["U"], Fx: a["Fx"], Fy: a["Fy"], params: a["params"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_read_backward(a["dx"].base, a["dxhat"].base, a["dFx"].base, a["dFy"].base, a["dparams"].base,
                             a["dr"].base, a["dr"].ld, a["T"].base, a["U"].base, a["Fx"].base, a["Fy"].base,
                             a["params"].base, 3, 2, 7, 9, 3)
        }
        expectWrongShapesRefused("readBackward", a, defining: ["T", "U"], backward)
    }

    @Test func write() throws {
        let (B, C, H, W, N) = (Self.B, Self.C, Self.H, Self.W, Self.N)
        let a = KernelArguments(seed: 3)
        Self.window(a)
        a.add("canvas", Shape(B, C, H, W)); a.add("canvasPrev", Shape(B, C, H, W))
        a.add("w", Shape(B, C * N * N), padding: 4)
        let forward = { (a: KernelArguments) throws(KernelError) in
            try writeForward(canvas: a["canvas"], canvasPrev: a["canvasPrev"], w: a["w"], Fx: a["Fx"], Fy: a["Fy"],
                             params: a["params"])
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_write_forward(a["canvas"].base, a["canvasPrev"].base, a["w"].base, a["w"].ld, a["Fx"].base,
                             a["Fy"].base, a["params"].base, 3, 2, 7, 9, 3)
        }
        expectWrongShapesRefused("writeForward", a, defining: ["canvas", "Fx"], forward)
        // In place (canvasPrev = canvas) is the model's equation, and allowed.
        try writeForward(canvas: a["canvas"], canvasPrev: a["canvas"], w: a["w"], Fx: a["Fx"], Fy: a["Fy"], params: a["params"])

        a.add("dw", Shape(B, C * N * N), padding: 2); a.add("dFx", Shape(B, N, W)); a.add("dFy", Shape(B, N, H))
        a.add("dparams", Shape(B, 5)); a.add("dcanvas", Shape(B, C, H, W))
        for name in ["canvas", "canvasPrev"] { a.buffers[name] = nil }
        let backward = { (a: KernelArguments) throws(KernelError) in
            try writeBackward(dw: a["dw"], dFx: a["dFx"], dFy: a["dFy"], dparams: a["dparams"], dcanvas: a["dcanvas"],
                              w: a["w"], Fx: a["Fx"], Fy: a["Fy"], params: a["params"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_write_backward(a["dw"].base, a["dw"].ld, a["dFx"].base, a["dFy"].base, a["dparams"].base,
                              a["dcanvas"].base, a["w"].base, a["w"].ld, a["Fx"].base, a["Fy"].base,
                              a["params"].base, 3, 2, 7, 9, 3)
        }
        expectWrongShapesRefused("writeBackward", a, defining: ["dcanvas", "Fx"], backward)
    }

    @Test func lstm() throws {
        let (B, L) = (Self.B, Self.L)
        let a = KernelArguments(seed: 4)
        a.add("h", Shape(B, L), padding: 6); a.add("c", Shape(B, L)); a.add("act", Shape(B, 4 * L))
        a.add("pre", Shape(B, 4 * L), in: -3...3); a.add("cPrev", Shape(B, L))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try lstmForward(h: a["h"], c: a["c"], act: a["act"], pre: a["pre"], cPrev: a["cPrev"])
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_lstm_forward(a["h"].base, a["h"].ld, a["c"].base, a["act"].base, a["pre"].base, a["cPrev"].base, 3, 5)
        }
        expectWrongShapesRefused("lstmForward", a, defining: ["c"], forward)
        try lstmForward(h: a["h"], c: a["c"], act: a["pre"], pre: a["pre"], cPrev: nil)  // act = pre is allowed

        a.add("dpre", Shape(B, 4 * L)); a.add("dcPrev", Shape(B, L)); a.add("dh", Shape(B, L)); a.add("dc", Shape(B, L))
        a.buffers["h"] = nil; a.buffers["pre"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try lstmBackward(dpre: a["dpre"], dcPrev: a["dcPrev"], dh: a["dh"], dc: a["dc"], act: a["act"], c: a["c"],
                             cPrev: a["cPrev"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_lstm_backward(a["dpre"].base, a["dcPrev"].base, a["dh"].base, a["dc"].base, a["act"].base, a["c"].base,
                             a["cPrev"].base, 3, 5)
        }
        expectWrongShapesRefused("lstmBackward", a, defining: ["c"], backward)
        try lstmBackward(dpre: a["act"], dcPrev: nil, dh: a["dh"], dc: nil, act: a["act"], c: a["c"], cPrev: nil)
    }

    @Test func latent() throws {
        let (B, Z) = (Self.B, Self.Z)
        let a = KernelArguments(seed: 5)
        // mu and logSigma: the two halves of one (B, 2Z) product output, so they share a row stride.
        let ml = try ShapedBuffer.zeros(Shape(B, 2 * Z))
        for i in 0..<(B * 2 * Z) { ml.base[i] = Float(i % 7) / 7 - 0.5 }
        a.buffers["mu"] = try ml.columns(0..<Z); a.buffers["logSigma"] = try ml.columns(Z..<(2 * Z))
        a.add("z", Shape(B, Z), padding: 3); a.add("kl", Shape(B)); a.add("eps", Shape(B, Z))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try latentForward(z: a["z"], kl: a["kl"], mu: a["mu"], logSigma: a["logSigma"], eps: a["eps"])
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_latent_forward(a["z"].base, a["z"].ld, a["kl"].base, a["mu"].base, a["logSigma"].base,
                              a["mu"].ld, a["eps"].base, 3, 3)
        }
        expectWrongShapesRefused("latentForward", a, defining: ["mu", "logSigma"], forward)

        let d = try ShapedBuffer.zeros(Shape(B, 2 * Z))
        a.buffers["dmu"] = try d.columns(0..<Z); a.buffers["dlogSigma"] = try d.columns(Z..<(2 * Z))
        a.add("dz", Shape(B, Z)); a.add("dkl", Shape(B))
        a.buffers["z"] = nil; a.buffers["kl"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try latentBackward(dmu: a["dmu"], dlogSigma: a["dlogSigma"], dz: a["dz"], dkl: a["dkl"], mu: a["mu"],
                               logSigma: a["logSigma"], eps: a["eps"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_latent_backward(a["dmu"].base, a["dlogSigma"].base, a["dmu"].ld, a["dz"].base, a["dkl"].base,
                               a["mu"].base, a["logSigma"].base, a["mu"].ld, a["eps"].base, 3, 3)
        }
        expectWrongShapesRefused("latentBackward", a, defining: ["mu", "logSigma", "dmu", "dlogSigma"], backward)
    }

    @Test func xhatAndSigmoid() throws {
        let (B, C, H, W) = (Self.B, Self.C, Self.H, Self.W)
        let a = KernelArguments(seed: 6)
        a.add("x", Shape(B, C, H, W), in: 0...1); a.add("canvas", Shape(B, C, H, W), in: -3...3); a.add("xhat", Shape(B, C, H, W))
        let forward = { (a: KernelArguments) throws(KernelError) in try xhatForward(xhat: a["xhat"], x: a["x"], canvas: a["canvas"]) }
        try expectSameAsRawCall(a, forward) { a in ck_xhat_forward(a["xhat"].base, a["x"].base, a["canvas"].base, 3, 126) }
        expectWrongShapesRefused("xhatForward", a, defining: ["x"], forward)

        a.add("dcanvas", Shape(B, C, H, W)); a.add("dxhat", Shape(B, C, H, W)); a.buffers["canvas"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try xhatBackward(dcanvas: a["dcanvas"], dxhat: a["dxhat"], x: a["x"], xhat: a["xhat"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_xhat_backward(a["dcanvas"].base, a["dxhat"].base, a["x"].base, a["xhat"].base, 3, 126)
        }
        expectWrongShapesRefused("xhatBackward", a, defining: ["x"], backward)

        let s = KernelArguments(seed: 7)
        s.add("input", Shape(B, C * H * W), in: -4...4); s.add("out", Shape(B, C * H * W))
        var sums = [Double](repeating: 0, count: B), rawSums = sums
        try sums.withUnsafeMutableBufferPointer { sp in
            let call = { (s: KernelArguments) throws(KernelError) in try sigmoidForward(out: s["out"], sums: sp, input: s["input"]) }
            try expectSameAsRawCall(s, call) { s in ck_sigmoid_forward(s["out"].base, &rawSums, s["input"].base, 3, 126) }
            expectWrongShapesRefused("sigmoidForward", s, defining: ["input"], call)
            #expect(throws: KernelError.shapeMismatch(kernel: "sigmoidForward", argument: "sums", expected: Shape(3), got: Shape(2))) {
                try sigmoidForward(out: s["out"], sums: UnsafeMutableBufferPointer(rebasing: sp[0..<2]), input: s["input"])
            }
        }
        #expect(sums.map(\.bitPattern) == rawSums.map(\.bitPattern))
    }

    @Test(arguments: [LossKind.bce, .l2])
    func losses(_ kind: LossKind) throws {
        let (B, P) = (Self.B, 33)
        let a = KernelArguments(seed: 8)
        a.add("canvas", Shape(B, P), in: -3...3); a.add("x", Shape(B, P), in: 0...1); a.add("loss", Shape(B))
        let forward = { (a: KernelArguments) throws(KernelError) in try lossForward(kind, loss: a["loss"], canvas: a["canvas"], x: a["x"]) }
        try expectSameAsRawCall(a, forward) { a in
            (kind == .bce ? ck_bce_forward : ck_l2_forward)(a["loss"].base, a["canvas"].base, a["x"].base, 3, 33)
        }
        expectWrongShapesRefused("lossForward", a, defining: ["canvas"], forward)

        a.add("dcanvas", Shape(B, P)); a.add("dloss", Shape(B)); a.buffers["loss"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try lossBackward(kind, dcanvas: a["dcanvas"], dloss: a["dloss"], canvas: a["canvas"], x: a["x"])
        }
        try expectSameAsRawCall(a, backward) { a in
            (kind == .bce ? ck_bce_backward : ck_l2_backward)(a["dcanvas"].base, a["dloss"].base, a["canvas"].base, a["x"].base, 3, 33)
        }
        expectWrongShapesRefused("lossBackward", a, defining: ["canvas"], backward)
    }

    @Test func adam() throws {
        let a = KernelArguments(seed: 9)
        for name in ["parameters", "m", "gradient"] { a.add(name, Shape(37)) }
        a.add("v", Shape(37), in: 0...1)
        let s = AdamStep(learningRate: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, clip: 0.3, gradientScale: 0.9, step: 4)
        let call = { (a: KernelArguments) throws(KernelError) in
            try adamUpdate(parameters: a["parameters"], m: a["m"], v: a["v"], gradient: a["gradient"], s)
        }
        try expectSameAsRawCall(a, call) { a in
            ck_adam_update(a["parameters"].base, a["m"].base, a["v"].base, a["gradient"].base, 37, 1e-3, 0.5, 0.999,
                           1e-8, 0.3, 0.9, 4)
        }
        expectWrongShapesRefused("adamUpdate", a, defining: ["parameters"], call)
        var bad = s
        bad.step = 0
        #expect(throws: KernelError.self) { try adamUpdate(parameters: a["parameters"], m: a["m"], v: a["v"], gradient: a["gradient"], bad) }
        #expect(throws: KernelError.overlap(kernel: "adamUpdate", argument: "parameters", other: "m")) {
            try adamUpdate(parameters: a["parameters"], m: a["parameters"], v: a["v"], gradient: a["gradient"], s)
        }
        a["gradient"].base[5] = .nan
        #expect(try sumOfSquares(a["gradient"]).isNaN)
        #expect(try nonFiniteCount(a["gradient"]) == ck_count_nonfinite(a["gradient"].base, 37))
        #expect(try nonFiniteCount(a["gradient"]) == 1)
        #expect(try sumOfSquares(a["m"]).bitPattern == ck_sum_squares(a["m"].base, 37).bitPattern)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemm(_ transposes: (Bool, Bool)) throws {
        let (tA, tB) = transposes
        let (M, N, K) = (5, 7, 9)
        let a = KernelArguments(seed: 10)
        a.add("a", tA ? Shape(K, M) : Shape(M, K), padding: 2); a.add("b", tB ? Shape(N, K) : Shape(K, N), padding: 1)
        a.add("c", Shape(M, N), padding: 3)
        let call = { (a: KernelArguments) throws(KernelError) in
            try DRAWKernels.gemm(transposeA: tA, transposeB: tB, alpha: 0.5, a: a["a"], b: a["b"], beta: 2, c: a["c"])
        }
        try expectSameAsRawCall(a, call) { a in
            ck_gemm(tA ? 1 : 0, tB ? 1 : 0, 5, 7, 9, 0.5, a["a"].base, a["a"].ld, a["b"].base, a["b"].ld,
                    2, a["c"].base, a["c"].ld)
        }
        expectWrongShapesRefused("gemm", a, defining: ["a", "b"], call)
    }

    @Test func linear() throws {
        let (M, In, Out) = (4, 11, 6)
        let a = KernelArguments(seed: 11)
        a.add("y", Shape(M, Out), padding: 2); a.add("x", Shape(M, In), padding: 3); a.add("weight", Shape(Out, In), padding: 1)
        a.add("bias", Shape(Out))
        let forward = { (a: KernelArguments) throws(KernelError) in
            try linearForward(y: a["y"], x: a["x"], weight: a["weight"], bias: a["bias"], accumulate: true)
        }
        try expectSameAsRawCall(a, forward) { a in
            ck_linear_forward(a["y"].base, a["y"].ld, a["x"].base, a["x"].ld, a["weight"].base,
                              a["weight"].ld, a["bias"].base, 4, 11, 6, 1)
        }
        expectWrongShapesRefused("linearForward", a, defining: ["x", "weight"], forward)

        a.add("dx", Shape(M, In), padding: 1); a.add("dW", Shape(Out, In)); a.add("db", Shape(Out)); a.add("dy", Shape(M, Out), padding: 2)
        a.buffers["y"] = nil; a.buffers["bias"] = nil
        let backward = { (a: KernelArguments) throws(KernelError) in
            try linearBackward(dx: a["dx"], dW: a["dW"], db: a["db"], dy: a["dy"], x: a["x"], weight: a["weight"])
        }
        try expectSameAsRawCall(a, backward) { a in
            ck_linear_backward(a["dx"].base, a["dx"].ld, a["dW"].base, a["dW"].ld, a["db"].base,
                               a["dy"].base, a["dy"].ld, a["x"].base, a["x"].ld, a["weight"].base,
                               a["weight"].ld, 4, 11, 6)
        }
        expectWrongShapesRefused("linearBackward", a, defining: ["dy", "weight"], backward)
    }

    /// Pack, pack transposed (whole and stacked rows), the packed product and the packed linear, against the C calls.
    @Test func packedProducts() throws {
        let (M, K, N) = (5, 70, 67)  // two panels, the second one partly padding
        let a = KernelArguments(seed: 12)
        a.add("w", Shape(K, N), padding: 2); a.add("wt", Shape(N, K - 3), padding: 1)
        let packed = try PackedMatrix.zeros(rows: K, columns: N)
        a.buffers["packed"] = packed.storage
        let view = { (a: KernelArguments) in try! PackedMatrix(a["packed"], rows: K, columns: N) }
        try expectSameAsRawCall(a, { a throws(KernelError) in try pack(view(a), from: a["w"]) }) { a in
            ck_pack(a["packed"].base, a["w"].base, a["w"].ld, 70, 67)
        }
        try expectSameAsRawCall(a, { a throws(KernelError) in try packTransposed(view(a), from: a["wt"], startRow: 2) }) { a in
            ck_pack_transposed_rows(a["packed"].base, 70, 2, a["wt"].base, a["wt"].ld, 67, 67)
        }
        #expect(throws: KernelError.self) { try packTransposed(view(a), from: a["wt"], startRow: 4) }
        #expect(throws: KernelError.shapeMismatch(kernel: "pack", argument: "w", expected: Shape(K, N), got: Shape(N, K - 3))) {
            try pack(view(a), from: a["wt"])
        }

        a.add("a", Shape(M, K - 4), padding: 3); a.add("c", Shape(M, N), padding: 1); a.add("bias", Shape(N))
        try expectSameAsRawCall(a, { a throws(KernelError) in try gemmPacked(c: a["c"], a: a["a"], packed: view(a), accumulate: true) }) { a in
            ck_gemm_packed(a["c"].base, a["c"].ld, a["a"].base, a["a"].ld, a["packed"].base, 70, 5, 67, 66, 1)
        }
        try expectSameAsRawCall(a, { a throws(KernelError) in
            try linearForwardPacked(y: a["c"], x: a["a"], weight: view(a), bias: a["bias"])
        }) { a in
            ck_linear_forward_packed(a["c"].base, a["c"].ld, a["a"].base, a["a"].ld, a["packed"].base, 70,
                                     a["bias"].base, 5, 66, 67, 0)
        }
        // From a later row of the stack: the C call sees the panels from that row on, still K rows apart.
        try expectSameAsRawCall(a, { a throws(KernelError) in
            try gemmPacked(c: a["c"], a: a["a"], packed: view(a), startRow: 4)
        }) { a in
            ck_gemm_packed(a["c"].base, a["c"].ld, a["a"].base, a["a"].ld, a["packed"].base + 4 * 64, 70, 5, 67, 66, 0)
        }
        try expectSameAsRawCall(a, { a throws(KernelError) in
            try linearForwardPacked(y: a["c"], x: a["a"], weight: view(a), startRow: 3, bias: nil, accumulate: true)
        }) { a in
            ck_linear_forward_packed(a["c"].base, a["c"].ld, a["a"].base, a["a"].ld, a["packed"].base + 3 * 64, 70,
                                     nil, 5, 66, 67, 1)
        }
        // Fewer outputs than packed columns: the first ones (generation's head product skips the read head).
        a.add("narrow", Shape(M, N - 5), padding: 2); a.add("narrowBias", Shape(N - 5))
        try expectSameAsRawCall(a, { a throws(KernelError) in
            try linearForwardPacked(y: a["narrow"], x: a["a"], weight: view(a), bias: a["narrowBias"])
        }) { a in
            ck_linear_forward_packed(a["narrow"].base, a["narrow"].ld, a["a"].base, a["a"].ld, a["packed"].base, 70,
                                     a["narrowBias"].base, 5, 66, 62, 0)
        }
        #expect(throws: KernelError.shapeMismatch(kernel: "linearForwardPacked", argument: "bias", expected: Shape(N - 5), got: Shape(N))) {
            try linearForwardPacked(y: a["narrow"], x: a["a"], weight: view(a), bias: a["bias"])
        }
        #expect(throws: KernelError.outOfRange(kernel: "gemmPacked", argument: "a",
                                               reason: "has K = 66 columns from row 5, the packed matrix only 70 rows")) {
            try gemmPacked(c: a["c"], a: a["a"], packed: view(a), startRow: 5)
        }
        let wide = try ShapedBuffer.zeros(Shape(M, K + 1))
        #expect(throws: KernelError.self) { try gemmPacked(c: a["c"], a: wide, packed: view(a)) }
        #expect(throws: KernelError.shapeMismatch(kernel: "gemmPacked", argument: "c", expected: Shape(M, N), got: Shape(M, K - 4))) {
            try gemmPacked(c: a["a"], a: a["a"], packed: view(a))
        }
        #expect(throws: KernelError.shapeMismatch(kernel: "linearForwardPacked", argument: "bias", expected: Shape(N), got: Shape(N + 1))) {
            try linearForwardPacked(y: a["c"], x: a["a"], weight: view(a), bias: .zeros(Shape(N + 1)))
        }
        #expect(throws: KernelError.self) { try PackedMatrix(.zeros(Shape(K * N)), rows: K, columns: N) }  // panels pad N to 128
    }

    @Test func randomNumbers() throws {
        var r = KernelRandom(seed: 42)
        var state = [UInt64](repeating: 0, count: 4)
        ck_rng_seed(&state, 42)
        let out = try ShapedBuffer.zeros(Shape(2, 17))
        try r.fillNormal(out)
        var raw = [Float](repeating: 0, count: 34)
        ck_randn(&raw, 34, &state)
        #expect(out.array.map(\.bitPattern) == raw.map(\.bitPattern))
        try r.fillUniform(out)
        ck_randu(&raw, 34, &state)
        #expect(out.array.map(\.bitPattern) == raw.map(\.bitPattern))
        #expect(throws: KernelError.self) { try r.fillNormal(out.columns(0..<3)) }
    }
}

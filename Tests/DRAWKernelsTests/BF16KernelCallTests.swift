// BF16KernelCallTests.swift: the bf16 wrappers (rounding, panels, the bf16 product) match their raw C calls bit for bit and refuse every wrong shape.
import CKernels
import DRAWKernels
import DRAWTestSupport
import Testing

/// K odd (33) with an odd start row, N = 67 (two panels, the second mostly padding), M = 5.
@Suite(.serialized) struct BF16KernelCallTests {
    static let (M, K, N) = (5, 33, 67)

    @Test func rounding() {
        var rng = SeededRNG(seed: 40)
        let values: [Float] = [0, -0.0, 1.00390625, .infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
            + (0..<1000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
        for x in values {
            #expect(BFloat16.bits(x) == ck_bf16_from_float(x))
            let b = UInt16(truncatingIfNeeded: x.bitPattern >> 16)
            #expect(BFloat16.float(b).bitPattern == ck_bf16_to_float(b).bitPattern)
        }
    }

    @Test func packs() throws {
        let (K, N) = (Self.K, Self.N)
        let a = KernelArguments(seed: 41)
        a.add("w", Shape(K, N), padding: 2); a.add("wt", Shape(N, K - 4), padding: 1)
        let packed = try PackedBF16Matrix.zeros(rows: K, columns: N)
        let raw = try BF16Words.zeros(PackedBF16Matrix.count(rows: K, columns: N))
        try packBF16(packed, from: a["w"])
        ck_pack_bf16(raw.base, a["w"].base, a["w"].ld, Int32(K), Int32(N))
        #expect(packed.storage.array == raw.array)
        try packTransposedBF16(packed, from: a["wt"], startRow: 3)  // an odd start row splits a pair
        ck_pack_transposed_rows_bf16(raw.base, Int32(K), 3, a["wt"].base, a["wt"].ld, Int32(K - 4), Int32(N))
        #expect(packed.storage.array == raw.array)

        let before = packed.storage.array
        #expect(throws: KernelError.outOfRange(kernel: "packTransposedBF16", argument: "startRow",
                                               reason: "5 + K = 29 rows do not fit the packed matrix's 33")) {
            try packTransposedBF16(packed, from: a["wt"], startRow: 5)
        }
        #expect(throws: KernelError.shapeMismatch(kernel: "packBF16", argument: "w", expected: Shape(K, N), got: Shape(N, K - 4))) {
            try packBF16(packed, from: a["wt"])
        }
        #expect(throws: KernelError.shapeMismatch(kernel: "packTransposedBF16", argument: "w", expected: Shape(N, K - 4),
                                                  got: Shape(N + 1, K - 4))) {
            try packTransposedBF16(packed, from: .zeros(Shape(N + 1, K - 4)))
        }
        // Floats that live in the panels' own words.
        let inside = try ShapedBuffer(UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(packed.storage.base)
            .assumingMemoryBound(to: Float.self), count: packed.storage.count / 2), shape: Shape(K, N))
        #expect(throws: KernelError.overlap(kernel: "packBF16", argument: "packed", other: "w")) { try packBF16(packed, from: inside) }
        #expect(packed.storage.array == before, "a refused pack wrote something")
        #expect(throws: KernelError.self) { try PackedBF16Matrix(.zeros(K * N), rows: K, columns: N) }  // no room for the panel pairs
    }

    @Test(arguments: BF16Path.allCases)
    func product(_ path: BF16Path) throws {
        let (M, K, N) = (Self.M, Self.K, Self.N)
        // The forced bf16 path is process-wide: hold the kernel-state lock so a training run elsewhere (the CLI
        // suite's bf16 resume test) cannot pick up this path halfway through.
        PointwiseReference.simdPathLock.lock()
        defer { KernelRuntime.force(bf16: nil); PointwiseReference.simdPathLock.unlock() }
        KernelRuntime.force(bf16: path)
        let a = KernelArguments(seed: 42)
        a.add("w", Shape(N, K), padding: 1)
        let packed = try PackedBF16Matrix.zeros(rows: K + 3, columns: N)
        try packTransposedBF16(packed, from: a["w"], startRow: 3)
        a.buffers["w"] = nil
        a.add("a", Shape(M, K), padding: 3); a.add("c", Shape(M, N), padding: 1); a.add("bias", Shape(N))
        a.add("scratch", Shape(PackedBF16Matrix.scratchCount(rows: M, k: K)))
        let call = { (a: KernelArguments) throws(KernelError) in
            try gemmPackedBF16(c: a["c"], a: a["a"], packed: packed, startRow: 3, bias: a["bias"], scratch: a["scratch"],
                               accumulate: true)
        }
        try expectSameAsRawCall(a, call) { a in
            ck_gemm_packed_bf16(a["c"].base, a["c"].ld, a["a"].base, a["a"].ld, packed.storage.base, Int32(K + 3), 3,
                                Int32(M), Int32(N), Int32(K), 1, a["bias"].base, a["scratch"].base)
        }
        expectWrongShapesRefused("gemmPackedBF16", a, defining: ["a"], call)
        #expect(throws: KernelError.self) {  // rows 4 ..< K + 4 run past the packed K + 3
            try gemmPackedBF16(c: a["c"], a: a["a"], packed: packed, startRow: 4, bias: nil, scratch: a["scratch"])
        }
        #expect(throws: KernelError.overlap(kernel: "gemmPackedBF16", argument: "c", other: "scratch")) {
            try gemmPackedBF16(c: borrow(a["scratch"], as: Shape(M, N)), a: a["a"], packed: packed, bias: nil,
                               scratch: a["scratch"])
        }
    }
}

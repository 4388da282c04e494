// ReadmeKernelExampleTests.swift: the README's and the DocC article's "call a kernel" example, compiled and run.
import DRAWKernels
import Testing

@Suite struct ReadmeKernelExampleTests {
    @Test func theKernelExampleRuns() throws {
        var printed = ""
        func print(_ item: Any) { printed = "\(item)" }
        // --- README kernel example begins
        let (B, C, H, W, N) = (2, 3, 12, 16, 4)
        let x = try ShapedBuffer([Float](repeating: 0.5, count: B * C * H * W), shape: Shape(B, C, H, W))
        let xhat = try ShapedBuffer.zeros(Shape(B, C, H, W))
        let head = try ShapedBuffer.zeros(Shape(B, 5))          // (g̃x, g̃y, log σ², log δ̃, log γ) = 0: centred
        let params = try ShapedBuffer.zeros(Shape(B, 5))
        let Fx = try ShapedBuffer.zeros(Shape(B, N, W)), Fy = try ShapedBuffer.zeros(Shape(B, N, H))
        try attentionForward(params: params, Fx: Fx, Fy: Fy, head: head)

        let r = try ShapedBuffer.zeros(Shape(B, 2 * C * N * N))  // [x glimpses | x̂ glimpses] per image
        let T = try ShapedBuffer.zeros(Shape(B, 2 * C, N, W)), U = try ShapedBuffer.zeros(Shape(B, 2 * C, N, H))
        try readForward(r: r, T: T, U: U, x: x, xhat: xhat, Fx: Fx, Fy: Fy, params: params)

        do {
            try readForward(r: r, T: U, U: T, x: x, xhat: xhat, Fx: Fx, Fy: Fy, params: params)
        } catch {
            print(error)  // readForward: T has shape (2, 6, 4, 12), expected (2, 6, 4, 16)
        }
        // --- README kernel example ends
        #expect(printed == "readForward: T has shape (2, 6, 4, 12), expected (2, 6, 4, 16)")
        // A centred window with γ = 1 on a constant 0.5 image: every x glimpse value is 0.5 (rows sum to 1).
        let glimpses = r.array
        #expect(glimpses.count == B * 2 * C * N * N)
        for b in 0..<B {
            for i in 0..<(C * N * N) { #expect(abs(glimpses[b * 2 * C * N * N + i] - 0.5) < 1e-6) }
        }
    }
}

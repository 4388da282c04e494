// KernelBenchmarks.swift: each kernel's forward and backward at the color64 shapes.
import Benchmark
import CKernels

let benchmarks: @Sendable () -> Void = {
    Benchmark("gemm 64x1024x406") { benchmark in
        blackHole(ck_simd_path())
    }
}

// ceiling.h: the machine's ceilings measured in the benchmark run itself: FMA peak and streaming-copy bandwidth.
#ifndef CEILING_H
#define CEILING_H

/* GFLOP/s of a register-only FMA loop (12 independent vector accumulators per thread, so the FMA latency is
   hidden) on `path` (ck_simd_path values: 0 scalar, 2 AVX2+FMA, 3 AVX-512), on `threads` OpenMP threads
   at once. Best of `repeats`. 2 flops per FMA lane. */
double ceiling_fma_gflops(int path, int threads, int repeats);

/* GB/s of a streaming copy of `bytes` bytes (each thread memcpy's its share), counting read + write
   (2 * bytes per copy, as STREAM's copy does). Best of `repeats`. */
double ceiling_copy_gbps(long bytes, int threads, int repeats);

#endif

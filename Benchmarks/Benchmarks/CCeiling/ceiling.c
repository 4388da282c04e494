// ceiling.c: FMA peak from register-only FMA chains and memory bandwidth from a streaming copy, per run.
#include "ceiling.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Swift's clang has no omp.h. */
int omp_get_thread_num(void);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { CHAINS = 12, ITERS = 4000000 };

/* Each chain a = a * m + c stays finite (m < 1) and never denormal (c keeps it near c / (1 - m)). */
#define FMA_LOOP(V, SET1, FMA, ADD, STORE, LANES)                                     \
    V a[CHAINS];                                                                      \
    for (int k = 0; k < CHAINS; ++k) a[k] = SET1(1.0f + (float)k);                    \
    const V m = SET1(0.999999f), c = SET1(1e-3f);                                     \
    for (long i = 0; i < ITERS; ++i) {                                                \
        for (int k = 0; k < CHAINS; ++k) a[k] = FMA(a[k], m, c);                       \
    }                                                                                 \
    V s = a[0];                                                                       \
    for (int k = 1; k < CHAINS; ++k) s = ADD(s, a[k]);                                 \
    float out[LANES];                                                                 \
    STORE(out, s);                                                                    \
    *sink = out[0];                                                                   \
    return 2.0 * LANES * CHAINS * (double)ITERS;

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static double fma_avx2(volatile float *sink) {
    FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_storeu_ps, 8)
}
__attribute__((target("avx512f"))) static double fma_avx512(volatile float *sink) {
    FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_storeu_ps, 16)
}
#endif

static double fma_scalar(volatile float *sink) {
    float a[CHAINS];
    for (int k = 0; k < CHAINS; ++k) a[k] = 1.0f + (float)k;
    for (long i = 0; i < ITERS; ++i) {
        for (int k = 0; k < CHAINS; ++k) a[k] = __builtin_fmaf(a[k], 0.999999f, 1e-3f);
    }
    float s = 0;
    for (int k = 0; k < CHAINS; ++k) s += a[k];
    *sink = s;
    return 2.0 * CHAINS * (double)ITERS;
}

double ceiling_fma_gflops(int path, int threads, int repeats) {
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
        double flops = 0;
        const double t0 = now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        {
            volatile float sink;
#if defined(__x86_64__)
            flops += path == 3 ? fma_avx512(&sink) : path == 2 ? fma_avx2(&sink) : fma_scalar(&sink);
#else
            flops += fma_scalar(&sink);
#endif
        }
        const double g = flops / (now() - t0) * 1e-9;
        if (g > best) best = g;
    }
    return best;
}

double ceiling_copy_gbps(long bytes, int threads, int repeats) {
    char *src = aligned_alloc(64, (size_t)bytes), *dst = aligned_alloc(64, (size_t)bytes);
    if (!src || !dst) { free(src); free(dst); return 0; }
    memset(src, 1, (size_t)bytes);
    memset(dst, 0, (size_t)bytes);
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
        const double t0 = now();
#pragma omp parallel num_threads(threads)
        {
            const long share = (bytes / threads) & ~63L, start = share * omp_get_thread_num();
            const long n = omp_get_thread_num() == threads - 1 ? bytes - start : share;
            memcpy(dst + start, src + start, (size_t)n);
        }
        const double g = 2.0 * (double)bytes / (now() - t0) * 1e-9;
        if (g > best) best = g;
    }
    free(src);
    free(dst);
    return best;
}

// adam.c: the fused Adam step over the parameter slab, and the float64 sum of squares / non-finite count for clipping.
#include "ck_internal.h"
#include <stdint.h>

/* ---------------------------------------------------------------- Adam */

/* Elementwise, so any split over threads gives the same bits; the slab is cut into fixed chunks for OpenMP. */
CK_INLINE void adam_chunk(float *p, float *m, float *v, const float *g, size_t n, float lr_t, float bc2_sqrt,
                          float b1, float b2, float eps, float clip, float gscale) {
    float lo = clip > 0.0f ? -clip : -INFINITY, hi = clip > 0.0f ? clip : INFINITY;
    float c1 = 1.0f - b1, c2 = 1.0f - b2;
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; ++i) {
        float gi = gscale * g[i];
        gi = gi < lo ? lo : gi;  /* comparisons keep a NaN gradient NaN, so it stays detectable */
        gi = gi > hi ? hi : gi;
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        /* PyTorch: denom = sqrt(v) / sqrt(1 - b2^t) + eps; p += -(lr / (1 - b1^t)) * m / denom. */
        p[i] -= (lr_t * mi) / (sqrtf(vi) / bc2_sqrt + eps);
    }
}
CK_INSTANTIATE(adam_chunk, (float *p, float *m, float *v, const float *g, size_t n, float lr_t, float bc2_sqrt,
                            float b1, float b2, float eps, float clip, float gscale),
               (p, m, v, g, n, lr_t, bc2_sqrt, b1, b2, eps, clip, gscale))

#define CK_ADAM_CHUNK ((size_t)1 << 14)

void ck_adam_update(float *p, float *m, float *v, const float *g, size_t n,
                    float lr, float beta1, float beta2, float eps, float clip, float gscale, int64_t step) {
    CK_FLUSH_DENORMALS();
    void (*chunk)(float *, float *, float *, const float *, size_t, float, float, float, float, float, float, float) =
        CK_PICK(adam_chunk);
    /* Bias corrections in double, as PyTorch computes them from a Python float step, then used as float. */
    double t = (double)step;
    float lr_t = (float)((double)lr / (1.0 - pow((double)beta1, t)));
    float bc2_sqrt = (float)sqrt(1.0 - pow((double)beta2, t));
    long nch = (long)((n + CK_ADAM_CHUNK - 1) / CK_ADAM_CHUNK);
#pragma omp parallel for schedule(static) if (nch > 1)
    for (long k = 0; k < nch; ++k) {
        size_t o = (size_t)k * CK_ADAM_CHUNK, len = n - o < CK_ADAM_CHUNK ? n - o : CK_ADAM_CHUNK;
        chunk(p + o, m + o, v + o, g + o, len, lr_t, bc2_sqrt, beta1, beta2, eps, clip, gscale);
    }
}

/* ---------------------------------------------------------------- sum of squares, non-finite count */

/* A fixed number of chunks whatever the thread count, each summed in 8 double lanes (float products are
   exact in double), partials added in chunk order: the same bits for any thread count and SIMD path. */
#define CK_SSQ_CHUNKS 64
#define CK_SSQ_LANES 8

CK_INLINE double ssq_chunk(const float *g, size_t n) {
    double acc[CK_SSQ_LANES] = {0};
    size_t i = 0;
    for (; i + CK_SSQ_LANES <= n; i += CK_SSQ_LANES)
        for (int l = 0; l < CK_SSQ_LANES; ++l) acc[l] += (double)g[i + l] * (double)g[i + l];
    for (int l = 0; i + l < n; ++l) acc[l] += (double)g[i + l] * (double)g[i + l];
    double s = 0.0;
    for (int l = 0; l < CK_SSQ_LANES; ++l) s += acc[l];
    return s;
}
CK_INSTANTIATE_RETURNING(double, ssq_chunk, (const float *g, size_t n), (g, n))

double ck_sum_squares(const float *g, size_t n) {
    CK_FLUSH_DENORMALS();
    double (*chunk)(const float *, size_t) = CK_PICK(ssq_chunk);
    double part[CK_SSQ_CHUNKS];
    /* Chunk length a multiple of the lane count, so lane membership does not depend on the chunk. */
    size_t per = (n + CK_SSQ_CHUNKS - 1) / CK_SSQ_CHUNKS;
    per = (per + CK_SSQ_LANES - 1) / CK_SSQ_LANES * CK_SSQ_LANES;
#pragma omp parallel for schedule(static) if (n >= ((size_t)1 << 16))
    for (int k = 0; k < CK_SSQ_CHUNKS; ++k) {
        size_t o = (size_t)k * per;
        part[k] = o < n ? chunk(g + o, n - o < per ? n - o : per) : 0.0;
    }
    double s = 0.0;
    for (int k = 0; k < CK_SSQ_CHUNKS; ++k) s += part[k];
    return s;
}

size_t ck_count_nonfinite(const float *g, size_t n) {
    CK_FLUSH_DENORMALS();
    size_t count = 0;
    const uint32_t *u = (const uint32_t *)(const void *)g;
    /* Exponent all ones is inf or NaN; integer counting is exact in any order. */
#pragma omp parallel for schedule(static) reduction(+ : count) if (n >= ((size_t)1 << 16))
    for (size_t i = 0; i < n; ++i) count += (u[i] & 0x7f800000u) == 0x7f800000u;
    return count;
}

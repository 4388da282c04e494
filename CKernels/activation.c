// activation.c: the conv nets' pointwise kernels: LeakyReLU/ReLU, the sigmoid's backward, and the half squared distance of two feature maps.
#include "vecmath.h"

/* Rows of these kernels are fixed chunks of the flat arrays (or one image each for the per-image sums), so the
   results do not depend on the thread count. */
#define CK_ACT_CHUNK ((size_t)1 << 14)

CK_INLINE void leaky_fwd_chunk(float *y, const float *x, size_t n, float slope) {
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}
CK_INSTANTIATE(leaky_fwd_chunk, (float *y, const float *x, size_t n, float slope), (y, x, n, slope))

/* From the output: y > 0 exactly where x > 0 when slope >= 0 (slope 0 sends x <= 0 to 0, the ReLU's zero gradient). */
CK_INLINE void leaky_bwd_chunk(float *dx, const float *dy, const float *y, size_t n, float slope) {
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; ++i) dx[i] += y[i] > 0.0f ? dy[i] : slope * dy[i];
}
CK_INSTANTIATE(leaky_bwd_chunk, (float *dx, const float *dy, const float *y, size_t n, float slope), (dx, dy, y, n, slope))

void ck_leaky_relu_forward(float *y, const float *x, size_t n, float slope) {
    CK_FLUSH_DENORMALS();
    void (*chunk)(float *, const float *, size_t, float) = CK_PICK(leaky_fwd_chunk);
    const long nch = (long)((n + CK_ACT_CHUNK - 1) / CK_ACT_CHUNK);
#pragma omp parallel for schedule(static) if (nch > 1)
    for (long c = 0; c < nch; ++c) {
        size_t o = (size_t)c * CK_ACT_CHUNK, len = n - o < CK_ACT_CHUNK ? n - o : CK_ACT_CHUNK;
        chunk(y + o, x + o, len, slope);
    }
}

void ck_leaky_relu_backward(float *dx, const float *dy, const float *y, size_t n, float slope) {
    CK_FLUSH_DENORMALS();
    void (*chunk)(float *, const float *, const float *, size_t, float) = CK_PICK(leaky_bwd_chunk);
    const long nch = (long)((n + CK_ACT_CHUNK - 1) / CK_ACT_CHUNK);
#pragma omp parallel for schedule(static) if (nch > 1)
    for (long c = 0; c < nch; ++c) {
        size_t o = (size_t)c * CK_ACT_CHUNK, len = n - o < CK_ACT_CHUNK ? n - o : CK_ACT_CHUNK;
        chunk(dx + o, dy + o, y + o, len, slope);
    }
}

/* ---------------------------------------------------------------- sigmoid backward */

CK_INLINE void sigmoid_bwd_row(float *dx, const float *dy, const float *y, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) dx[i] += dy[i] * (y[i] * (1.0f - y[i]));
}
CK_INSTANTIATE(sigmoid_bwd_row, (float *dx, const float *dy, const float *y, int P), (dx, dy, y, P))

void ck_sigmoid_backward(float *dx, const float *dy, const float *y, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, int) = CK_PICK(sigmoid_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(dx + o, dy + o, y + o, P);
    }
}

/* ---------------------------------------------------------------- half squared distance per image */

CK_INLINE void sqdist_fwd_row(float *loss, const float *a, const float *t, int P) {
    double acc[CK_LANES] = {0};
    float d[CK_BLOCK];
    for (int i0 = 0; i0 < P; i0 += CK_BLOCK) {
        int len = P - i0 < CK_BLOCK ? P - i0 : CK_BLOCK;
        for (int k = 0; k < len; ++k) { float e = a[i0 + k] - t[i0 + k]; d[k] = 0.5f * e * e; }
        ck_accumulate_lanes(acc, d, len);
    }
    *loss = (float)ck_sum_lanes(acc);
}
CK_INSTANTIATE(sqdist_fwd_row, (float *loss, const float *a, const float *t, int P), (loss, a, t, P))

CK_INLINE void sqdist_bwd_row(float *da, float dl, const float *a, const float *t, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) da[i] += dl * (a[i] - t[i]);
}
CK_INSTANTIATE(sqdist_bwd_row, (float *da, float dl, const float *a, const float *t, int P), (da, dl, a, t, P))

void ck_sqdist_forward(float *loss, const float *a, const float *target, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, int) = CK_PICK(sqdist_fwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(loss + b, a + o, target + o, P);
    }
}

void ck_sqdist_backward(float *da, const float *dloss, const float *a, const float *target, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, float, const float *, const float *, int) = CK_PICK(sqdist_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(da + o, dloss[b], a + o, target + o, P);
    }
}

// attention.c: the attention head's transforms and the Gaussian filterbanks Fx, Fy (SPEC.md step 2), with their backward.
#include "vecmath.h"
#include <stddef.h>

/* The five parameters of one window, from the raw head outputs (SPEC.md). */
typedef struct { float gx, gy, sigma2, delta, gamma; } window;

static inline window window_from_head(const float *h, int N, int H, int W) {
    window p;
    p.gx = 0.5f * (float)(W + 1) * (h[0] + 1.0f);
    p.gy = 0.5f * (float)(H + 1) * (h[1] + 1.0f);
    p.sigma2 = expf(h[2]);
    p.delta = (float)((H > W ? H : W) - 1) / (float)(N - 1) * expf(h[3]);
    p.gamma = expf(h[4]);
    return p;
}

/* Centre of filter row i (0-based here; the 1-based grid offset is i + 1 - N/2 - 0.5 = i - N/2 + 0.5). */
static inline float row_offset(int i, int N) { return (float)i - 0.5f * (float)N + 0.5f; }

/* One filterbank F (N, n): row i is exp(-(a - mu_i)^2 k), a = 0..n-1, divided by max(row sum, CK_FILTER_EPS).
   ck_expf clamps its argument, so a row far off the image underflows to all zeros (sum 0, divided by the floor),
   never NaN, and never takes a libm slow path. The row sum goes through CK_LANES float lanes summed in lane
   order: the same bits on every SIMD path. */
CK_INLINE void filterbank_rows(float *F, int N, int n, float g, float delta, float k) {
    for (int i = 0; i < N; ++i) {
        float *row = F + (size_t)i * n;
        const float mu = g + row_offset(i, N) * delta;
        /* Rows are short (28 for MNIST): the tail is folded into masked vectors, not left to a scalar loop. */
#pragma clang loop vectorize(assume_safety) vectorize_predicate(enable)
        for (int a = 0; a < n; ++a) {
            const float d = (float)a - mu;
            row[a] = ck_expf(-(d * d) * k);
        }
        float acc[CK_LANES] = {0};
        int a = 0;
        for (; a + CK_LANES <= n; a += CK_LANES)
            for (int l = 0; l < CK_LANES; ++l) acc[l] += row[a + l];
        for (int l = 0; a + l < n; ++l) acc[l] += row[a + l];
        float s = 0.0f;
        for (int l = 0; l < CK_LANES; ++l) s += acc[l];
        const float den = s > CK_FILTER_EPS ? s : CK_FILTER_EPS;
#pragma clang loop vectorize(assume_safety) vectorize_predicate(enable)
        for (int b = 0; b < n; ++b) row[b] /= den;
    }
}
CK_INSTANTIATE(filterbank_rows, (float *F, int N, int n, float g, float delta, float k), (F, N, n, g, delta, k))

void ck_attention_forward(float *params, float *Fx, float *Fy,
                          const float *head, int ldh, int B, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    void (*rows)(float *, int, int, float, float, float) = CK_PICK(filterbank_rows);
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const window p = window_from_head(head + (size_t)b * ldh, N, H, W);
        float *out = params + (size_t)b * 5;
        out[0] = p.gx; out[1] = p.gy; out[2] = p.sigma2; out[3] = p.delta; out[4] = p.gamma;
        const float k = 0.5f / p.sigma2;
        rows(Fx + (size_t)b * N * W, N, W, p.gx, p.delta, k);
        rows(Fy + (size_t)b * N * H, N, H, p.gy, p.delta, k);
    }
}

/* A row was normalised (its exponentials summed above the floor) when its F sums to 1; a row below the floor
   sums to S / 1e-8 <= 1. Float rounding keeps a normalised row's sum within ~(n/16 + 16) u of 1, so this
   threshold misreads only a row whose S is within 0.1% of the floor, where both formulas give the same F
   (the two one-sided derivatives of a continuous function). */
#define CK_NORMALISED_SUM 0.999

/* Adds the gradients of one filterbank F (N, n) given dF (N, n) to dg (its centre), ddelta and dlogs2, in
   float64 sums over CK_LANES lanes (fixed order, every path the same). For a row, with g_a = dL/de_a e_a:
   g_a = (dF_a - c) F_a, c = sum_b dF_b F_b when normalised, else c = 0 (the denominator is the constant floor);
   then dmu = 2k sum g_a (a - mu), d(log sigma2) = k sum g_a (a - mu)^2. */
CK_INLINE void filterbank_backward_rows(double *out, const float *dF, const float *F,
                                        int N, int n, float g, float delta, float k) {
    double dg = 0.0, ddelta = 0.0, dlogs2 = 0.0;
    for (int i = 0; i < N; ++i) {
        const float *f = F + (size_t)i * n, *df = dF + (size_t)i * n;
        const float off = row_offset(i, N);
        const double mu = (double)(g + off * delta);
        double sf[CK_LANES] = {0}, sc[CK_LANES] = {0};
        int a = 0;
        for (; a + CK_LANES <= n; a += CK_LANES)
            for (int l = 0; l < CK_LANES; ++l) {
                sf[l] += (double)f[a + l];
                sc[l] += (double)df[a + l] * (double)f[a + l];
            }
        for (int l = 0; a + l < n; ++l) {
            sf[l] += (double)f[a + l];
            sc[l] += (double)df[a + l] * (double)f[a + l];
        }
        const double c = ck_sum_lanes(sf) > CK_NORMALISED_SUM ? ck_sum_lanes(sc) : 0.0;
        double sm[CK_LANES] = {0}, sv[CK_LANES] = {0};
        a = 0;
        for (; a + CK_LANES <= n; a += CK_LANES)
            for (int l = 0; l < CK_LANES; ++l) {
                const double ga = ((double)df[a + l] - c) * (double)f[a + l];
                const double d = (double)(a + l) - mu;
                sm[l] += ga * d;
                sv[l] += ga * d * d;
            }
        for (int l = 0; a + l < n; ++l) {
            const double ga = ((double)df[a + l] - c) * (double)f[a + l];
            const double d = (double)(a + l) - mu;
            sm[l] += ga * d;
            sv[l] += ga * d * d;
        }
        const double dmu = ck_sum_lanes(sm) * 2.0 * (double)k;
        dg += dmu;
        ddelta += dmu * (double)off;
        dlogs2 += ck_sum_lanes(sv) * (double)k;
    }
    out[0] += dg; out[1] += ddelta; out[2] += dlogs2;
}
CK_INSTANTIATE(filterbank_backward_rows,
               (double *out, const float *dF, const float *F, int N, int n, float g, float delta, float k),
               (out, dF, F, N, n, g, delta, k))

void ck_attention_backward(float *dhead, int lddh,
                           const float *dparams, const float *dFx, const float *dFy,
                           const float *params, const float *Fx, const float *Fy,
                           int B, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    void (*rows)(double *, const float *, const float *, int, int, float, float, float) =
        CK_PICK(filterbank_backward_rows);
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const float *p = params + (size_t)b * 5;
        const float gx = p[0], gy = p[1], sigma2 = p[2], delta = p[3], gamma = p[4];
        const float k = 0.5f / sigma2;
        double sx[3] = {0, 0, 0}, sy[3] = {0, 0, 0}; /* (d centre, d delta, d log sigma2) */
        if (dFx) rows(sx, dFx + (size_t)b * N * W, Fx + (size_t)b * N * W, N, W, gx, delta, k);
        if (dFy) rows(sy, dFy + (size_t)b * N * H, Fy + (size_t)b * N * H, N, H, gy, delta, k);
        double dgx = sx[0], dgy = sy[0], ddelta = sx[1] + sy[1], dlogs2 = sx[2] + sy[2], dgamma = 0;
        if (dparams) {
            const float *dp = dparams + (size_t)b * 5;
            dgx += dp[0]; dgy += dp[1]; dlogs2 += (double)dp[2] * sigma2; ddelta += dp[3]; dgamma = dp[4];
        }
        float *dh = dhead + (size_t)b * lddh;
        dh[0] += (float)(0.5 * (W + 1) * dgx);
        dh[1] += (float)(0.5 * (H + 1) * dgy);
        dh[2] += (float)dlogs2;
        dh[3] += (float)(ddelta * delta);
        dh[4] += (float)(dgamma * gamma);
    }
}

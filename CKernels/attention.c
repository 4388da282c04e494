// attention.c: the attention head's transforms and the Gaussian filterbanks Fx, Fy (SPEC.md step 2), with their backward.
#include "ck_internal.h"
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

/* e[a] = exp(-(a - mu)^2 k), a = 0..n-1, k = 1/(2 sigma2); returns the row sum in the order the backward repeats. */
static inline float gauss_row(float *e, int n, float mu, float k) {
    float s = 0.0f;
    for (int a = 0; a < n; ++a) {
        const float d = (float)a - mu;
        e[a] = expf(-(d * d) * k);
        s += e[a];
    }
    return s;
}

/* One filterbank (N, n): rows normalised by max(sum, CK_FILTER_EPS). A row far off the image underflows to
   all zeros (sum 0, divided by the floor), never NaN. */
static void filterbank(float *F, int N, int n, float g, float delta, float k) {
    for (int i = 0; i < N; ++i) {
        float *row = F + (size_t)i * n;
        const float s = gauss_row(row, n, g + row_offset(i, N) * delta, k);
        const float den = s > CK_FILTER_EPS ? s : CK_FILTER_EPS;
        for (int a = 0; a < n; ++a) row[a] /= den;
    }
}

void ck_attention_forward(float *params, float *Fx, float *Fy,
                          const float *head, int ldh, int B, int N, int H, int W) {
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const window p = window_from_head(head + (size_t)b * ldh, N, H, W);
        float *out = params + (size_t)b * 5;
        out[0] = p.gx; out[1] = p.gy; out[2] = p.sigma2; out[3] = p.delta; out[4] = p.gamma;
        const float k = 0.5f / p.sigma2;
        filterbank(Fx + (size_t)b * N * W, N, W, p.gx, p.delta, k);
        filterbank(Fy + (size_t)b * N * H, N, H, p.gy, p.delta, k);
    }
}

/* Backward of one normalised row F = e / max(S, eps) given dF (n), in float64: the normalisation's Jacobian
   when S > eps (dL/de_a = (dF_a - sum_b dF_b F_b) / S), a constant denominator otherwise. With
   g_a = dL/de_a e_a: dmu = sum g_a (a - mu) 2k and d(log sigma2) = sum g_a (a - mu)^2 k.
   Two passes recompute e exactly as the forward did (same float sum order, so the branch on S matches it),
   so no scratch is needed for any n. */
static void row_backward(double *dmu, double *dlogs2, const float *dF, int n, float mu, float k) {
    float s = 0.0f;
    double c = 0.0;
    for (int a = 0; a < n; ++a) {
        const float d = (float)a - mu;
        const float e = expf(-(d * d) * k);
        s += e;
        c += (double)dF[a] * (double)e;
    }
    const int normalised = s > CK_FILTER_EPS;
    const double den = normalised ? (double)s : (double)CK_FILTER_EPS;
    c = normalised ? c / den : 0.0;
    double m = 0.0, v = 0.0;
    for (int a = 0; a < n; ++a) {
        const float d = (float)a - mu;
        const float e = expf(-(d * d) * k);
        const double g = ((double)dF[a] - c) / den * (double)e;
        const double dd = (double)a - (double)mu;
        m += g * dd;
        v += g * dd * dd;
    }
    *dmu = m * 2.0 * (double)k;
    *dlogs2 = v * (double)k;
}

/* Adds the gradients of one filterbank (N, n) to dg (its centre), ddelta and dlogs2. */
static void filterbank_backward(double *dg, double *ddelta, double *dlogs2, const float *dF,
                                int N, int n, float g, float delta, float k) {
    for (int i = 0; i < N; ++i) {
        double dmu, dl;
        row_backward(&dmu, &dl, dF + (size_t)i * n, n, g + row_offset(i, N) * delta, k);
        *dg += dmu;
        *ddelta += dmu * (double)row_offset(i, N);
        *dlogs2 += dl;
    }
}

void ck_attention_backward(float *dhead, int lddh,
                           const float *dparams, const float *dFx, const float *dFy,
                           const float *params, const float *head, int ldh,
                           int B, int N, int H, int W) {
    (void)head; (void)ldh; /* everything is recomputed from params */
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const float *p = params + (size_t)b * 5;
        const float gx = p[0], gy = p[1], sigma2 = p[2], delta = p[3], gamma = p[4];
        const float k = 0.5f / sigma2;
        double dgx = 0, dgy = 0, ddelta = 0, dlogs2 = 0, dgamma = 0;
        if (dFx) filterbank_backward(&dgx, &ddelta, &dlogs2, dFx + (size_t)b * N * W, N, W, gx, delta, k);
        if (dFy) filterbank_backward(&dgy, &ddelta, &dlogs2, dFy + (size_t)b * N * H, N, H, gy, delta, k);
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

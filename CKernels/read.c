// read.c: the read glimpses r = gamma Fy X_c Fx^T for x and xhat, one window per image (SPEC.md step 2), and their backward.
#include "f32_kernels.h"
#include <stddef.h>

/* Per image and plane X (H, W), in column chunks of X: T_chunk = Fy X_chunk (N, wc) and U (+)= Fx_chunk X_chunk^T
   (N, H), both kept for the backward, then out (+)= gamma T_chunk Fx_chunk^T: the long products are axpys along W
   and the dots of U run while the chunk of X is in cache. */
static void read_one(const ck_f32_ops *ops, float *out, float *T, float *U, const float *X, const float *fx,
                     const float *fy, float gamma, int H, int W, int N) {
    for (int w0 = 0; w0 < W; w0 += CK_GLIMPSE_COLS) {
        const int wc = W - w0 < CK_GLIMPSE_COLS ? W - w0 : CK_GLIMPSE_COLS;
        ops->nn(T + w0, W, fy, H, 1, X + w0, W, N, H, wc, 1.0f, 0, NULL);
        ops->nt(U, H, fx + w0, W, X + w0, W, N, H, wc, 1.0f, w0 > 0);
        ops->nt(out, N, T + w0, W, fx + w0, W, N, N, wc, gamma, w0 > 0);
    }
}

void ck_read_forward(float *r, int ldr, float *T, float *U,
                     const float *x, const float *xhat, const float *Fx, const float *Fy,
                     const float *params, int B, int C, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    const ck_f32_ops *ops = ck_f32_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N, tn = (size_t)N * W, un = (size_t)H * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        const float gamma = params[(size_t)b * 5 + 4];
        float *rb = r + (size_t)b * ldr;
        float *Tb = T + (size_t)b * 2 * C * tn, *Ub = U + (size_t)b * 2 * C * un;
        for (int c = 0; c < C; ++c) {
            const size_t at = ((size_t)b * C + c) * img;
            read_one(ops, rb + (size_t)c * nn, Tb + c * tn, Ub + c * un, x + at, fx, fy, gamma, H, W, N);
            read_one(ops, rb + (size_t)(C + c) * nn, Tb + (C + c) * tn, Ub + (C + c) * un, xhat + at, fx, fy,
                     gamma, H, W, N);
        }
    }
}

/* Backward of one glimpse out = gamma Fy X Fx^T given dout (N, N), from the forward's T = Fy X (N, W) and
   U = Fx X^T (N, H), never X itself: with dG = gamma dout, dFx += dG^T T, dFy += dG U (= P X^T with
   P = dG Fx), G = T Fx^T for d gamma = sum dout . G, and per column chunk dX_chunk += Fy^T P_chunk.
   Returns sum dout . G (0 when dgamma is not wanted). */
static float read_one_backward(const ck_f32_ops *ops, float *dX, float *dfx, float *dfy, int want_dgamma,
                               float *P, const float *dout, const float *T, const float *U,
                               const float *fx, const float *fy, float gamma, int H, int W, int N) {
    float dG[CK_MAX_N * CK_MAX_N], G[CK_MAX_N * CK_MAX_N];
    for (int q = 0; q < N * N; ++q) dG[q] = gamma * dout[q];
    if (dfx) ops->nn(dfx, W, dG, 1, N, T, W, N, N, W, 1.0f, 1, NULL);
    if (dfy) ops->nn(dfy, H, dG, N, 1, U, H, N, N, H, 1.0f, 1, NULL);
    if (dX) {
        for (int w0 = 0; w0 < W; w0 += CK_GLIMPSE_COLS) {
            const int wc = W - w0 < CK_GLIMPSE_COLS ? W - w0 : CK_GLIMPSE_COLS;
            ops->nn(P, wc, dG, N, 1, fx + w0, W, N, N, wc, 1.0f, 0, NULL);
            ops->nn(dX + w0, W, fy, 1, H, P, wc, H, N, wc, 1.0f, 1, NULL);
        }
    }
    if (!want_dgamma) return 0.0f;
    ops->nt(G, N, T, W, fx, W, N, N, W, 1.0f, 0);
    float s = 0.0f;
    for (int q = 0; q < N * N; ++q) s += dout[q] * G[q];
    return s;
}

void ck_read_backward(float *dx, float *dxhat, float *dFx, float *dFy, float *dparams,
                      const float *dr, int lddr, const float *T, const float *U,
                      const float *Fx, const float *Fy, const float *params, int B, int C, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    const ck_f32_ops *ops = ck_f32_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N, tn = (size_t)N * W, un = (size_t)H * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        float P[CK_MAX_N * CK_GLIMPSE_COLS];
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        float *dfx = dFx ? dFx + (size_t)b * N * W : NULL, *dfy = dFy ? dFy + (size_t)b * N * H : NULL;
        const float gamma = params[(size_t)b * 5 + 4];
        const float *drb = dr + (size_t)b * lddr;
        const float *Tb = T + (size_t)b * 2 * C * tn, *Ub = U + (size_t)b * 2 * C * un;
        float dgamma = 0.0f;
        for (int c = 0; c < C; ++c) {
            const size_t at = ((size_t)b * C + c) * img;
            dgamma += read_one_backward(ops, dx ? dx + at : NULL, dfx, dfy, dparams != NULL, P,
                                        drb + (size_t)c * nn, Tb + c * tn, Ub + c * un, fx, fy, gamma, H, W, N);
            dgamma += read_one_backward(ops, dxhat ? dxhat + at : NULL, dfx, dfy, dparams != NULL, P,
                                        drb + (size_t)(C + c) * nn, Tb + (C + c) * tn, Ub + (C + c) * un,
                                        fx, fy, gamma, H, W, N);
        }
        if (dparams) dparams[(size_t)b * 5 + 4] += dgamma;
    }
}

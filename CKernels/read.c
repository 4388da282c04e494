// read.c: the read glimpses r = gamma Fy X_c Fx^T for x and xhat, one window per image (SPEC.md step 2), and their backward.
#include "attn_simd.h"
#include <stddef.h>

/* Per image and channel, in column chunks of X (H, wc): T = Fy X_chunk (N, wc), then out += gamma T Fx_chunk^T,
   so the long products are axpys along W and only the N x N result needs dots. */
static void read_one(const ck_attn_ops *ops, float *out, float *T, const float *X, const float *fx, const float *fy,
                     float gamma, int H, int W, int N) {
    for (int w0 = 0; w0 < W; w0 += CK_ATTN_COLS) {
        const int wc = W - w0 < CK_ATTN_COLS ? W - w0 : CK_ATTN_COLS;
        ops->nn(T, wc, fy, H, 1, X + w0, W, N, H, wc, 1.0f, 0);
        ops->nt(out, N, T, wc, fx + w0, W, N, N, wc, gamma, w0 > 0);
    }
}

void ck_read_forward(float *r, int ldr,
                     const float *x, const float *xhat, const float *Fx, const float *Fy,
                     const float *params, int B, int C, int H, int W, int N) {
    const ck_attn_ops *ops = ck_attn_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        float T[CK_MAX_N * CK_ATTN_COLS];
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        const float gamma = params[(size_t)b * 5 + 4];
        float *rb = r + (size_t)b * ldr;
        for (int c = 0; c < C; ++c) {
            const size_t at = ((size_t)b * C + c) * img;
            read_one(ops, rb + (size_t)c * nn, T, x + at, fx, fy, gamma, H, W, N);
            read_one(ops, rb + (size_t)(C + c) * nn, T, xhat + at, fx, fy, gamma, H, W, N);
        }
    }
}

/* Backward of one glimpse out = gamma Fy X Fx^T given dout (N, N): with dG = gamma dout and per column chunk
   P = dG Fx_chunk (N, wc), T = Fy X_chunk (N, wc):
   dX_chunk += Fy^T P, dFy += P X_chunk^T, dFx_chunk += dG^T T, and G = T Fx^T for d gamma = sum dout . G.
   Returns sum dout . G (0 when dgamma is not wanted). */
static float read_one_backward(const ck_attn_ops *ops, float *dX, float *dfx, float *dfy, int want_dgamma,
                               float *P, float *T, const float *dout, const float *X,
                               const float *fx, const float *fy, float gamma, int H, int W, int N) {
    float dG[CK_MAX_N * CK_MAX_N], G[CK_MAX_N * CK_MAX_N];
    for (int q = 0; q < N * N; ++q) dG[q] = gamma * dout[q];
    for (int w0 = 0; w0 < W; w0 += CK_ATTN_COLS) {
        const int wc = W - w0 < CK_ATTN_COLS ? W - w0 : CK_ATTN_COLS;
        /* T first: it streams the chunk of X row by row, so the dot products of dFy find X in cache. */
        if (dfx || want_dgamma) {
            ops->nn(T, wc, fy, H, 1, X + w0, W, N, H, wc, 1.0f, 0);
            if (dfx) ops->nn(dfx + w0, W, dG, 1, N, T, wc, N, N, wc, 1.0f, 1);
            if (want_dgamma) ops->nt(G, N, T, wc, fx + w0, W, N, N, wc, 1.0f, w0 > 0);
        }
        if (dX || dfy) {
            ops->nn(P, wc, dG, N, 1, fx + w0, W, N, N, wc, 1.0f, 0);
            if (dfy) ops->nt(dfy, H, P, wc, X + w0, W, N, H, wc, 1.0f, 1);
            if (dX) ops->nn(dX + w0, W, fy, 1, H, P, wc, H, N, wc, 1.0f, 1);
        }
    }
    float s = 0.0f;
    if (want_dgamma) for (int q = 0; q < N * N; ++q) s += dout[q] * G[q];
    return s;
}

void ck_read_backward(float *dx, float *dxhat, float *dFx, float *dFy, float *dparams,
                      const float *dr, int lddr,
                      const float *x, const float *xhat, const float *Fx, const float *Fy,
                      const float *params, int B, int C, int H, int W, int N) {
    const ck_attn_ops *ops = ck_attn_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        float P[CK_MAX_N * CK_ATTN_COLS], T[CK_MAX_N * CK_ATTN_COLS];
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        float *dfx = dFx ? dFx + (size_t)b * N * W : NULL, *dfy = dFy ? dFy + (size_t)b * N * H : NULL;
        const float gamma = params[(size_t)b * 5 + 4];
        const float *drb = dr + (size_t)b * lddr;
        float dgamma = 0.0f;
        for (int c = 0; c < C; ++c) {
            const size_t at = ((size_t)b * C + c) * img;
            dgamma += read_one_backward(ops, dx ? dx + at : NULL, dfx, dfy, dparams != NULL, P, T,
                                        drb + (size_t)c * nn, x + at, fx, fy, gamma, H, W, N);
            dgamma += read_one_backward(ops, dxhat ? dxhat + at : NULL, dfx, dfy, dparams != NULL, P, T,
                                        drb + (size_t)(C + c) * nn, xhat + at, fx, fy, gamma, H, W, N);
        }
        if (dparams) dparams[(size_t)b * 5 + 4] += dgamma;
    }
}

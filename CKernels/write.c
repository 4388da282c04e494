// write.c: the write step canvas_c += (1/gamma) Fy^T w_c Fx, one window per image (SPEC.md step 6), and its backward.
#include "f32_kernels.h"
#include <stddef.h>
#include <string.h>

void ck_write_forward(float *canvas, const float *canvas_prev,
                      const float *w, int ldw, const float *Fx, const float *Fy, const float *params,
                      int B, int C, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    const ck_f32_ops *ops = ck_f32_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        float P[CK_MAX_N * CK_GLIMPSE_COLS];
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        const float inv = 1.0f / params[(size_t)b * 5 + 4];
        for (int c = 0; c < C; ++c) {
            const float *patch = w + (size_t)b * ldw + (size_t)c * nn;
            float *cv = canvas + ((size_t)b * C + c) * img;
            /* The plane is copied here, image by image, so the products below add to it in cache. */
            if (canvas_prev != canvas) memcpy(cv, canvas_prev + ((size_t)b * C + c) * img, img * sizeof(float));
            /* Per column chunk: P = w_c Fx_chunk (N, wc), then canvas_chunk += (1/gamma) Fy^T P along W. */
            for (int w0 = 0; w0 < W; w0 += CK_GLIMPSE_COLS) {
                const int wc = W - w0 < CK_GLIMPSE_COLS ? W - w0 : CK_GLIMPSE_COLS;
                ops->nn(P, wc, patch, N, 1, fx + w0, W, N, N, wc, 1.0f, 0, NULL);
                ops->nn(cv + w0, W, fy, 1, H, P, wc, H, N, wc, inv, 1, NULL);
            }
        }
    }
}

/* With D = dcanvas_c and per column chunk Q = Fy D_chunk (N, wc), P = w_c Fx_chunk (N, wc):
   G = Q Fx^T (so dw_c += G / gamma), dFx_chunk += (1/gamma) w_c^T Q, dFy += (1/gamma) P D_chunk^T,
   and d gamma = -(1/gamma^2) sum w_c . G. */
void ck_write_backward(float *dw, int lddw, float *dFx, float *dFy, float *dparams,
                       const float *dcanvas,
                       const float *w, int ldw, const float *Fx, const float *Fy, const float *params,
                       int B, int C, int H, int W, int N) {
    CK_FLUSH_DENORMALS();
    const ck_f32_ops *ops = ck_f32_ops_get();
    const size_t img = (size_t)H * W, nn = (size_t)N * N;
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        float P[CK_MAX_N * CK_GLIMPSE_COLS], Q[CK_MAX_N * CK_GLIMPSE_COLS], G[CK_MAX_N * CK_MAX_N];
        const float *fx = Fx + (size_t)b * N * W, *fy = Fy + (size_t)b * N * H;
        float *dfx = dFx ? dFx + (size_t)b * N * W : NULL, *dfy = dFy ? dFy + (size_t)b * N * H : NULL;
        const float inv = 1.0f / params[(size_t)b * 5 + 4];
        const int want_g = dw != NULL || dparams != NULL;
        float wg = 0.0f;
        for (int c = 0; c < C; ++c) {
            const float *patch = w + (size_t)b * ldw + (size_t)c * nn;
            const float *D = dcanvas + ((size_t)b * C + c) * img;
            for (int w0 = 0; w0 < W; w0 += CK_GLIMPSE_COLS) {
                const int wc = W - w0 < CK_GLIMPSE_COLS ? W - w0 : CK_GLIMPSE_COLS;
                if (want_g || dfx) {
                    ops->nn(Q, wc, fy, H, 1, D + w0, W, N, H, wc, 1.0f, 0, NULL);
                    if (want_g) ops->nt(G, N, Q, wc, fx + w0, W, N, N, wc, 1.0f, w0 > 0);
                    if (dfx) ops->nn(dfx + w0, W, patch, 1, N, Q, wc, N, N, wc, inv, 1, NULL);
                }
                if (dfy) {
                    ops->nn(P, wc, patch, N, 1, fx + w0, W, N, N, wc, 1.0f, 0, NULL);
                    ops->nt(dfy, H, P, wc, D + w0, W, N, H, wc, inv, 1);
                }
            }
            if (dw) {
                float *dwc = dw + (size_t)b * lddw + (size_t)c * nn;
                for (int q = 0; q < N * N; ++q) dwc[q] += inv * G[q];
            }
            if (dparams) for (int q = 0; q < N * N; ++q) wg += patch[q] * G[q];
        }
        if (dparams) dparams[(size_t)b * 5 + 4] -= inv * inv * wg;
    }
}

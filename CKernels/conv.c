// conv.c: 2-D convolution (NCHW, square kernel, stride, zero padding) as im2col + one GEMM over the batch, forward and backward.
#include "vecmath.h"
#include <string.h>

/*
 * Layout: col is (C*k*k, B*Ho*Wo): row (c, i, j) holds, for every image and output pixel, the input pixel that
 * kernel tap (i, j) of channel c sees. Then the whole batch is ONE product, y' (O, B*Ho*Wo) = W (O, C*k*k) col,
 * and the backward is two: dW += dy' col^T and dcol = W^T dy'. One large GEMM keeps OpenBLAS's kernel busy (per
 * image products are as small as 32 x 48 x 256), split over threads in fixed column panels, so every output
 * is summed in the same order for any thread count (conv_gemm's fixed panels). y' is (O, B, Ho*Wo); a copy moves it
 * to (B, O, Ho*Wo).
 * Measured against a direct loop nest on the discriminator's shapes: see Benchmarks (ConvBenchmarks).
 */

CK_INLINE int conv_out(int n, int k, int stride, int pad) { return (n + 2 * pad - k) / stride + 1; }

/* ---------------------------------------------------------------- products in fixed panels */

/* Columns of C per panel. Fixed, not derived from the thread count: OpenBLAS sums an output in an order that
   can depend on the width of the call (measured: 1 ulp differences between a 1024- and a 512-column call), so
   the panels, not the threads, decide every call's shape and 1 or N threads give the same bits. */
#define CONV_PANEL 128
/* Below this many multiply-adds the panels run on one thread (ck_gemm's own threshold). */
#define CONV_SPLIT_MIN (1 << 17)

/* C (M, N) = op(A) op(B) + beta C (ck_gemm's arguments, alpha 1), one ck_gemm per panel of CONV_PANEL columns,
   panels spread over OpenMP's threads. Inside the region ck_gemm stays on its thread (even for one panel, so it
   never splits a product by its own thread-dependent rule); below CONV_SPLIT_MIN ck_gemm is single-threaded too. */
static void conv_gemm(int transA, int transB, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                      float beta, float *C, int ldc) {
    const int panels = (N + CONV_PANEL - 1) / CONV_PANEL;
#pragma omp parallel for schedule(static) if ((double)M * N * K >= CONV_SPLIT_MIN)
    for (int p = 0; p < panels; ++p) {
        const int first = p * CONV_PANEL, n = N - first < CONV_PANEL ? N - first : CONV_PANEL;
        const float *Bp = transB ? B + (size_t)first * ldb : B + first;
        ck_gemm(transA, transB, M, n, K, 1.0f, A, lda, Bp, ldb, beta, C + first, ldc);
    }
}

/* ---------------------------------------------------------------- im2col / col2im */

/* The output columns ow whose input column ow*stride - pad + j lies in [0, W): [*lo, *hi). Computed once per tap
   so the inner loops carry no bounds test (profiled: the per-element test made im2col/col2im ~20% of a vaegan step). */
CK_INLINE void conv_valid(int *lo, int *hi, int n, int Wo, int j, int stride, int pad) {
    int a = pad - j, l = a <= 0 ? 0 : (a + stride - 1) / stride;
    int h = (n - 1 + pad - j) < 0 ? 0 : (n - 1 + pad - j) / stride + 1;
    if (h > Wo) h = Wo;
    if (l > h) l = h;
    *lo = l; *hi = h;
}

/* One row of col: tap (c, i, j) for image b, the Ho*Wo output pixels. */
CK_INLINE void im2col_row(float *out, const float *xc, int H, int W, int Ho, int Wo, int i, int j,
                          int stride, int pad) {
    int lo, hi;
    conv_valid(&lo, &hi, W, Wo, j, stride, pad);
    for (int oh = 0; oh < Ho; ++oh) {
        const int h = oh * stride - pad + i;
        float *o = out + (size_t)oh * Wo;
        if (h < 0 || h >= H) { memset(o, 0, sizeof(float) * (size_t)Wo); continue; }
        const float *xr = xc + (size_t)h * W;
        const int off = j - pad;   /* ow*stride + off >= 0 for ow >= lo */
        for (int ow = 0; ow < lo; ++ow) o[ow] = 0.0f;
        for (int ow = lo; ow < hi; ++ow) o[ow] = xr[ow * stride + off];
        for (int ow = hi; ow < Wo; ++ow) o[ow] = 0.0f;
    }
}
CK_INSTANTIATE(im2col_row, (float *out, const float *xc, int H, int W, int Ho, int Wo, int i, int j, int stride, int pad),
               (out, xc, H, W, Ho, Wo, i, j, stride, pad))

void ck_im2col(float *col, const float *x, int B, int C, int H, int W, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, int, int, int, int, int, int, int, int) = CK_PICK(im2col_row);
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t HWo = (size_t)Ho * Wo, ld = (size_t)B * HWo;
    const int rows = C * k * k;
#pragma omp parallel for schedule(static) if ((size_t)rows * ld >= (1u << 14))
    for (int r = 0; r < rows; ++r) {
        const int c = r / (k * k), i = (r / k) % k, j = r % k;
        for (int b = 0; b < B; ++b)
            row(col + (size_t)r * ld + (size_t)b * HWo, x + ((size_t)b * C + c) * H * W, H, W, Ho, Wo, i, j, stride, pad);
    }
}

/* dx (one image, one channel) += the taps of dcol: each image is one thread's, taps in a fixed order. */
CK_INLINE void col2im_plane(float *dxc, const float *dcol, size_t ld, int H, int W, int Ho, int Wo, int k,
                            int stride, int pad) {
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            const float *d = dcol + (size_t)(i * k + j) * ld;
            int lo, hi;
            conv_valid(&lo, &hi, W, Wo, j, stride, pad);
            for (int oh = 0; oh < Ho; ++oh) {
                const int h = oh * stride - pad + i;
                if (h < 0 || h >= H) continue;
                float *xr = dxc + (size_t)h * W;
                const float *dr = d + (size_t)oh * Wo;
                const int off = j - pad;
                for (int ow = lo; ow < hi; ++ow) xr[ow * stride + off] += dr[ow];
            }
        }
}
CK_INSTANTIATE(col2im_plane, (float *dxc, const float *dcol, size_t ld, int H, int W, int Ho, int Wo, int k, int stride, int pad),
               (dxc, dcol, ld, H, W, Ho, Wo, k, stride, pad))

void ck_col2im(float *dx, const float *dcol, int B, int C, int H, int W, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    void (*plane)(float *, const float *, size_t, int, int, int, int, int, int, int) = CK_PICK(col2im_plane);
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t HWo = (size_t)Ho * Wo, ld = (size_t)B * HWo;
#pragma omp parallel for schedule(static) if ((size_t)B * C * H * W >= (1u << 12))
    for (int bc = 0; bc < B * C; ++bc) {
        const int b = bc / C, c = bc % C;
        plane(dx + (size_t)bc * H * W, dcol + (size_t)c * k * k * ld + (size_t)b * HWo, ld, H, W, Ho, Wo, k,
              stride, pad);
    }
}

/* ---------------------------------------------------------------- (O, B, S) <-> (B, O, S) with the bias */

CK_INLINE void bias_copy_row(float *y, const float *src, float bias, size_t S) {
#pragma clang loop vectorize(assume_safety)
    for (size_t s = 0; s < S; ++s) y[s] = src[s] + bias;
}
CK_INSTANTIATE(bias_copy_row, (float *y, const float *src, float bias, size_t S), (y, src, bias, S))

void ck_conv2d_forward(float *y, float *col, float *work, const float *x, const float *weight, const float *bias,
                       int B, int C, int H, int W, int O, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t S = (size_t)Ho * Wo;
    const int N = (int)((size_t)B * S), K = C * k * k;
    ck_im2col(col, x, B, C, H, W, k, stride, pad);
    conv_gemm(0, 0, O, N, K, weight, K, col, N, 0.0f, work, N);
    void (*row)(float *, const float *, float, size_t) = CK_PICK(bias_copy_row);
#pragma omp parallel for schedule(static) if ((size_t)B * O * S >= (1u << 14))
    for (int bo = 0; bo < B * O; ++bo) {
        const int b = bo / O, o = bo % O;
        row(y + (size_t)bo * S, work + (size_t)o * N + (size_t)b * S, bias ? bias[o] : 0.0f, S);
    }
}

void ck_conv2d_backward(float *dx, float *dweight, float *dbias, float *work, float *dcol,
                        const float *dy, const float *col, const float *weight,
                        int B, int C, int H, int W, int O, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t S = (size_t)Ho * Wo;
    const int N = (int)((size_t)B * S), K = C * k * k;
    void (*row)(float *, const float *, float, size_t) = CK_PICK(bias_copy_row);
    /* work (O, B, S) = dy (B, O, S) */
#pragma omp parallel for schedule(static) if ((size_t)B * O * S >= (1u << 14))
    for (int bo = 0; bo < B * O; ++bo) {
        const int b = bo / O, o = bo % O;
        row(work + (size_t)o * N + (size_t)b * S, dy + (size_t)bo * S, 0.0f, S);
    }
    if (dbias) {
        /* Each channel's sum by one thread, in index order, in double: the same bits for any thread count. */
#pragma omp parallel for schedule(static) if ((size_t)O * N >= (1u << 14))
        for (int o = 0; o < O; ++o) {
            double acc[CK_LANES] = {0};
            const float *r = work + (size_t)o * N;
            for (int i = 0; i < N; i += CK_BLOCK) ck_accumulate_lanes(acc, r + i, N - i < CK_BLOCK ? N - i : CK_BLOCK);
            dbias[o] += (float)ck_sum_lanes(acc);
        }
    }
    if (dweight) conv_gemm(0, 1, O, K, N, work, N, col, N, 1.0f, dweight, K);
    if (dx) {
        conv_gemm(1, 0, K, N, O, weight, K, work, N, 0.0f, dcol, N);
        ck_col2im(dx, dcol, B, C, H, W, k, stride, pad);
    }
}

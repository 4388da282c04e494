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

/*
 * Both go through the plane's stride phases: ph[di][dj] (Hp, Wp) holds the zero-padded plane's pixels
 * xpad[s*u + di][s*v + dj]. Kernel tap (i, j) = (s*a + di, s*e + dj) at output (oh, ow) reads xpad[s*oh + i][s*ow + j]
 * = ph[di][dj][oh + a][ow + e], so each tap's Ho x Wo block is Ho contiguous runs of Wo floats from one phase, with no
 * bounds test. Building the phases reads every pixel once (a strided read per phase column); the old per-tap
 * strided gather with per-tap bounds made im2col + col2im 24% of a vaegan step (perf, 1 thread, 32x32).
 * Planes whose phases exceed CONV_PHASE_FLOATS (64 KB of stack per thread; a 64x64 map with padding 2 needs 4,624)
 * take the direct per-tap loops below instead.
 */
#define CONV_PHASE_FLOATS 16384

typedef struct { int s, Hp, Wp; size_t P; } conv_phases;

CK_INLINE conv_phases phases_of(int H, int W, int stride, int pad) {
    conv_phases q;
    q.s = stride; q.Hp = (H + 2 * pad + stride - 1) / stride; q.Wp = (W + 2 * pad + stride - 1) / stride;
    q.P = (size_t)q.Hp * q.Wp;
    return q;
}
CK_INLINE size_t phase_floats(conv_phases q) { return (size_t)q.s * q.s * q.P; }
/* Where tap (i, j)'s block starts in the phases: phase (i % s, j % s), shifted by (i / s, j / s). */
CK_INLINE size_t tap_phase(conv_phases q, int i, int j) {
    return (size_t)((i % q.s) * q.s + j % q.s) * q.P + (size_t)(i / q.s) * q.Wp + j / q.s;
}

/* The output columns ow whose input column ow*stride - pad + j lies in [0, W): [*lo, *hi). Computed once per tap
   so the inner loops carry no bounds test. */
CK_INLINE void conv_valid(int *lo, int *hi, int n, int Wo, int j, int stride, int pad) {
    int a = pad - j, l = a <= 0 ? 0 : (a + stride - 1) / stride;
    int h = (n - 1 + pad - j) < 0 ? 0 : (n - 1 + pad - j) / stride + 1;
    if (h > Wo) h = Wo;
    if (l > h) l = h;
    *lo = l; *hi = h;
}

/* Input row h's pixels into (adding == 0) or out of (adding == 1: xr += phases) the phase rows: column w of the
   row is phase dj = (w + pad) % s at v = (w + pad) / s. */
CK_INLINE void phase_row(float *xr, float *ph, conv_phases q, int W, int h, int pad, int adding) {
    const int hh = h + pad, di = hh % q.s;
    float *base = ph + (size_t)di * q.s * q.P + (size_t)(hh / q.s) * q.Wp;
    for (int dj = 0; dj < q.s; ++dj) {
        float *prow = base + (size_t)dj * q.P;
        const int w0 = ((dj - pad) % q.s + q.s) % q.s;
        int v = (w0 + pad) / q.s;
        if (adding) for (int w = w0; w < W; w += q.s, ++v) xr[w] += prow[v];
        else for (int w = w0; w < W; w += q.s, ++v) prow[v] = xr[w];
    }
}

/* One image's channel: its k*k col rows (row stride ld), each Ho*Wo floats, through the phases ph. */
CK_INLINE void im2col_plane(float *col, size_t ld, const float *xc, float *ph, int H, int W, int Ho, int Wo, int k,
                            int stride, int pad) {
    const conv_phases q = phases_of(H, W, stride, pad);
    if (phase_floats(q) <= CONV_PHASE_FLOATS) {
        memset(ph, 0, sizeof(float) * phase_floats(q));
        for (int h = 0; h < H; ++h) phase_row((float *)xc + (size_t)h * W, ph, q, W, h, pad, 0);
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                const float *p = ph + tap_phase(q, i, j);
                float *o = col + (size_t)(i * k + j) * ld;
                for (int oh = 0; oh < Ho; ++oh)
                    for (int ow = 0; ow < Wo; ++ow) o[(size_t)oh * Wo + ow] = p[(size_t)oh * q.Wp + ow];
            }
        return;
    }
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            float *out = col + (size_t)(i * k + j) * ld;
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
}
CK_INSTANTIATE(im2col_plane, (float *col, size_t ld, const float *xc, float *ph, int H, int W, int Ho, int Wo, int k,
                              int stride, int pad), (col, ld, xc, ph, H, W, Ho, Wo, k, stride, pad))

void ck_im2col(float *col, const float *x, int B, int C, int H, int W, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    void (*plane)(float *, size_t, const float *, float *, int, int, int, int, int, int, int) = CK_PICK(im2col_plane);
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t HWo = (size_t)Ho * Wo, ld = (size_t)B * HWo;
#pragma omp parallel for schedule(static) if ((size_t)C * k * k * ld >= (1u << 14))
    for (int bc = 0; bc < B * C; ++bc) {
        float ph[CONV_PHASE_FLOATS];
        const int b = bc / C, c = bc % C;
        plane(col + (size_t)c * k * k * ld + (size_t)b * HWo, ld, x + (size_t)bc * H * W, ph, H, W, Ho, Wo, k,
              stride, pad);
    }
}

/* dx (one image, one channel) += the taps of dcol, in tap order: through the phases (summed from 0, then added
   to dx) or, for large planes, straight into dx. Each image is one thread's. */
CK_INLINE void col2im_plane(float *dxc, const float *dcol, size_t ld, float *ph, int H, int W, int Ho, int Wo, int k,
                            int stride, int pad) {
    const conv_phases q = phases_of(H, W, stride, pad);
    if (phase_floats(q) <= CONV_PHASE_FLOATS) {
        memset(ph, 0, sizeof(float) * phase_floats(q));
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                float *p = ph + tap_phase(q, i, j);
                const float *d = dcol + (size_t)(i * k + j) * ld;
                for (int oh = 0; oh < Ho; ++oh)
                    for (int ow = 0; ow < Wo; ++ow) p[(size_t)oh * q.Wp + ow] += d[(size_t)oh * Wo + ow];
            }
        for (int h = 0; h < H; ++h) phase_row(dxc + (size_t)h * W, ph, q, W, h, pad, 1);
        return;
    }
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
CK_INSTANTIATE(col2im_plane, (float *dxc, const float *dcol, size_t ld, float *ph, int H, int W, int Ho, int Wo, int k,
                              int stride, int pad), (dxc, dcol, ld, ph, H, W, Ho, Wo, k, stride, pad))

void ck_col2im(float *dx, const float *dcol, int B, int C, int H, int W, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    void (*plane)(float *, const float *, size_t, float *, int, int, int, int, int, int, int) = CK_PICK(col2im_plane);
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t HWo = (size_t)Ho * Wo, ld = (size_t)B * HWo;
#pragma omp parallel for schedule(static) if ((size_t)B * C * H * W >= (1u << 12))
    for (int bc = 0; bc < B * C; ++bc) {
        float ph[CONV_PHASE_FLOATS];
        const int b = bc / C, c = bc % C;
        plane(dx + (size_t)bc * H * W, dcol + (size_t)c * k * k * ld + (size_t)b * HWo, ld, ph, H, W, Ho, Wo, k,
              stride, pad);
    }
}

/* ---------------------------------------------------------------- (O, B, S) <-> (B, O, S) with the bias */

CK_INLINE void bias_copy_row(float *y, const float *src, float bias, size_t S) {
#pragma clang loop vectorize(assume_safety)
    for (size_t s = 0; s < S; ++s) y[s] = src[s] + bias;
}
CK_INSTANTIATE(bias_copy_row, (float *y, const float *src, float bias, size_t S), (y, src, bias, S))

/* bf16 (--precision bf16): the products y' = W col and dcol = W^T dy' take bf16-rounded inputs with float32 sums
   (ck_gemm_packed_bf16, on the packed panels of col and dy'); dW = dy' col^T stays float32, as DRAW's weight
   gradients do. Measured on the 64x64 discriminator's shapes (one Zen 5 thread): the bf16 products run at
   110-200 GFLOP/s against OpenBLAS's 40-95. The scratch holds the packed operand, then the converted A rows, then
   W^T (for dcol). */
/* Floats the packed operand takes (col (K, N) or dy' (O, N)), a multiple of 16 so what follows stays aligned. */
CK_INLINE size_t conv_bf16_packed_floats(int K, int N, int O) {
    const size_t a = ck_packed_size_bf16(K, N), b = ck_packed_size_bf16(O, N);
    return ((a > b ? a : b) + 31) / 32 * 16;
}
/* Floats the converted A rows take: W (O, K) for the forward, W^T (K, O) for dcol. */
CK_INLINE size_t conv_bf16_rows_floats(int K, int O) {
    const size_t a = ck_bf16_scratch_floats(O, K), b = ck_bf16_scratch_floats(K, O);
    return a > b ? a : b;
}
/* The scratch's three parts, in order. */
typedef struct { uint16_t *packed; float *rows, *wt; } conv_bf16_parts;
CK_INLINE conv_bf16_parts conv_bf16_split(float *scratch, int K, int N, int O) {
    conv_bf16_parts q;
    q.packed = (uint16_t *)scratch;
    q.rows = scratch + conv_bf16_packed_floats(K, N, O);
    q.wt = q.rows + conv_bf16_rows_floats(K, O);
    return q;
}
size_t ck_conv2d_bf16_scratch_floats(int B, int C, int H, int W, int O, int k, int stride, int pad) {
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad), K = C * k * k;
    const int N = (int)((size_t)B * Ho * Wo);
    return conv_bf16_packed_floats(K, N, O) + conv_bf16_rows_floats(K, O) + (size_t)K * O;
}

void ck_conv2d_forward(float *y, float *col, float *work, const float *x, const float *weight, const float *bias,
                       int B, int C, int H, int W, int O, int k, int stride, int pad) {
    ck_conv2d_forward_bf16(y, col, work, NULL, x, weight, bias, B, C, H, W, O, k, stride, pad);
}

void ck_conv2d_forward_bf16(float *y, float *col, float *work, float *bf16_scratch, const float *x,
                            const float *weight, const float *bias,
                            int B, int C, int H, int W, int O, int k, int stride, int pad) {
    CK_FLUSH_DENORMALS();
    const int Ho = conv_out(H, k, stride, pad), Wo = conv_out(W, k, stride, pad);
    const size_t S = (size_t)Ho * Wo;
    const int N = (int)((size_t)B * S), K = C * k * k;
    ck_im2col(col, x, B, C, H, W, k, stride, pad);
    if (bf16_scratch) {
        const conv_bf16_parts q = conv_bf16_split(bf16_scratch, K, N, O);
        ck_pack_bf16(q.packed, col, N, K, N);
        ck_gemm_packed_bf16(work, N, weight, K, q.packed, K, 0, O, N, K, 0, NULL, q.rows);
    } else {
        conv_gemm(0, 0, O, N, K, weight, K, col, N, 0.0f, work, N);
    }
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
    ck_conv2d_backward_bf16(dx, dweight, dbias, work, dcol, NULL, dy, col, weight, B, C, H, W, O, k, stride, pad);
}

void ck_conv2d_backward_bf16(float *dx, float *dweight, float *dbias, float *work, float *dcol, float *bf16_scratch,
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
        if (bf16_scratch) {
            const conv_bf16_parts q = conv_bf16_split(bf16_scratch, K, N, O);
            for (int o = 0; o < O; ++o)
                for (int r = 0; r < K; ++r) q.wt[(size_t)r * O + o] = weight[(size_t)o * K + r];
            ck_pack_bf16(q.packed, work, N, O, N);
            ck_gemm_packed_bf16(dcol, N, q.wt, O, q.packed, O, 0, K, N, O, 0, NULL, q.rows);
        } else {
            conv_gemm(1, 0, K, N, O, weight, K, work, N, 0.0f, dcol, N);
        }
        ck_col2im(dx, dcol, B, C, H, W, k, stride, pad);
    }
}

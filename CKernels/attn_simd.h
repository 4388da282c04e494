// attn_simd.h: the inner loops of the attention, read and write kernels, one table of them per SIMD path.
#ifndef ATTN_SIMD_H
#define ATTN_SIMD_H

#include "ck_internal.h"

/* Column chunk of the glimpse kernels: their scratch is a few (N, min(W, CK_ATTN_COLS)) panels on the stack. */
#define CK_ATTN_COLS 256

/* All matrices are row-major floats; every product is a sum over k in increasing order, so a path gives the
   same bits for any thread count. The bodies are written once (attn_simd_body.h) and compiled per ISA. */
typedef struct ck_attn_ops {
    /* C (M, n) = alpha A B (+ C when accumulate). A (M, K) is read as A[j*sj + k*sk], so a transposed A is
       (sj, sk) = (1, lda); B is (K, n) with row stride ldb. Vectorised over n, rows of C in register blocks. */
    void (*nn)(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
               int M, int K, int n, float alpha, int accumulate);
    /* C (M, K) = alpha A B^T (+ C when accumulate): A (M, n) stride lda, B (K, n) stride ldb; dots along n. */
    void (*nt)(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
               int M, int K, int n, float alpha, int accumulate);
    /* sum_i a[i] b[i] over n. */
    float (*dot)(const float *a, const float *b, int n);
    /* One filterbank row: F[a] = e_a / max(sum e, CK_FILTER_EPS), e_a = exp(-(a - mu)^2 k), a = 0..n-1,
       k = 1/(2 sigma2). An e_a below FLT_MIN is 0 on every path, so a row far off the image is all zeros. */
    void (*gauss_row)(float *F, int n, float mu, float k);
    /* The row's backward, recomputing e: with g_a = dF_a-weighted gradient times e_a (see attention.c),
       out[0] = sum g_a (a - mu), out[1] = sum g_a (a - mu)^2. dF (n). */
    void (*gauss_row_backward)(float out[2], const float *dF, int n, float mu, float k);
} ck_attn_ops;

extern const ck_attn_ops ck_attn_ops_scalar;
#if CK_X86
extern const ck_attn_ops ck_attn_ops_avx2;
extern const ck_attn_ops ck_attn_ops_avx512;
#endif
#if defined(__aarch64__)
extern const ck_attn_ops ck_attn_ops_neon;
#endif

/* The table for ck_simd_path(). */
const ck_attn_ops *ck_attn_ops_get(void);

#endif

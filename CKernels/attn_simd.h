// attn_simd.h: the two small matrix products the read and write kernels are built from, one table per SIMD path.
#ifndef ATTN_SIMD_H
#define ATTN_SIMD_H

#include "ck_internal.h"

/* Column chunk of the glimpse kernels: their scratch is a few (N, min(W, CK_ATTN_COLS)) panels on the stack,
   so H and W are unbounded and a thread's stack holds at most 2 * CK_MAX_N * CK_ATTN_COLS floats (64 KiB). */
#define CK_ATTN_COLS 256

/* All matrices are row-major floats. Every output element is one sum in a fixed order whatever its position
   (vector body or masked tail) and whatever the thread count, so a path gives the same bits for any thread count:
   nn sums over k in increasing order; nt sums lane-wise over n, then across lanes in a fixed tree. */
typedef struct ck_attn_ops {
    /* C (M, n) = alpha A B (+ C when accumulate). A (M, K) is read as A[j*sj + k*sk], so a transposed A is
       (sj, sk) = (1, lda); B is (K, n) with row stride ldb. Vectorised over n; AVX-512 keeps a tile of up to
       6 rows x 64 columns of C in registers and streams B once per tile. A bias row (n), when not NULL, is added
       in the same store: C = bias + alpha A B, or (C + bias) + alpha A B when accumulating, the order a bias
       broadcast followed by an accumulating product would round in. */
    void (*nn)(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
               int M, int K, int n, float alpha, int accumulate, const float *bias);
    /* C (M, K) = alpha A B^T (+ C when accumulate): A (M, n) stride lda, B (K, n) stride ldb; dots along n,
       four rows of B at a time (AVX-512: against up to six rows of A). */
    void (*nt)(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
               int M, int K, int n, float alpha, int accumulate);
} ck_attn_ops;

extern const ck_attn_ops ck_attn_ops_scalar;
#if CK_X86
extern const ck_attn_ops ck_attn_ops_avx2;
extern const ck_attn_ops ck_attn_ops_avx512;
#endif

/* The table for ck_simd_path() (NEON has none yet: aarch64 uses the scalar table). */
const ck_attn_ops *ck_attn_ops_get(void);

#endif

// f32_kernels.h: the float32 micro-kernels (A B and A B^T) under every packed product and the glimpse kernels, one table per SIMD path.
#ifndef CK_F32_KERNELS_H
#define CK_F32_KERNELS_H

#include "ck_internal.h"

/* All matrices are row-major floats. Every output element is one sum in a fixed order whatever its position
   (vector body or masked tail) and whatever the thread count, so a path gives the same bits for any thread count:
   nn sums over k in increasing order; nt sums lane-wise over n, then across lanes in a fixed tree. */
typedef struct ck_f32_ops {
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
} ck_f32_ops;

extern const ck_f32_ops ck_f32_ops_scalar;
#if CK_X86
extern const ck_f32_ops ck_f32_ops_avx2;
extern const ck_f32_ops ck_f32_ops_avx512;
#endif /* CK_F32_KERNELS_H */

/* The table for ck_simd_path(). There is no NEON table: on aarch64 every packed product and glimpse runs the
   scalar one (the compiler's baseline vectorisation only). */
const ck_f32_ops *ck_f32_ops_get(void);

#endif /* CK_F32_KERNELS_H */

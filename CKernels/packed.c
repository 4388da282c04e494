// packed.c: weights packed once into 64-column panels, and the per-step products on them (no BLAS, no packing per call).
#include "f32_kernels.h"
#include <string.h>

/*
 * Why: the recurrent products are small (M = batch rows, K and N a few hundred), and OpenBLAS packs the whole
 * weight on every call: a quarter of the step went into sgemm_*copy. Here the weight is packed once per
 * parameter update into panels of CK_PACK_COLS columns, each (K, CK_PACK_COLS) contiguous, and the product
 * streams a panel through the register-tiled kernel of f32_kernels.c (AVX-512: 6 rows x 64 columns per tile),
 * which sums each output over k in increasing order as one FMA chain: the same bits for any thread count
 * and any row split.
 */

size_t ck_packed_size(int K, int N) {
    const size_t panels = (size_t)(N + CK_PACK_COLS - 1) / CK_PACK_COLS;
    return panels * CK_PACK_COLS * (size_t)(K > 0 ? K : 0);
}

/* P[p][k0 + k][c] = element (k, p*64 + c) of the (K, N) matrix, zero past N, in panels of Kp rows; `at(k, n)`
   reads it from the source. */
#define PACK_BODY(at, Kp, k0)                                                          \
    const int panels = (N + CK_PACK_COLS - 1) / CK_PACK_COLS;                          \
    _Pragma("omp parallel for schedule(static) if ((size_t)K * N >= (1u << 16))")      \
    for (int p = 0; p < panels; ++p) {                                                 \
        float *dst = packed + ((size_t)p * (Kp) + (size_t)(k0)) * CK_PACK_COLS;         \
        const int n0 = p * CK_PACK_COLS;                                               \
        const int w = N - n0 < CK_PACK_COLS ? N - n0 : CK_PACK_COLS;                   \
        for (int k = 0; k < K; ++k) {                                                  \
            float *row = dst + (size_t)k * CK_PACK_COLS;                               \
            for (int c = 0; c < w; ++c) row[c] = at(k, n0 + c);                        \
            for (int c = w; c < CK_PACK_COLS; ++c) row[c] = 0.0f;                      \
        }                                                                              \
    }

void ck_pack(float *packed, const float *W, int ldw, int K, int N) {
#define AT_NN(k, n) W[(size_t)(k) * ldw + (n)]
    PACK_BODY(AT_NN, K, 0)
#undef AT_NN
}

void ck_pack_transposed_rows(float *packed, int Kp, int k0, const float *W, int ldw, int K, int N) {
#define AT_T(k, n) W[(size_t)(n) * ldw + (k)]
    PACK_BODY(AT_T, Kp, k0)
#undef AT_T
}

void ck_pack_transposed(float *packed, const float *W, int ldw, int K, int N) {
    ck_pack_transposed_rows(packed, K, 0, W, ldw, K, N);
}

void ck_packed_empty(float *C, int ldc, int M, int N, int accumulate, const float *bias) {
    if (bias) ck_bias_rows(C, ldc, bias, M, N, accumulate);
    else if (!accumulate)
        for (int i = 0; i < M; ++i) memset(C + (size_t)i * ldc, 0, sizeof(float) * (size_t)N);
}

/* Below this many multiply-adds a product stays on one thread. */

/* C = A P (+ C) (+ bias), the bias added in the tile's store (no broadcast pass, no second parallel region). */
static void gemm_packed(float *C, int ldc, const float *A, int lda, const float *P, int Kp,
                        int M, int N, int K, int accumulate, const float *bias) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { ck_packed_empty(C, ldc, M, N, accumulate, bias); return; }
    const ck_f32_ops *ops = ck_f32_ops_get();
    const int nt = omp_in_parallel() ? 1 : ck_get_threads();
    /* Row blocks of 6 rows, the AVX-512 tile height. */
    const ck_packed_split s = ck_packed_plan(M, N, nt, 6);
    const int parallel = nt > 1 && s.items > 1 && (double)M * N * K >= CK_PACKED_SPLIT_MIN;
    CK_PACKED_FOR_EACH_ITEM(s, M, 6, parallel, {
        const int n0 = p * CK_PACK_COLS;
        const int w = N - n0 < CK_PACK_COLS ? N - n0 : CK_PACK_COLS;
        ops->nn(C + (size_t)r0 * ldc + n0, ldc, A + (size_t)r0 * lda, lda, 1,
                P + (size_t)p * Kp * CK_PACK_COLS, CK_PACK_COLS, r1 - r0, K, w, 1.0f, accumulate,
                bias ? bias + n0 : NULL);
    });
}

void ck_gemm_packed(float *C, int ldc, const float *A, int lda, const float *P, int Kp,
                    int M, int N, int K, int accumulate) {
    CK_FLUSH_DENORMALS();
    gemm_packed(C, ldc, A, lda, P, Kp, M, N, K, accumulate, NULL);
}

void ck_linear_forward_packed(float *y, int ldy, const float *x, int ldx, const float *Wt, int Kp,
                              const float *b, int M, int in, int out, int accumulate) {
    CK_FLUSH_DENORMALS();
    gemm_packed(y, ldy, x, ldx, Wt, Kp, M, out, in, accumulate, b);
}

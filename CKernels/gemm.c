// gemm.c: the one entry point to cblas_sgemm, and the linear layer built on it.
#include "ck_internal.h"
#include <cblas.h>
#include <string.h>

void ck_gemm(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { /* cblas leaves C alone for K = 0 only when beta = 1; make beta's meaning exact. */
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
        return;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_linear_forward(float *y, int ldy, const float *x, int ldx, const float *W, int ldw,
                       const float *b, int M, int in, int out, int accumulate) {
    float beta = accumulate ? 1.0f : 0.0f;
    if (b) {
        /* Broadcast the bias first, then let the GEMM add x W^T on top (beta = 1). */
        #pragma omp parallel for schedule(static)
        for (int i = 0; i < M; ++i) {
            float *row = y + (size_t)i * ldy;
            if (accumulate) for (int j = 0; j < out; ++j) row[j] += b[j];
            else memcpy(row, b, sizeof(float) * (size_t)out);
        }
        beta = 1.0f;
    }
    ck_gemm(0, 1, M, out, in, 1.0f, x, ldx, W, ldw, beta, y, ldy);
}

void ck_linear_backward(float *dx, int lddx, float *dW, int lddw, float *db,
                        const float *dy, int lddy, const float *x, int ldx, const float *W, int ldw,
                        int M, int in, int out) {
    if (dx) ck_gemm(0, 0, M, in, out, 1.0f, dy, lddy, W, ldw, 1.0f, dx, lddx);
    if (dW) ck_gemm(1, 0, out, in, M, 1.0f, dy, lddy, x, ldx, 1.0f, dW, lddw);
    if (db) {
        /* Column sums in row order: the same result for any thread count. */
        #pragma omp parallel for schedule(static)
        for (int j = 0; j < out; ++j) {
            float s = 0.0f;
            for (int i = 0; i < M; ++i) s += dy[(size_t)i * lddy + j];
            db[j] += s;
        }
    }
}

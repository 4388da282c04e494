// gemm.c: the one entry point to cblas_sgemm, and the linear layer built on it.
#include "ck_internal.h"
#include <cblas.h>
#include <string.h>

/*
 * Threads: OpenBLAS keeps ONE thread and the GEMM is split here, over OpenMP's threads, into column (or row)
 * panels, each a single-threaded cblas_sgemm. Why: with OpenBLAS's own pool beside OpenMP's, the two sets
 * of threads spin-wait against each other on every kernel/GEMM alternation (seen as sched_yield and libomp
 * spin loops taking a fifth of a 2-thread step). One pool, and each output element is still summed over K
 * by the same kernel in the same order, so results do not depend on the thread count.
 */

/* Below this many multiply-adds a GEMM stays on one thread: a fork costs more than it saves. */
#define CK_GEMM_SPLIT_MIN (1 << 17)
/* Panel widths are multiples of this, so every panel but the last is whole micro-kernel tiles. */
#define CK_GEMM_PANEL 32

static void sgemm(int transA, int transB, int M, int N, int K, float alpha,
                  const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_gemm(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    CK_FLUSH_DENORMALS();
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { /* cblas leaves C alone for K = 0 only when beta = 1; make beta's meaning exact. */
        if (beta == 1.0f) return;
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
        return;
    }
    ck_blas_single_thread();
    const int nt = ck_get_threads();
    const int splitN = N >= M;
    const int extent = splitN ? N : M;
    if (nt <= 1 || ck_blas_threaded() || omp_in_parallel() || (double)M * N * K < CK_GEMM_SPLIT_MIN || extent < 2 * CK_GEMM_PANEL) {
        sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    const int tiles = (extent + CK_GEMM_PANEL - 1) / CK_GEMM_PANEL;
    const int parts = nt < tiles ? nt : tiles;
    #pragma omp parallel for schedule(static) num_threads(parts)
    for (int p = 0; p < parts; ++p) {
        const int first = (int)((long)tiles * p / parts) * CK_GEMM_PANEL;
        int last = (int)((long)tiles * (p + 1) / parts) * CK_GEMM_PANEL;
        if (last > extent) last = extent;
        const int n = last - first;
        if (splitN) {
            /* Columns first..last of C and of op(B): B is (K, N) row-major, or (N, K) when transposed. */
            const float *Bp = transB ? B + (size_t)first * ldb : B + first;
            sgemm(transA, transB, M, n, K, alpha, A, lda, Bp, ldb, beta, C + first, ldc);
        } else {
            /* Rows first..last of C and of op(A): A is (M, K) row-major, or (K, M) when transposed. */
            const float *Ap = transA ? A + first : A + (size_t)first * lda;
            sgemm(transA, transB, n, N, K, alpha, Ap, lda, B, ldb, beta, C + (size_t)first * ldc, ldc);
        }
    }
}

void ck_bias_rows(float *y, int ldy, const float *b, int M, int out, int accumulate) {
    #pragma omp parallel for schedule(static) if ((size_t)M * out >= (1u << 14))
    for (int i = 0; i < M; ++i) {
        float *row = y + (size_t)i * ldy;
        if (accumulate) for (int j = 0; j < out; ++j) row[j] += b[j];
        else memcpy(row, b, sizeof(float) * (size_t)out);
    }
}

void ck_linear_forward(float *y, int ldy, const float *x, int ldx, const float *W, int ldw,
                       const float *b, int M, int in, int out, int accumulate) {
    CK_FLUSH_DENORMALS();
    float beta = accumulate ? 1.0f : 0.0f;
    if (b) {
        /* Broadcast the bias first, then let the GEMM add x W^T on top (beta = 1). */
        ck_bias_rows(y, ldy, b, M, out, accumulate);
        beta = 1.0f;
    }
    ck_gemm(0, 1, M, out, in, 1.0f, x, ldx, W, ldw, beta, y, ldy);
}

void ck_linear_backward(float *dx, int lddx, float *dW, int lddw, float *db,
                        const float *dy, int lddy, const float *x, int ldx, const float *W, int ldw,
                        int M, int in, int out) {
    CK_FLUSH_DENORMALS();
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

// attn_simd.c: the glimpse kernels' two small matrix products (A B and A B^T) for scalar, AVX2 and AVX-512.
#include "attn_simd.h"
#include <stddef.h>
#if CK_X86
#include <immintrin.h>
#endif

/* ---------------------------------------------------------------- scalar */

static void nn_scalar(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                      int M, int K, int n, float alpha, int accumulate) {
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * sj;
        float *c = C + (ptrdiff_t)j * ldc;
        for (int v = 0; v < n; ++v) {
            float s = 0.0f;
            for (int k = 0; k < K; ++k) s += a[(ptrdiff_t)k * sk] * B[(ptrdiff_t)k * ldb + v];
            c[v] = accumulate ? c[v] + alpha * s : alpha * s;
        }
    }
}

static void nt_scalar(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
                      int M, int K, int n, float alpha, int accumulate) {
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * lda;
        float *c = C + (ptrdiff_t)j * ldc;
        for (int i = 0; i < K; ++i) {
            const float *b = B + (ptrdiff_t)i * ldb;
            float s = 0.0f;
            for (int v = 0; v < n; ++v) s += a[v] * b[v];
            c[i] = accumulate ? c[i] + alpha * s : alpha * s;
        }
    }
}

const ck_attn_ops ck_attn_ops_scalar = { nn_scalar, nt_scalar };

#if CK_X86
/* ---------------------------------------------------------------- AVX-512 (16 lanes, masked tail) */

/* R (<= 4) rows of C = alpha A B (+ C), all n columns: 2 vectors per row in the body, then one masked vector. */
CK_INLINE CK_TARGET_AVX512 void nn_rows_avx512(const int R, float *C, int ldc, const float *A, int sj, int sk,
                                               const float *B, int ldb, int K, int n, float alpha, int accumulate) {
    const __m512 al = _mm512_set1_ps(alpha);
    int v = 0;
    for (; v + 32 <= n; v += 32) {
        __m512 a0[4], a1[4];
        for (int r = 0; r < R; ++r) { a0[r] = _mm512_setzero_ps(); a1[r] = _mm512_setzero_ps(); }
        for (int k = 0; k < K; ++k) {
            const float *b = B + (ptrdiff_t)k * ldb + v;
            const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
            for (int r = 0; r < R; ++r) {
                const __m512 s = _mm512_set1_ps(A[(ptrdiff_t)r * sj + (ptrdiff_t)k * sk]);
                a0[r] = _mm512_fmadd_ps(s, b0, a0[r]);
                a1[r] = _mm512_fmadd_ps(s, b1, a1[r]);
            }
        }
        for (int r = 0; r < R; ++r) {
            float *c = C + (ptrdiff_t)r * ldc + v;
            __m512 y0 = _mm512_mul_ps(al, a0[r]), y1 = _mm512_mul_ps(al, a1[r]);
            if (accumulate) { y0 = _mm512_add_ps(_mm512_loadu_ps(c), y0); y1 = _mm512_add_ps(_mm512_loadu_ps(c + 16), y1); }
            _mm512_storeu_ps(c, y0);
            _mm512_storeu_ps(c + 16, y1);
        }
    }
    for (; v < n; v += 16) {
        const __mmask16 m = n - v >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - v)) - 1u);
        __m512 a0[4];
        for (int r = 0; r < R; ++r) a0[r] = _mm512_setzero_ps();
        for (int k = 0; k < K; ++k) {
            const __m512 b0 = _mm512_maskz_loadu_ps(m, B + (ptrdiff_t)k * ldb + v);
            for (int r = 0; r < R; ++r)
                a0[r] = _mm512_fmadd_ps(_mm512_set1_ps(A[(ptrdiff_t)r * sj + (ptrdiff_t)k * sk]), b0, a0[r]);
        }
        for (int r = 0; r < R; ++r) {
            float *c = C + (ptrdiff_t)r * ldc + v;
            __m512 y0 = _mm512_mul_ps(al, a0[r]);
            if (accumulate) y0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), y0);
            _mm512_mask_storeu_ps(c, m, y0);
        }
    }
}

CK_TARGET_AVX512 static void nn_avx512(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                                       int M, int K, int n, float alpha, int accumulate) {
    int j = 0;
    for (; j + 4 <= M; j += 4)
        nn_rows_avx512(4, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * sj, sj, sk, B, ldb, K, n, alpha, accumulate);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * sj;
    switch (M - j) {
    case 3: nn_rows_avx512(3, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    case 2: nn_rows_avx512(2, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    case 1: nn_rows_avx512(1, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    default: break;
    }
}

/* c[r] = alpha (a . B_r) (+ c[r]) for R (<= 4) rows B_r of B. */
CK_INLINE CK_TARGET_AVX512 void nt_dots_avx512(const int R, float *c, const float *a, const float *B, int ldb,
                                               int n, float alpha, int accumulate) {
    __m512 acc[4];
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    int v = 0;
    for (; v + 16 <= n; v += 16) {
        const __m512 x = _mm512_loadu_ps(a + v);
        for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(x, _mm512_loadu_ps(B + (ptrdiff_t)r * ldb + v), acc[r]);
    }
    if (v < n) {
        const __mmask16 m = (__mmask16)((1u << (n - v)) - 1u);
        const __m512 x = _mm512_maskz_loadu_ps(m, a + v);
        for (int r = 0; r < R; ++r)
            acc[r] = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, B + (ptrdiff_t)r * ldb + v), acc[r]);
    }
    for (int r = 0; r < R; ++r) {
        const float s = alpha * _mm512_reduce_add_ps(acc[r]);
        c[r] = accumulate ? c[r] + s : s;
    }
}

CK_TARGET_AVX512 static void nt_avx512(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
                                       int M, int K, int n, float alpha, int accumulate) {
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * lda;
        float *c = C + (ptrdiff_t)j * ldc;
        int i = 0;
        for (; i + 4 <= K; i += 4) nt_dots_avx512(4, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate);
        switch (K - i) {
        case 3: nt_dots_avx512(3, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        case 2: nt_dots_avx512(2, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        case 1: nt_dots_avx512(1, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        default: break;
        }
    }
}

const ck_attn_ops ck_attn_ops_avx512 = { nn_avx512, nt_avx512 };

/* ---------------------------------------------------------------- AVX2 (8 lanes, masked tail) */

CK_INLINE CK_TARGET_AVX2 __m256i tail_mask_avx2(int rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

CK_INLINE CK_TARGET_AVX2 void nn_rows_avx2(const int R, float *C, int ldc, const float *A, int sj, int sk,
                                           const float *B, int ldb, int K, int n, float alpha, int accumulate) {
    const __m256 al = _mm256_set1_ps(alpha);
    int v = 0;
    for (; v + 16 <= n; v += 16) {
        __m256 a0[4], a1[4];
        for (int r = 0; r < R; ++r) { a0[r] = _mm256_setzero_ps(); a1[r] = _mm256_setzero_ps(); }
        for (int k = 0; k < K; ++k) {
            const float *b = B + (ptrdiff_t)k * ldb + v;
            const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
            for (int r = 0; r < R; ++r) {
                const __m256 s = _mm256_broadcast_ss(A + (ptrdiff_t)r * sj + (ptrdiff_t)k * sk);
                a0[r] = _mm256_fmadd_ps(s, b0, a0[r]);
                a1[r] = _mm256_fmadd_ps(s, b1, a1[r]);
            }
        }
        for (int r = 0; r < R; ++r) {
            float *c = C + (ptrdiff_t)r * ldc + v;
            __m256 y0 = _mm256_mul_ps(al, a0[r]), y1 = _mm256_mul_ps(al, a1[r]);
            if (accumulate) { y0 = _mm256_add_ps(_mm256_loadu_ps(c), y0); y1 = _mm256_add_ps(_mm256_loadu_ps(c + 8), y1); }
            _mm256_storeu_ps(c, y0);
            _mm256_storeu_ps(c + 8, y1);
        }
    }
    for (; v < n; v += 8) {
        const __m256i m = tail_mask_avx2(n - v);
        __m256 a0[4];
        for (int r = 0; r < R; ++r) a0[r] = _mm256_setzero_ps();
        for (int k = 0; k < K; ++k) {
            const __m256 b0 = _mm256_maskload_ps(B + (ptrdiff_t)k * ldb + v, m);
            for (int r = 0; r < R; ++r)
                a0[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(A + (ptrdiff_t)r * sj + (ptrdiff_t)k * sk), b0, a0[r]);
        }
        for (int r = 0; r < R; ++r) {
            float *c = C + (ptrdiff_t)r * ldc + v;
            __m256 y0 = _mm256_mul_ps(al, a0[r]);
            if (accumulate) y0 = _mm256_add_ps(_mm256_maskload_ps(c, m), y0);
            _mm256_maskstore_ps(c, m, y0);
        }
    }
}

CK_TARGET_AVX2 static void nn_avx2(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                                   int M, int K, int n, float alpha, int accumulate) {
    int j = 0;
    for (; j + 4 <= M; j += 4)
        nn_rows_avx2(4, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * sj, sj, sk, B, ldb, K, n, alpha, accumulate);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * sj;
    switch (M - j) {
    case 3: nn_rows_avx2(3, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    case 2: nn_rows_avx2(2, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    case 1: nn_rows_avx2(1, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate); break;
    default: break;
    }
}

/* Horizontal sum in a fixed order: high half onto low, then pairs. */
CK_INLINE CK_TARGET_AVX2 float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CK_INLINE CK_TARGET_AVX2 void nt_dots_avx2(const int R, float *c, const float *a, const float *B, int ldb,
                                           int n, float alpha, int accumulate) {
    __m256 acc[4];
    for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
    int v = 0;
    for (; v + 8 <= n; v += 8) {
        const __m256 x = _mm256_loadu_ps(a + v);
        for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(x, _mm256_loadu_ps(B + (ptrdiff_t)r * ldb + v), acc[r]);
    }
    if (v < n) {
        const __m256i m = tail_mask_avx2(n - v);
        const __m256 x = _mm256_maskload_ps(a + v, m);
        for (int r = 0; r < R; ++r)
            acc[r] = _mm256_fmadd_ps(x, _mm256_maskload_ps(B + (ptrdiff_t)r * ldb + v, m), acc[r]);
    }
    for (int r = 0; r < R; ++r) {
        const float s = alpha * hsum_avx2(acc[r]);
        c[r] = accumulate ? c[r] + s : s;
    }
}

CK_TARGET_AVX2 static void nt_avx2(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
                                   int M, int K, int n, float alpha, int accumulate) {
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * lda;
        float *c = C + (ptrdiff_t)j * ldc;
        int i = 0;
        for (; i + 4 <= K; i += 4) nt_dots_avx2(4, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate);
        switch (K - i) {
        case 3: nt_dots_avx2(3, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        case 2: nt_dots_avx2(2, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        case 1: nt_dots_avx2(1, c + i, a, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate); break;
        default: break;
        }
    }
}

const ck_attn_ops ck_attn_ops_avx2 = { nn_avx2, nt_avx2 };
#endif

const ck_attn_ops *ck_attn_ops_get(void) {
#if CK_X86
    switch (ck_simd_path()) {
    case CK_SIMD_AVX512: return &ck_attn_ops_avx512;
    case CK_SIMD_AVX2: return &ck_attn_ops_avx2;
    default: break;
    }
#endif
    return &ck_attn_ops_scalar;
}

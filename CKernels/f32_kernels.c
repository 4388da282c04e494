// f32_kernels.c: the float32 micro-kernels (A B and A B^T) of the packed products and glimpses, for scalar, AVX2 and AVX-512.
#include "f32_kernels.h"
#include <stddef.h>
#if CK_X86
#include <immintrin.h>
#endif

/* ---------------------------------------------------------------- scalar */

static void nn_scalar(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                      int M, int K, int n, float alpha, int accumulate, const float *bias) {
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * sj;
        float *c = C + (ptrdiff_t)j * ldc;
        for (int v = 0; v < n; ++v) {
            float s = 0.0f;
            for (int k = 0; k < K; ++k) s += a[(ptrdiff_t)k * sk] * B[(ptrdiff_t)k * ldb + v];
            const float base = accumulate ? (bias ? c[v] + bias[v] : c[v]) : (bias ? bias[v] : 0.0f);
            c[v] = accumulate || bias ? base + alpha * s : alpha * s;
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

const ck_f32_ops ck_f32_ops_scalar = { nn_scalar, nt_scalar };

#if CK_X86
/* ---------------------------------------------------------------- AVX-512 (16 lanes, masked tail) */

/* An R x V tile of C = alpha A B (+ C): R (<= 6) rows, V (<= 4) vectors of 16 columns, the last one masked by
   `last`. All R*V accumulators stay in registers while B's K rows are streamed once; each output is one FMA
   chain over k in increasing order. */
CK_INLINE CK_TARGET_AVX512 void nn_tile_avx512(const int R, const int V, float *C, int ldc, const float *A, int sj,
                                               int sk, const float *B, int ldb, int K, __mmask16 last, float alpha,
                                               int accumulate, const float *bias) {
    __m512 acc[6][4];
    for (int r = 0; r < R; ++r)
        for (int q = 0; q < V; ++q) acc[r][q] = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k) {
        const float *b = B + (ptrdiff_t)k * ldb;
        __m512 bv[4];
        for (int q = 0; q < V; ++q)
            bv[q] = q == V - 1 ? _mm512_maskz_loadu_ps(last, b + 16 * q) : _mm512_loadu_ps(b + 16 * q);
        for (int r = 0; r < R; ++r) {
            const __m512 a = _mm512_set1_ps(A[(ptrdiff_t)r * sj + (ptrdiff_t)k * sk]);
            for (int q = 0; q < V; ++q) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
        }
    }
    const __m512 al = _mm512_set1_ps(alpha);
    for (int r = 0; r < R; ++r)
        for (int q = 0; q < V; ++q) {
            const __mmask16 m = q == V - 1 ? last : (__mmask16)0xFFFF;
            float *c = C + (ptrdiff_t)r * ldc + 16 * q;
            __m512 y = _mm512_mul_ps(al, acc[r][q]);
            if (accumulate || bias) {
                __m512 base = accumulate ? _mm512_maskz_loadu_ps(m, c) : _mm512_setzero_ps();
                if (bias) {
                    const __m512 bv = _mm512_maskz_loadu_ps(m, bias + 16 * q);
                    base = accumulate ? _mm512_add_ps(base, bv) : bv;
                }
                y = _mm512_add_ps(base, y);
            }
            _mm512_mask_storeu_ps(c, m, y);
        }
}

/* R rows of C, all n columns: tiles of 64 columns, then one tile of the remaining 1..3 vectors. */
CK_INLINE CK_TARGET_AVX512 void nn_rows_avx512(const int R, float *C, int ldc, const float *A, int sj, int sk,
                                               const float *B, int ldb, int K, int n, float alpha, int accumulate,
                                               const float *bias) {
    int v = 0;
    for (; v + 64 <= n; v += 64)
        nn_tile_avx512(R, 4, C + v, ldc, A, sj, sk, B + v, ldb, K, (__mmask16)0xFFFF, alpha, accumulate,
                       bias ? bias + v : NULL);
    if (v == n) return;
    const int rem = n - v, V = (rem + 15) / 16;
    const __mmask16 last = (__mmask16)(0xFFFFu >> (16 * V - rem));
    const float *bv = bias ? bias + v : NULL;
    switch (V) {
    case 1: nn_tile_avx512(R, 1, C + v, ldc, A, sj, sk, B + v, ldb, K, last, alpha, accumulate, bv); break;
    case 2: nn_tile_avx512(R, 2, C + v, ldc, A, sj, sk, B + v, ldb, K, last, alpha, accumulate, bv); break;
    case 3: nn_tile_avx512(R, 3, C + v, ldc, A, sj, sk, B + v, ldb, K, last, alpha, accumulate, bv); break;
    default: nn_tile_avx512(R, 4, C + v, ldc, A, sj, sk, B + v, ldb, K, last, alpha, accumulate, bv); break;
    }
}

CK_TARGET_AVX512 static void nn_avx512(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                                       int M, int K, int n, float alpha, int accumulate, const float *bias) {
    int j = 0;
    for (; j + 6 <= M; j += 6)
        nn_rows_avx512(6, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * sj, sj, sk, B, ldb, K, n, alpha, accumulate,
                       bias);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * sj;
    switch (M - j) {
    case 5: nn_rows_avx512(5, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 4: nn_rows_avx512(4, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 3: nn_rows_avx512(3, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 2: nn_rows_avx512(2, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 1: nn_rows_avx512(1, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    default: break;
    }
}


/* The four horizontal sums of a, b, c, d as one vector, in a fixed tree: 256-bit halves, 128-bit quarters,
   then within each quarter. */
CK_INLINE CK_TARGET_AVX512 __m128 hsum4_avx512(__m512 a, __m512 b, __m512 c, __m512 d) {
    const __m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    const __m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE));
    __m512 v = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
    v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));
    v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));
    return _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 4, 8, 12,
                                                                          0, 4, 8, 12, 0, 4, 8, 12), v));
}

/* C[j, i..i+RB) = alpha (A_j . B_i) (+ C) for RA (<= 6) rows of A and RB (<= 4) rows of B: RA*RB accumulators
   over n in 16-lane steps (masked tail), then one hsum4 per row of A. B's rows are read once per tile. */
CK_INLINE CK_TARGET_AVX512 void nt_tile_avx512(const int RA, const int RB, float *C, int ldc, const float *A, int lda,
                                               const float *B, int ldb, int n, float alpha, int accumulate) {
    __m512 acc[6][4];
    for (int r = 0; r < RA; ++r)
        for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_setzero_ps();
    for (int v = 0; v < n; v += 16) {
        const __mmask16 m = n - v >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - v)) - 1u);
        __m512 bv[4];
        for (int q = 0; q < RB; ++q) bv[q] = _mm512_maskz_loadu_ps(m, B + (ptrdiff_t)q * ldb + v);
        for (int r = 0; r < RA; ++r) {
            const __m512 a = _mm512_maskz_loadu_ps(m, A + (ptrdiff_t)r * lda + v);
            for (int q = 0; q < RB; ++q) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
        }
    }
    const __mmask8 m = (__mmask8)((1u << RB) - 1u);
    const __m128 al = _mm_set1_ps(alpha);
    for (int r = 0; r < RA; ++r) {
        float *c = C + (ptrdiff_t)r * ldc;
        __m128 y = _mm_mul_ps(al, hsum4_avx512(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
        if (accumulate) y = _mm_add_ps(_mm_maskz_loadu_ps(m, c), y);
        _mm_mask_storeu_ps(c, m, y);
    }
}

CK_INLINE CK_TARGET_AVX512 void nt_rows_avx512(const int RA, float *C, int ldc, const float *A, int lda,
                                               const float *B, int ldb, int K, int n, float alpha, int accumulate) {
    int i = 0;
    for (; i + 4 <= K; i += 4) nt_tile_avx512(RA, 4, C + i, ldc, A, lda, B + (ptrdiff_t)i * ldb, ldb, n, alpha, accumulate);
    const float *b = B + (ptrdiff_t)i * ldb;
    switch (K - i) {
    case 3: nt_tile_avx512(RA, 3, C + i, ldc, A, lda, b, ldb, n, alpha, accumulate); break;
    case 2: nt_tile_avx512(RA, 2, C + i, ldc, A, lda, b, ldb, n, alpha, accumulate); break;
    case 1: nt_tile_avx512(RA, 1, C + i, ldc, A, lda, b, ldb, n, alpha, accumulate); break;
    default: break;
    }
}

CK_TARGET_AVX512 static void nt_avx512(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
                                       int M, int K, int n, float alpha, int accumulate) {
    int j = 0;
    for (; j + 6 <= M; j += 6)
        nt_rows_avx512(6, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * lda, lda, B, ldb, K, n, alpha, accumulate);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * lda;
    switch (M - j) {
    case 5: nt_rows_avx512(5, c, ldc, a, lda, B, ldb, K, n, alpha, accumulate); break;
    case 4: nt_rows_avx512(4, c, ldc, a, lda, B, ldb, K, n, alpha, accumulate); break;
    case 3: nt_rows_avx512(3, c, ldc, a, lda, B, ldb, K, n, alpha, accumulate); break;
    case 2: nt_rows_avx512(2, c, ldc, a, lda, B, ldb, K, n, alpha, accumulate); break;
    case 1: nt_rows_avx512(1, c, ldc, a, lda, B, ldb, K, n, alpha, accumulate); break;
    default: break;
    }
}

const ck_f32_ops ck_f32_ops_avx512 = { nn_avx512, nt_avx512 };

/* ---------------------------------------------------------------- AVX2 (8 lanes, masked tail) */

CK_INLINE CK_TARGET_AVX2 __m256i tail_mask_avx2(int rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

CK_INLINE CK_TARGET_AVX2 void nn_rows_avx2(const int R, float *C, int ldc, const float *A, int sj, int sk,
                                           const float *B, int ldb, int K, int n, float alpha, int accumulate,
                                           const float *bias) {
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
            if (accumulate || bias) {
                __m256 b0 = accumulate ? _mm256_loadu_ps(c) : _mm256_setzero_ps();
                __m256 b1 = accumulate ? _mm256_loadu_ps(c + 8) : _mm256_setzero_ps();
                if (bias) {
                    const __m256 v0 = _mm256_loadu_ps(bias + v), v1 = _mm256_loadu_ps(bias + v + 8);
                    b0 = accumulate ? _mm256_add_ps(b0, v0) : v0;
                    b1 = accumulate ? _mm256_add_ps(b1, v1) : v1;
                }
                y0 = _mm256_add_ps(b0, y0);
                y1 = _mm256_add_ps(b1, y1);
            }
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
            if (accumulate || bias) {
                __m256 b0 = accumulate ? _mm256_maskload_ps(c, m) : _mm256_setzero_ps();
                if (bias) {
                    const __m256 v0 = _mm256_maskload_ps(bias + v, m);
                    b0 = accumulate ? _mm256_add_ps(b0, v0) : v0;
                }
                y0 = _mm256_add_ps(b0, y0);
            }
            _mm256_maskstore_ps(c, m, y0);
        }
    }
}

CK_TARGET_AVX2 static void nn_avx2(float *C, int ldc, const float *A, int sj, int sk, const float *B, int ldb,
                                   int M, int K, int n, float alpha, int accumulate, const float *bias) {
    int j = 0;
    for (; j + 4 <= M; j += 4)
        nn_rows_avx2(4, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * sj, sj, sk, B, ldb, K, n, alpha, accumulate,
                     bias);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * sj;
    switch (M - j) {
    case 3: nn_rows_avx2(3, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 2: nn_rows_avx2(2, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
    case 1: nn_rows_avx2(1, c, ldc, a, sj, sk, B, ldb, K, n, alpha, accumulate, bias); break;
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

const ck_f32_ops ck_f32_ops_avx2 = { nn_avx2, nt_avx2 };
#endif

const ck_f32_ops *ck_f32_ops_get(void) {
#if CK_X86
    switch (ck_simd_path()) {
    case CK_SIMD_AVX512: return &ck_f32_ops_avx512;
    case CK_SIMD_AVX2: return &ck_f32_ops_avx2;
    default: break;
    }
#endif
    return &ck_f32_ops_scalar;
}

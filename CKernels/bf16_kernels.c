// bf16_kernels.c: the bf16 panel product's micro-kernels for scalar, AVX2+FMA and AVX512-BF16, and the path table.
#include "bf16.h"
#include <stddef.h>
#if CK_X86
#include <immintrin.h>
#endif

/* ---------------------------------------------------------------- scalar (the reference every path is held to) */

static void convert_scalar(void *dst, const float *src, int n) {
    float *d = (float *)dst;
    for (int i = 0; i < n; ++i) d[i] = ck_bf16_float(ck_bf16_round(src[i]));
}

/* Each output one sum over k in increasing order: k even, then k odd, pair after pair. The products are exact
   (8-bit significands), so this is also what an FMA chain over the same k computes. */
static void nn_scalar(float *C, int ldc, const void *Av, int lda, const uint16_t *P, int pairs, int M, int w,
                      int accumulate, const float *bias) {
    const float *A = (const float *)Av;
    for (int j = 0; j < M; ++j) {
        const float *a = A + (ptrdiff_t)j * lda;
        float *c = C + (ptrdiff_t)j * ldc;
        for (int v = 0; v < w; ++v) {
            float s = 0.0f;
            for (int q = 0; q < pairs; ++q) {
                const uint16_t *b = P + (ptrdiff_t)q * CK_BF16_PAIR_ROW + 2 * v;
                s += a[2 * q] * ck_bf16_float(b[0]);
                s += a[2 * q + 1] * ck_bf16_float(b[1]);
            }
            c[v] = ck_bf16_store(c[v], s, bias, v, accumulate);
        }
    }
}

const ck_bf16_ops ck_bf16_ops_scalar = { 4, 6, 2, convert_scalar, nn_scalar };

#if CK_X86
/* ---------------------------------------------------------------- AVX2 + FMA (bf16 panels widened in registers) */

/* A as floats holding the rounded values (ck_bf16_round on 8 lanes), so the kernel broadcasts them as they are. */
CK_TARGET_AVX2 static void convert_avx2(void *dst, const float *src, int n) {
    float *d = (float *)dst;
    const __m256i expo = _mm256_set1_epi32(0x7F800000), absm = _mm256_set1_epi32(0x7FFFFFFF);
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u), hi = _mm256_set1_epi32((int)0xFFFF0000u);
    const __m256i quiet = _mm256_set1_epi32(0x00400000), bias = _mm256_set1_epi32(0x7FFF), one = _mm256_set1_epi32(1);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i u = _mm256_castps_si256(_mm256_loadu_ps(src + i));
        const __m256i tiny = _mm256_cmpeq_epi32(_mm256_and_si256(u, expo), _mm256_setzero_si256());
        const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absm), expo);
        const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16), one);
        __m256i r = _mm256_and_si256(_mm256_add_epi32(u, _mm256_add_epi32(bias, odd)), hi);
        r = _mm256_blendv_epi8(r, _mm256_and_si256(_mm256_or_si256(u, quiet), hi), nan);
        r = _mm256_blendv_epi8(r, _mm256_and_si256(u, sign), tiny);
        _mm256_storeu_ps(d + i, _mm256_castsi256_ps(r));
    }
    for (; i < n; ++i) d[i] = ck_bf16_float(ck_bf16_round(src[i]));
}

CK_INLINE CK_TARGET_AVX2 __m256i bf16_tail_mask_avx2(int rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* R (<= 4) rows x V (1 or 2) vectors of 8 columns, `cols` (1..8V) of them stored. A 256-bit load of a pair row
   is 8 columns x (k even, k odd): shifting each lane left by 16 gives the even k's floats, masking the low half
   the odd k's. Each output: FMA with k even, then k odd, pair after pair (nn_scalar's order and bits). */
CK_INLINE CK_TARGET_AVX2 void tile_avx2(const int R, const int V, float *C, int ldc, const float *A, int lda,
                                        const uint16_t *P, int pairs, int cols, int accumulate, const float *bias) {
    const __m256i hi = _mm256_set1_epi32((int)0xFFFF0000u);
    __m256 acc[4][2];
    for (int r = 0; r < R; ++r)
        for (int u = 0; u < V; ++u) acc[r][u] = _mm256_setzero_ps();
    for (int q = 0; q < pairs; ++q) {
        const uint16_t *b = P + (ptrdiff_t)q * CK_BF16_PAIR_ROW;
        __m256 be[2], bo[2];
        for (int u = 0; u < V; ++u) {
            const __m256i x = _mm256_loadu_si256((const __m256i *)(b + 16 * u));
            be[u] = _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
            bo[u] = _mm256_castsi256_ps(_mm256_and_si256(x, hi));
        }
        for (int r = 0; r < R; ++r) {
            const float *a = A + (ptrdiff_t)r * lda + 2 * q;
            const __m256 ae = _mm256_broadcast_ss(a), ao = _mm256_broadcast_ss(a + 1);
            for (int u = 0; u < V; ++u) {
                acc[r][u] = _mm256_fmadd_ps(ae, be[u], acc[r][u]);
                acc[r][u] = _mm256_fmadd_ps(ao, bo[u], acc[r][u]);
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int u = 0; u < V; ++u) {
            const int n = cols - 8 * u < 8 ? cols - 8 * u : 8;
            float *c = C + (ptrdiff_t)r * ldc + 8 * u;
            const __m256i m = bf16_tail_mask_avx2(n);
            __m256 y = acc[r][u];
            if (accumulate || bias) {
                __m256 base = accumulate ? _mm256_maskload_ps(c, m) : _mm256_setzero_ps();
                if (bias) {
                    const __m256 bv = _mm256_maskload_ps(bias + 8 * u, m);
                    base = accumulate ? _mm256_add_ps(base, bv) : bv;
                }
                y = _mm256_add_ps(base, y);
            }
            if (n == 8) _mm256_storeu_ps(c, y);
            else _mm256_maskstore_ps(c, m, y);
        }
}

/* R rows, all w columns: 16 at a time, then 8 or fewer (the panel is 64 columns wide, so loads never run over). */
CK_INLINE CK_TARGET_AVX2 void rows_avx2(const int R, float *C, int ldc, const float *A, int lda, const uint16_t *P,
                                        int pairs, int w, int accumulate, const float *bias) {
    for (int v = 0; v < w; v += 16) {
        const int cols = w - v < 16 ? w - v : 16;
        const float *bv = bias ? bias + v : NULL;
        if (cols > 8) tile_avx2(R, 2, C + v, ldc, A, lda, P + 2 * v, pairs, cols, accumulate, bv);
        else tile_avx2(R, 1, C + v, ldc, A, lda, P + 2 * v, pairs, cols, accumulate, bv);
    }
}

CK_TARGET_AVX2 static void nn_avx2(float *C, int ldc, const void *Av, int lda, const uint16_t *P, int pairs, int M,
                                   int w, int accumulate, const float *bias) {
    const float *A = (const float *)Av;
    int j = 0;
    for (; j + 4 <= M; j += 4)
        rows_avx2(4, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * lda, lda, P, pairs, w, accumulate, bias);
    float *c = C + (ptrdiff_t)j * ldc;
    const float *a = A + (ptrdiff_t)j * lda;
    switch (M - j) {
    case 3: rows_avx2(3, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 2: rows_avx2(2, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 1: rows_avx2(1, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    default: break;
    }
}

const ck_bf16_ops ck_bf16_ops_avx2 = { 4, 4, 2, convert_avx2, nn_avx2 };

/* ---------------------------------------------------------------- AVX512-BF16 (vdpbf16ps) */

/* A as bf16 bits: vcvtneps2bf16 is ck_bf16_round on 16 lanes. Also AMX's converter. */
CK_TARGET_AVX512BF16 void ck_bf16_convert_avx512(void *dst, const float *src, int n) {
    uint16_t *d = (uint16_t *)dst;
    int i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(d + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(src + i)));
    for (; i < n; ++i) d[i] = ck_bf16_round(src[i]);
}

/* R (<= 6) rows x V (<= 4) vectors of 16 columns, the last one's store masked by `last`: 24 accumulators,
   4 panel vectors and one broadcast pair in the 32 registers. vdpbf16ps adds a_odd b_odd, then a_even b_even,
   to each lane per pair row. */
CK_INLINE CK_TARGET_AVX512BF16 void tile_avx512(const int R, const int V, float *C, int ldc, const uint16_t *A,
                                                int lda, const uint16_t *P, int pairs, __mmask16 last,
                                                int accumulate, const float *bias) {
    __m512 acc[6][4];
    for (int r = 0; r < R; ++r)
        for (int u = 0; u < V; ++u) acc[r][u] = _mm512_setzero_ps();
    for (int q = 0; q < pairs; ++q) {
        const uint16_t *b = P + (ptrdiff_t)q * CK_BF16_PAIR_ROW;
        __m512i bv[4];
        for (int u = 0; u < V; ++u) bv[u] = _mm512_loadu_si512((const void *)(b + 32 * u));
        for (int r = 0; r < R; ++r) {
            int32_t pair;
            memcpy(&pair, A + (ptrdiff_t)r * lda + 2 * q, sizeof pair);
            const __m512i a = _mm512_set1_epi32(pair);
            for (int u = 0; u < V; ++u) acc[r][u] = _mm512_dpbf16_ps(acc[r][u], (__m512bh)a, (__m512bh)bv[u]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int u = 0; u < V; ++u) {
            const __mmask16 m = u == V - 1 ? last : (__mmask16)0xFFFF;
            float *c = C + (ptrdiff_t)r * ldc + 16 * u;
            __m512 y = acc[r][u];
            if (accumulate || bias) {
                __m512 base = accumulate ? _mm512_maskz_loadu_ps(m, c) : _mm512_setzero_ps();
                if (bias) {
                    const __m512 bb = _mm512_maskz_loadu_ps(m, bias + 16 * u);
                    base = accumulate ? _mm512_add_ps(base, bb) : bb;
                }
                y = _mm512_add_ps(base, y);
            }
            _mm512_mask_storeu_ps(c, m, y);
        }
}

CK_INLINE CK_TARGET_AVX512BF16 void rows_avx512(const int R, float *C, int ldc, const uint16_t *A, int lda,
                                                const uint16_t *P, int pairs, int w, int accumulate,
                                                const float *bias) {
    const int V = (w + 15) / 16;
    const __mmask16 last = (__mmask16)(0xFFFFu >> (16 * V - w));
    switch (V) {
    case 1: tile_avx512(R, 1, C, ldc, A, lda, P, pairs, last, accumulate, bias); break;
    case 2: tile_avx512(R, 2, C, ldc, A, lda, P, pairs, last, accumulate, bias); break;
    case 3: tile_avx512(R, 3, C, ldc, A, lda, P, pairs, last, accumulate, bias); break;
    default: tile_avx512(R, 4, C, ldc, A, lda, P, pairs, last, accumulate, bias); break;
    }
}

CK_TARGET_AVX512BF16 static void nn_avx512(float *C, int ldc, const void *Av, int lda, const uint16_t *P, int pairs,
                                           int M, int w, int accumulate, const float *bias) {
    const uint16_t *A = (const uint16_t *)Av;
    int j = 0;
    for (; j + 6 <= M; j += 6)
        rows_avx512(6, C + (ptrdiff_t)j * ldc, ldc, A + (ptrdiff_t)j * lda, lda, P, pairs, w, accumulate, bias);
    float *c = C + (ptrdiff_t)j * ldc;
    const uint16_t *a = A + (ptrdiff_t)j * lda;
    switch (M - j) {
    case 5: rows_avx512(5, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 4: rows_avx512(4, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 3: rows_avx512(3, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 2: rows_avx512(2, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    case 1: rows_avx512(1, c, ldc, a, lda, P, pairs, w, accumulate, bias); break;
    default: break;
    }
}

const ck_bf16_ops ck_bf16_ops_avx512 = { 2, 6, 2, ck_bf16_convert_avx512, nn_avx512 };
#endif

const ck_bf16_ops *ck_bf16_ops_get(void) {
#if CK_X86
    switch (ck_bf16_path()) {
    case CK_BF16_AMX: return &ck_bf16_ops_amx;
    case CK_BF16_AVX512: return &ck_bf16_ops_avx512;
    case CK_BF16_AVX2: return &ck_bf16_ops_avx2;
    default: break;
    }
#endif
    return &ck_bf16_ops_scalar;
}

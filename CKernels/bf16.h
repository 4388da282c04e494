// bf16.h: what the bf16 product files share: the rounding, the per-path kernel table, the AMX probe.
#ifndef BF16_H
#define BF16_H

#include "ck_internal.h"
#include <string.h>

#if CK_X86
#define CK_TARGET_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma")))
#define CK_TARGET_AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma")))
#endif

/* Elements in one pair row of a bf16 panel: 64 columns x 2 rows. */
#define CK_BF16_PAIR_ROW (2 * CK_PACK_COLS)

/* vcvtneps2bf16 on one float (see ck_bf16_from_float); branch-free, so the packing loops vectorize. */
CK_INLINE uint16_t ck_bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    uint32_t r = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;             /* nearest, ties to even */
    r = (u & 0x7FFFFFFFu) > 0x7F800000u ? (u >> 16) | 0x0040u : r;     /* NaN: quiet, kept NaN */
    r = (u & 0x7F800000u) == 0 ? (u >> 16) & 0x8000u : r;              /* zero, denormal: signed zero */
    return (uint16_t)r;
}
CK_INLINE float ck_bf16_float(uint16_t b) {
    const uint32_t u = (uint32_t)b << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/*
 * One bf16 path. The product converts A once per call into the path's format: rows of `2 * pairs` physical k
 * (the first k0 % 2 and the last ones zero, so pairs line up with the panel's), rows padded to 16 with zeros.
 * nn then computes C (M, w <= 64) = bias + A P, or (C + bias) + A P when accumulating, from one panel's pair
 * rows P (pairs of them, each CK_BF16_PAIR_ROW elements); every output is summed over k in increasing order
 * (AVX512-BF16: odd before even within a pair; AMX: the tile's order).
 */
typedef struct ck_bf16_ops {
    /* Bytes per converted A element: 4 (a float holding the bf16 value) or 2 (bf16 bits). */
    int a_bytes;
    /* Row blocks of the work split are multiples of this (the kernel's tile height). */
    int rows;
    /* A's physical row length is a multiple of this (AMX multiplies 32 k per tile). */
    int k_align;
    /* dst[0, n) = src rounded to bf16, in the path's format. */
    void (*convert)(void *dst, const float *src, int n);
    /* lda: A's row stride in elements of its format. */
    void (*nn)(float *C, int ldc, const void *A, int lda, const uint16_t *P, int pairs, int M, int w,
               int accumulate, const float *bias);
} ck_bf16_ops;

extern const ck_bf16_ops ck_bf16_ops_scalar;
#if CK_X86
extern const ck_bf16_ops ck_bf16_ops_avx2;
extern const ck_bf16_ops ck_bf16_ops_avx512;
extern const ck_bf16_ops ck_bf16_ops_amx;
/* A as bf16 bits on 16 lanes (vcvtneps2bf16): the converter of the AVX512-BF16 and AMX paths. */
void ck_bf16_convert_avx512(void *dst, const float *src, int n);
/* AMX-BF16 usable here: cpuid says so (and palette 1 has the tiles the kernel configures) and Linux granted
   this process the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA). Asks once. */
int ck_amx_usable(void);
#endif

/* The table for ck_bf16_path(). */
const ck_bf16_ops *ck_bf16_ops_get(void);

/* The epilogue every path shares: c = bias + s, or (c + bias) + s when accumulating. */
CK_INLINE float ck_bf16_store(float c, float s, const float *bias, int v, int accumulate) {
    if (accumulate) return (bias ? c + bias[v] : c) + s;
    return bias ? bias[v] + s : s;
}

#endif

// vecmath.h: branch-free float exp/log1p/sigmoid/tanh/softplus that the loop vectorizer turns into AVX2/AVX-512 code.
#ifndef CK_VECMATH_H
#define CK_VECMATH_H

#include "ck_internal.h"
#include <stdint.h>

/*
 * Why not libm: expf/log1pf calls stop the loop vectorizer, and these loops run over every pixel every step.
 * Each function here is straight-line float/int arithmetic with selects (no branches, no calls, no casts
 * that are undefined for NaN), so a CK_INLINE row body calling them vectorizes at whatever width the
 * enclosing CK_TARGET_* function allows. Accuracy: Cephes polynomials, about 1-2 ulp; NaN propagates;
 * exp over- and underflows to inf and to (denormal) zero as libm does.
 */

typedef union { float f; int32_t i; } ck_fbits;

CK_INLINE float ck_from_bits(int32_t i) { ck_fbits u; u.i = i; return u.f; }
CK_INLINE int32_t ck_to_bits(float f) { ck_fbits u; u.f = f; return u.i; }

/* exp(x). 2^n is applied as two normal powers of two so results down to the smallest denormal round once. */
CK_INLINE float ck_expf(float x) {
    x = x < -104.0f ? -104.0f : x;   /* exp(-104) < the smallest denormal; comparisons keep NaN */
    x = x > 89.0f ? 89.0f : x;       /* exp(89) > FLT_MAX: overflows to inf below */
    /* Round x/ln2 to nearest with the 1.5 * 2^23 trick: the integer lands in the low mantissa bits. */
    const float shifter = 12582912.0f;
    float t = x * 1.44269504088896341f + shifter;
    uint32_t n = (uint32_t)ck_to_bits(t) - (uint32_t)ck_to_bits(shifter);  /* unsigned: NaN bits stay defined */
    float fn = t - shifter;
    float r = x - fn * 0.693359375f;         /* Cody-Waite: ln2 = 0.693359375 - 2.12194440e-4 */
    r = r - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * (r * r) + r + 1.0f;
    /* n in [-150, 128]: both halves are normal exponents. */
    uint32_t n1 = (uint32_t)((int32_t)n >> 1), n2 = n - n1;
    return y * ck_from_bits((int32_t)((n1 + 127u) << 23)) * ck_from_bits((int32_t)((n2 + 127u) << 23));
}

/* log1p(u) for u in [0, 1] (what softplus needs): log(1 + u) with the cancellation corrected. */
CK_INLINE float ck_log1pf_unit(float u) {
    float w = 1.0f + u;                      /* in [1, 2] */
    int32_t bits = ck_to_bits(w);
    int32_t e = ((bits >> 23) & 0xff) - 127; /* 0 or 1 */
    float m = ck_from_bits((bits & 0x007fffff) | 0x3f800000);  /* w / 2^e in [1, 2) */
    int big = m > 1.41421356f;
    m = big ? 0.5f * m : m;                  /* m in [sqrt(1/2), sqrt(2)) */
    float fe = (float)(e + big);
    float f = m - 1.0f;
    float z = f * f;
    float p = 7.0376836292e-2f;
    p = p * f - 1.1514610310e-1f;
    p = p * f + 1.1676998740e-1f;
    p = p * f - 1.2420140846e-1f;
    p = p * f + 1.4249322787e-1f;
    p = p * f - 1.6668057665e-1f;
    p = p * f + 2.0000714765e-1f;
    p = p * f - 2.4999993993e-1f;
    p = p * f + 3.3333331174e-1f;
    float y = p * f * z;
    y = y + fe * -2.12194440e-4f;
    y = y - 0.5f * z;
    float logw = f + y + fe * 0.693359375f;
    /* w rounded 1 + u; (u - (w - 1)) / w is the first-order correction for that rounding. */
    return logw + (u - (w - 1.0f)) / w;
}

/* sigmoid(x) = 1 / (1 + exp(-x)), from exp(-|x|) so neither tail loses accuracy or overflows. */
CK_INLINE float ck_sigmoidf(float x) {
    float e = ck_expf(-fabsf(x));
    float d = 1.0f / (1.0f + e);
    return x >= 0.0f ? d : e * d;
}

/* softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)); exact for |x| up to FLT_MAX. */
CK_INLINE float ck_softplusf(float x) {
    float mx = x > 0.0f ? x : 0.0f;
    return mx + ck_log1pf_unit(ck_expf(-fabsf(x)));
}

/* tanh(x): Cephes's odd polynomial for |x| < 0.625 (no cancellation near 0), (1 - e) / (1 + e) with
   e = exp(-2|x|) above it; both are computed and one is selected. */
CK_INLINE float ck_tanhf(float x) {
    float a = fabsf(x);
    float e = ck_expf(-2.0f * a);
    float big = (1.0f - e) / (1.0f + e);
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    return a < 0.625f ? small : copysignf(big, x);
}

/* Per-image sums go through CK_LANES double accumulators, element k into lane k % CK_LANES, summed in
   lane order at the end: the same order on every path and for any thread count. */
#define CK_LANES 16
/* Terms are computed into a stack block of this many floats (a vectorizable loop), then accumulated. */
#define CK_BLOCK 256

/* acc[k % CK_LANES] += t[k], for a block whose first element has index 0 mod CK_LANES. */
CK_INLINE void ck_accumulate_lanes(double *acc, const float *t, int len) {
    int k = 0;
    for (; k + CK_LANES <= len; k += CK_LANES)
        for (int l = 0; l < CK_LANES; ++l) acc[l] += (double)t[k + l];
    for (int l = 0; k + l < len; ++l) acc[l] += (double)t[k + l];
}

CK_INLINE double ck_sum_lanes(const double *acc) {
    double s = 0.0;
    for (int l = 0; l < CK_LANES; ++l) s += acc[l];
    return s;
}

#endif

// rng.c: xoshiro256** seeded by splitmix64, with N(0, 1) (Box-Muller in double) and uniform [0, 1) floats.
#include "vecmath.h"
#include <stdint.h>

/* Single-threaded on purpose: the stream depends only on the seed and the call sequence. */

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(uint64_t s[4]) {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void ck_rng_seed(uint64_t state[4], uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; ++i) {
        x += 0x9E3779B97F4A7C15ull;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        state[i] = z ^ (z >> 31);
    }
    /* splitmix64 never yields four zero words in a row, but the all-zero state is a fixed point: guard it. */
    if (!(state[0] | state[1] | state[2] | state[3])) state[0] = 1;
}

/*
 * Why not libm: log, sin and cos calls kept Box-Muller scalar, and the paper configuration draws 640 000
 * normals a step (7% of it). These are straight-line double arithmetic that vectorizes 8 or 4 lanes wide,
 * accurate to a few 1e-16 (the result is rounded to float). fp contract is off in all three, so no path
 * fuses a multiply-add the others round twice: the same stream, bit for bit, on the scalar, AVX2 and
 * AVX-512 paths.
 */
typedef union { double d; int64_t i; } ck_dbits;

/* log(u) for normal u in (0, 1]: u = 2^e m with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s) with
   s = (m - 1) / (m + 1), |s| <= 0.1716, as its odd series through s^19 (next term below 1e-16 relative). */
CK_INLINE double ck_log_unit(double u) {
#pragma clang fp contract(off)
    ck_dbits b = { .d = u };
    const double fe0 = (double)((b.i >> 52) - 1023);
    ck_dbits mb = { .i = (b.i & 0x000FFFFFFFFFFFFFll) | 0x3FF0000000000000ll };
    const int big = mb.d > 1.4142135623730951;
    const double m = big ? 0.5 * mb.d : mb.d;
    const double fe = big ? fe0 + 1.0 : fe0;
    const double f = m - 1.0;                    /* exact (Sterbenz) */
    const double s = f / (2.0 + f), z = s * s;
    double p = 1.0 / 19;
    p = p * z + 1.0 / 17;
    p = p * z + 1.0 / 15;
    p = p * z + 1.0 / 13;
    p = p * z + 1.0 / 11;
    p = p * z + 1.0 / 9;
    p = p * z + 1.0 / 7;
    p = p * z + 1.0 / 5;
    p = p * z + 1.0 / 3;
    const double s2 = 2.0 * s;
    return fe * 0.69314718055994530942 + (s2 + s2 * z * p);
}

/* sin and cos of 2 pi u for u in [0, 1): q = 4u is exact, k = round(q) picks the quadrant and
   x = (q - k) pi/2 lies in [-pi/4, pi/4], where the Taylor series through x^15 / x^16 are below 1e-15. */
CK_INLINE void ck_sincos_2pi(double u, double *sinv, double *cosv) {
#pragma clang fp contract(off)
    const double q = 4.0 * u;
    const double k = floor(q + 0.5);
    const double x = (q - k) * 1.57079632679489661923, x2 = x * x;
    double sp = -1.0 / 1307674368000.0;
    sp = sp * x2 + 1.0 / 6227020800.0;
    sp = sp * x2 - 1.0 / 39916800.0;
    sp = sp * x2 + 1.0 / 362880.0;
    sp = sp * x2 - 1.0 / 5040.0;
    sp = sp * x2 + 1.0 / 120.0;
    sp = sp * x2 - 1.0 / 6.0;
    const double sn = x + x * x2 * sp;
    double cp = 1.0 / 20922789888000.0;
    cp = cp * x2 - 1.0 / 87178291200.0;
    cp = cp * x2 + 1.0 / 479001600.0;
    cp = cp * x2 - 1.0 / 3628800.0;
    cp = cp * x2 + 1.0 / 40320.0;
    cp = cp * x2 - 1.0 / 720.0;
    cp = cp * x2 + 1.0 / 24.0;
    cp = cp * x2 - 0.5;
    const double cs = 1.0 + x2 * cp;
    /* quadrant k mod 4: (sin, cos) = (s, c), (c, -s), (-s, -c), (-c, s) */
    const double kk = k == 4.0 ? 0.0 : k;
    const int odd = kk == 1.0 || kk == 3.0;
    const double sv = odd ? cs : sn, cv = odd ? sn : cs;
    *sinv = kk >= 2.0 ? -sv : sv;
    *cosv = kk == 1.0 || kk == 2.0 ? -cv : cv;
}

/* Pairs of words to pairs of normals: u1 in (0, 1] (log never sees 0), u2 in [0, 1), both with 53 bits;
   out[2i] = r cos(2 pi u2), out[2i + 1] = r sin(2 pi u2), r = sqrt(-2 log u1). */
CK_INLINE void box_muller_pairs(float *out, const uint64_t *w, int pairs) {
#pragma clang fp contract(off)
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < pairs; ++i) {
        const double u1 = (double)(int64_t)((w[2 * i] >> 11) + 1) * 0x1.0p-53;
        const double u2 = (double)(int64_t)(w[2 * i + 1] >> 11) * 0x1.0p-53;
        const double r = sqrt(-2.0 * ck_log_unit(u1));
        double sv, cv;
        ck_sincos_2pi(u2, &sv, &cv);
        out[2 * i] = (float)(r * cv);
        out[2 * i + 1] = (float)(r * sv);
    }
}
CK_INSTANTIATE(box_muller_pairs, (float *out, const uint64_t *w, int pairs), (out, w, pairs))

/* Words are drawn in blocks of this many pairs (8 KiB of stack), then transformed together. */
#define CK_RANDN_PAIRS 512

/* An odd n uses the cosine of its last pair and drops the sine. */
void ck_randn(float *out, size_t n, uint64_t state[4]) {
    void (*transform)(float *, const uint64_t *, int) = CK_PICK(box_muller_pairs);
    uint64_t w[2 * CK_RANDN_PAIRS];
    const size_t pairs = (n + 1) / 2;
    for (size_t p0 = 0; p0 < pairs; p0 += CK_RANDN_PAIRS) {
        const int np = pairs - p0 < CK_RANDN_PAIRS ? (int)(pairs - p0) : CK_RANDN_PAIRS;
        for (int i = 0; i < 2 * np; ++i) w[i] = next(state);
        float *o = out + 2 * p0;
        if (2 * (p0 + (size_t)np) <= n) {
            transform(o, w, np);
        } else {
            float last[2];
            transform(o, w, np - 1);
            transform(last, w + 2 * (np - 1), 1);
            o[2 * (np - 1)] = last[0];
        }
    }
}

/* The top 24 bits, so every value is an exact float in [0, 1 - 2^-24]. */
void ck_randu(float *out, size_t n, uint64_t state[4]) {
    for (size_t i = 0; i < n; ++i) out[i] = (float)(next(state) >> 40) * 0x1.0p-24f;
}

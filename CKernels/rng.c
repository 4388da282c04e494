// rng.c: xoshiro256** seeded by splitmix64, with N(0, 1) (Box-Muller in double) and uniform [0, 1) floats.
#include "ck_internal.h"
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

/* Two normals per pair of draws: u1 in (0, 1] (log never sees 0), u2 in [0, 1), both with 53 bits.
   An odd n uses the cosine of its last pair and drops the sine. */
void ck_randn(float *out, size_t n, uint64_t state[4]) {
    const double two_pi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i += 2) {
        double u1 = (double)((next(state) >> 11) + 1) * 0x1.0p-53;
        double u2 = (double)(next(state) >> 11) * 0x1.0p-53;
        double r = sqrt(-2.0 * log(u1));
        out[i] = (float)(r * cos(two_pi * u2));
        if (i + 1 < n) out[i + 1] = (float)(r * sin(two_pi * u2));
    }
}

/* The top 24 bits, so every value is an exact float in [0, 1 - 2^-24]. */
void ck_randu(float *out, size_t n, uint64_t state[4]) {
    for (size_t i = 0; i < n; ++i) out[i] = (float)(next(state) >> 40) * 0x1.0p-24f;
}

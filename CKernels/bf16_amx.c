// bf16_amx.c: the bf16 panel product on AMX tiles (tdpbf16ps), and the probe that says whether AMX may run here.
#include "bf16.h"
#include <stddef.h>
#if CK_X86
#include <cpuid.h>
#include <immintrin.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

/*
 * Tiles (palette 1): tmm0..3 hold C, 16 rows x 16 floats each (a 16 x 64 block of one panel); tmm4 holds A,
 * 16 rows x 32 bf16 (k); tmm5 and tmm6 take turns holding a B tile, 16 pair rows x 16 columns x 2 bf16 (the
 * panel's layout read with its 256-byte pair-row stride). One tdpbf16ps adds a 16 x 16 x 32 product. A is
 * converted with rows padded to 16 and k to 32 (zeros), so every tile is whole; the B tiles of the last k
 * block may reach past the product's rows into the panel's later rows, which meet A's zeros.
 */
typedef struct tile_config {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;
_Static_assert(sizeof(tile_config) == 64, "LDTILECFG reads 64 bytes");

static const tile_config config = {
    .palette = 1,
    .colsb = { 64, 64, 64, 64, 64, 64, 64 },
    .rows = { 16, 16, 16, 16, 16, 16, 16 },
};

/* C (M, w) for one panel. Tile state is per thread: each call loads the configuration and releases the tiles
   at the end (to their init state, so a context switch saves no tile data). */
CK_TARGET_AMX static void nn_amx(float *C, int ldc, const void *Av, int lda, const uint16_t *P, int pairs, int M,
                                 int w, int accumulate, const float *bias) {
    const uint16_t *A = (const uint16_t *)Av;
    const int V = (w + 15) / 16, blocks = pairs / 16;
    const size_t astride = (size_t)lda * sizeof(uint16_t), bstride = CK_BF16_PAIR_ROW * sizeof(uint16_t);
    float out[16][CK_PACK_COLS];
    _tile_loadconfig(&config);
    for (int j = 0; j < M; j += 16) {
        _tile_zero(0);
        if (V > 1) _tile_zero(1);
        if (V > 2) _tile_zero(2);
        if (V > 3) _tile_zero(3);
        for (int kb = 0; kb < blocks; ++kb) {
            const uint16_t *b = P + (size_t)kb * 16 * CK_BF16_PAIR_ROW;
            _tile_loadd(4, A + (size_t)j * lda + 32 * kb, astride);
            _tile_loadd(5, b, bstride);
            _tile_dpbf16ps(0, 4, 5);
            if (V > 1) { _tile_loadd(6, b + 32, bstride); _tile_dpbf16ps(1, 4, 6); }
            if (V > 2) { _tile_loadd(5, b + 64, bstride); _tile_dpbf16ps(2, 4, 5); }
            if (V > 3) { _tile_loadd(6, b + 96, bstride); _tile_dpbf16ps(3, 4, 6); }
        }
        const size_t ostride = CK_PACK_COLS * sizeof(float);
        _tile_stored(0, &out[0][0], ostride);
        if (V > 1) _tile_stored(1, &out[0][16], ostride);
        if (V > 2) _tile_stored(2, &out[0][32], ostride);
        if (V > 3) _tile_stored(3, &out[0][48], ostride);
        const int R = M - j < 16 ? M - j : 16;
        for (int r = 0; r < R; ++r) {
            float *c = C + (ptrdiff_t)(j + r) * ldc;
            for (int v = 0; v < w; ++v) c[v] = ck_bf16_store(c[v], out[r][v], bias, v, accumulate);
        }
    }
    _tile_release();
}

const ck_bf16_ops ck_bf16_ops_amx = { 2, 16, 32, ck_bf16_convert_avx512, nn_amx };

/* Linux's arch_prctl codes (asm/prctl.h) and the tile data's XSAVE feature number. */
#define CK_ARCH_REQ_XCOMP_PERM 0x1023
#define CK_XFEATURE_XTILEDATA 18

int ck_amx_usable(void) {
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 0x1D) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((d >> 24) & 1u) || !((d >> 22) & 1u)) return 0;  /* AMX-TILE, AMX-BF16 */
    __cpuid_count(0x1D, 0, a, b, c, d);
    if (a < 1) return 0;                                     /* no palette 1 */
    __cpuid_count(0x1D, 1, a, b, c, d);
    /* palette 1: EBX[15:0] bytes per row, EBX[31:16] tile names, ECX[15:0] rows. */
    if ((b & 0xFFFFu) < 64 || (b >> 16) < 7 || (c & 0xFFFFu) < 16) return 0;
#if defined(__linux__)
    /* Without the permission the first tile instruction faults (SIGILL); kernels before 5.16 refuse. */
    return syscall(SYS_arch_prctl, CK_ARCH_REQ_XCOMP_PERM, CK_XFEATURE_XTILEDATA) == 0;
#else
    return 0;
#endif
}
#endif

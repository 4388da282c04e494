// bf16_packed.c: weights packed once into bf16 pair-row panels, and the per-step bf16 product on them.
#include "bf16.h"

/*
 * Why the pair rows: vdpbf16ps and AMX's tdpbf16ps multiply pairs of k at a time, each 32-bit lane holding
 * (k even, k odd) of one column, so the panel stores rows 2i and 2i+1 interleaved. A product may start at an
 * odd row k0 (a later block of a stacked weight): then the converted A row starts with one zero, and the pairs
 * line up again. Half the bytes of the float32 panels for every path; AMX and AVX512-BF16 also double (or more)
 * the multiply rate.
 */

uint16_t ck_bf16_from_float(float x) { return ck_bf16_round(x); }
float ck_bf16_to_float(uint16_t b) { return ck_bf16_float(b); }

int ck_bf16_panel_pairs(int K) { return (K > 0 ? (K + 1) / 2 : 0) + 16; }

size_t ck_packed_size_bf16(int K, int N) {
    const size_t panels = (size_t)(N > 0 ? (N + CK_PACK_COLS - 1) / CK_PACK_COLS : 0);
    return panels * (size_t)ck_bf16_panel_pairs(K) * CK_BF16_PAIR_ROW;
}

/* Element (k, c) of a panel sits at pair row k / 2, offset 2c + k % 2. */
CK_INLINE uint16_t *at_pair(uint16_t *panel, int k, int c) {
    return panel + (size_t)(k >> 1) * CK_BF16_PAIR_ROW + 2 * c + (k & 1);
}

/* One pair row of a panel: element c's (even, odd) as one 32-bit word (even in the low half, as at_pair places
   it), odd NULL for a last odd row (its partner 0); columns w..63 zero. Whole-word stores vectorize, where the
   former per-half stores and a memset of the whole matrix made packing a conv's columns cost half its product. */
CK_INLINE void pack_pair_row(uint16_t *dst, const float *even, const float *odd, int w) {
    uint32_t word[CK_PACK_COLS];
    if (odd)
        for (int c = 0; c < w; ++c) word[c] = (uint32_t)ck_bf16_round(even[c]) | (uint32_t)ck_bf16_round(odd[c]) << 16;
    else
        for (int c = 0; c < w; ++c) word[c] = ck_bf16_round(even[c]);
    for (int c = w; c < CK_PACK_COLS; ++c) word[c] = 0;
    memcpy(dst, word, sizeof word);
}
CK_INSTANTIATE(pack_pair_row, (uint16_t *dst, const float *even, const float *odd, int w), (dst, even, odd, w))

/* Reads W along its rows (contiguous), writes every pair row of every panel whole, then zeroes the padding rows. */
void ck_pack_bf16(uint16_t *packed, const float *W, int ldw, int K, int N) {
    if (N <= 0) return;
    void (*row)(uint16_t *, const float *, const float *, int) = CK_PICK(pack_pair_row);
    const int panels = (N + CK_PACK_COLS - 1) / CK_PACK_COLS, pairs = ck_bf16_panel_pairs(K);
    const int used = K > 0 ? (K + 1) / 2 : 0;
    const size_t stride = (size_t)pairs * CK_BF16_PAIR_ROW;
    #pragma omp parallel for schedule(static) if ((size_t)K * N >= (1u << 16))
    for (int p = 0; p < panels; ++p) {
        uint16_t *panel = packed + (size_t)p * stride;
        const int n0 = p * CK_PACK_COLS, w = N - n0 < CK_PACK_COLS ? N - n0 : CK_PACK_COLS;
        for (int k = 0; k < K; k += 2) {
            const float *even = W + (size_t)k * ldw + n0;
            row(panel + (size_t)(k >> 1) * CK_BF16_PAIR_ROW, even, k + 1 < K ? even + ldw : NULL, w);
        }
        memset(panel + (size_t)used * CK_BF16_PAIR_ROW, 0, sizeof(uint16_t) * (size_t)(pairs - used) * CK_BF16_PAIR_ROW);
    }
}

/* Row k0 + k of each panel = bf16(W[n][k]) for its columns n; the other rows and the padding are left alone.
   Column by column: each reads one row of W straight through (measured faster than pair row by pair row). */
void ck_pack_transposed_rows_bf16(uint16_t *packed, int Kp, int k0, const float *W, int ldw, int K, int N) {
    if (N <= 0 || K <= 0) return;
    const int panels = (N + CK_PACK_COLS - 1) / CK_PACK_COLS;
    const size_t stride = (size_t)ck_bf16_panel_pairs(Kp) * CK_BF16_PAIR_ROW;
    #pragma omp parallel for schedule(static) if ((size_t)K * N >= (1u << 16))
    for (int p = 0; p < panels; ++p) {
        uint16_t *panel = packed + (size_t)p * stride;
        const int n0 = p * CK_PACK_COLS, w = N - n0 < CK_PACK_COLS ? N - n0 : CK_PACK_COLS;
        for (int c = 0; c < w; ++c) {
            const float *src = W + (size_t)(n0 + c) * ldw;
            int k = 0;
            if (k0 & 1) { *at_pair(panel, k0, c) = ck_bf16_round(src[0]); k = 1; }
            for (; k + 1 < K; k += 2) {
                uint16_t *dst = at_pair(panel, k0 + k, c);
                dst[0] = ck_bf16_round(src[k]);
                dst[1] = ck_bf16_round(src[k + 1]);
            }
            if (k < K) *at_pair(panel, k0 + k, c) = ck_bf16_round(src[k]);
        }
    }
}

static int round_up(int n, int m) { return (n + m - 1) / m * m; }

size_t ck_bf16_scratch_floats(int M, int K) {
    if (M <= 0 || K <= 0) return 0;
    return (size_t)round_up(M, 16) * (size_t)round_up(K + 1, 32);
}

void ck_gemm_packed_bf16(float *C, int ldc, const float *A, int lda, const uint16_t *P, int Kp, int k0,
                         int M, int N, int K, int accumulate, const float *bias, float *scratch) {
    CK_FLUSH_DENORMALS();
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { ck_packed_empty(C, ldc, M, N, accumulate, bias); return; }
    const ck_bf16_ops *ops = ck_bf16_ops_get();
    /* A in the path's format: k0 % 2 leading zeros, K values, zeros to a multiple of k_align; zero rows to 16. */
    const int lead = k0 & 1, La = round_up(K + lead, ops->k_align), Ma = round_up(M, 16);
    const size_t e = (size_t)ops->a_bytes;
    char *a = (char *)scratch;
    for (int j = 0; j < M; ++j) {
        char *row = a + (size_t)j * La * e;
        if (lead) memset(row, 0, e);
        ops->convert(row + lead * e, A + (size_t)j * lda, K);
        memset(row + (size_t)(lead + K) * e, 0, (size_t)(La - lead - K) * e);
    }
    memset(a + (size_t)M * La * e, 0, (size_t)(Ma - M) * La * e);

    const uint16_t *Pk = P + (size_t)(k0 >> 1) * CK_BF16_PAIR_ROW;
    const size_t panelStride = (size_t)ck_bf16_panel_pairs(Kp) * CK_BF16_PAIR_ROW;
    const int nt = omp_in_parallel() ? 1 : ck_get_threads();
    const int unit = ops->rows;
    const ck_packed_split s = ck_packed_plan(M, N, nt, unit);
    const int parallel = nt > 1 && s.items > 1 && (double)M * N * K >= CK_PACKED_SPLIT_MIN;
    CK_PACKED_FOR_EACH_ITEM(s, M, unit, parallel, {
        const int n0 = p * CK_PACK_COLS;
        const int w = N - n0 < CK_PACK_COLS ? N - n0 : CK_PACK_COLS;
        ops->nn(C + (size_t)r0 * ldc + n0, ldc, a + (size_t)r0 * La * e, La, Pk + (size_t)p * panelStride, La / 2,
                r1 - r0, w, accumulate, bias ? bias + n0 : NULL);
    });
}

// ck_internal.h: what the kernel files share and no caller sees: SIMD target attributes, OpenMP declarations, helpers.
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include "ckernels.h"
#include <math.h>

/* Swift's clang ships no omp.h; these are the few OpenMP runtime calls we use. */
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_in_parallel(void);
void omp_set_num_threads(int n);

/* Each hot kernel is written once as a CK_INLINE body and instantiated per ISA with these attributes;
   the dispatcher picks one by ck_simd_path(). */
#define CK_INLINE static inline __attribute__((always_inline))
#if defined(__x86_64__) || defined(__i386__)
#define CK_X86 1
#define CK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#else
#define CK_X86 0
#define CK_TARGET_AVX2
#define CK_TARGET_AVX512
#endif

/*
 * One body, three instantiations: CK_INSTANTIATE(name, (params), (args)) defines name_avx512, name_avx2 and
 * name_scalar around the void CK_INLINE body `name`; CK_INSTANTIATE_RETURNING(type, name, (params), (args)) does
 * the same for a body that returns `type`. CK_PICK(name) chooses one by ck_simd_path(). Dispatchers hold the
 * OpenMP loop and call the picked function per row or chunk, so no parallel region is outlined from a
 * target-attributed function. Off x86 the three are the same baseline code: on aarch64 CK_PICK takes the
 * scalar one, which the compiler vectorises with NEON (baseline there); no kernel has hand-written NEON.
 */
#define CK_INSTANTIATE(name, params, args)                                                        \
    static CK_TARGET_AVX512 __attribute__((noinline)) void name##_avx512 params { name args; } \
    static CK_TARGET_AVX2 __attribute__((noinline)) void name##_avx2 params { name args; }     \
    static __attribute__((noinline)) void name##_scalar params { name args; }
#define CK_INSTANTIATE_RETURNING(type, name, params, args)                                               \
    static CK_TARGET_AVX512 __attribute__((noinline)) type name##_avx512 params { return name args; } \
    static CK_TARGET_AVX2 __attribute__((noinline)) type name##_avx2 params { return name args; }     \
    static __attribute__((noinline)) type name##_scalar params { return name args; }
#define CK_PICK(name)                                 \
    (ck_simd_path() == CK_SIMD_AVX512 ? name##_avx512 \
     : ck_simd_path() == CK_SIMD_AVX2 ? name##_avx2 : name##_scalar)

/* Column chunk of the glimpse kernels (read.c, write.c): their scratch is a few (N, min(W, CK_GLIMPSE_COLS))
   panels on the stack, so H and W are unbounded and a thread's stack holds at most 2 * CK_MAX_N *
   CK_GLIMPSE_COLS floats (64 KiB). */
#define CK_GLIMPSE_COLS 256

/* Sets OpenBLAS to one thread once (runtime.c); ck_gemm splits work over OpenMP's threads instead. */
void ck_blas_single_thread(void);
int ck_blas_threaded(void);

/*
 * Denormals flushed to zero (x86 MXCSR FTZ|DAZ, aarch64 FPCR.FZ) while a kernel runs, the caller's mode restored
 * on return. Why: the filterbank's Gaussian tails underflow into denormals, and on Intel cores every FMA that
 * reads or writes one takes a microcode assist of ~100 cycles: the glimpse products ran 4x slower on a Xeon
 * (not on AMD Zen). Values below FLT_MIN (1.2e-38) become 0, far below any tolerance. libomp copies the
 * master's MXCSR to its workers at each parallel region (KMP_INHERIT_FP_CONTROL, on by default), so setting it
 * on the calling thread covers the whole team. CK_FLUSH_DENORMALS() opens every public kernel.
 */
#if CK_X86
CK_INLINE unsigned ck_fp_flush(void) {
    const unsigned saved = __builtin_ia32_stmxcsr();
    if ((saved & 0x8040u) != 0x8040u) __builtin_ia32_ldmxcsr(saved | 0x8040u);  /* FTZ (bit 15), DAZ (bit 6) */
    return saved;
}
CK_INLINE void ck_fp_restore(const unsigned *saved) {
    if (__builtin_ia32_stmxcsr() != *saved) __builtin_ia32_ldmxcsr(*saved);
}
#elif defined(__aarch64__)
CK_INLINE unsigned long ck_fp_flush_bits(void) { unsigned long v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
CK_INLINE unsigned ck_fp_flush(void) {
    const unsigned long saved = ck_fp_flush_bits();
    if (!(saved & (1ul << 24))) __asm__ volatile("msr fpcr, %0" : : "r"(saved | (1ul << 24)));  /* FZ */
    return (unsigned)saved;
}
CK_INLINE void ck_fp_restore(const unsigned *saved) {
    const unsigned long v = *saved;
    if (ck_fp_flush_bits() != v) __asm__ volatile("msr fpcr, %0" : : "r"(v));
}
#else
CK_INLINE unsigned ck_fp_flush(void) { return 0; }
CK_INLINE void ck_fp_restore(const unsigned *saved) { (void)saved; }
#endif
#define CK_FLUSH_DENORMALS() \
    const unsigned ck_fp_saved_ __attribute__((cleanup(ck_fp_restore), unused)) = ck_fp_flush()

/* y[i, :] = b (or += b when accumulate) for M rows of stride ldy: the bias half of both linear layers. omp(M). */
void ck_bias_rows(float *y, int ldy, const float *b, int M, int out, int accumulate);

/*
 * The work split of a packed product (packed.c, bf16_packed.c): items are (panel, row block), handed out one at a
 * time from a shared counter, so a thread that is descheduled for a while leaves its items to the others instead
 * of stalling the team at the barrier, as a static split does. Row blocks are multiples of `unit` rows (the
 * kernel's tile height, so no extra tail tiles) and bring the count to about 4 items per thread. Which thread
 * computes an item does not change its bits. (libomp 14 has no __kmpc_dispatch_deinit, which schedule(dynamic)
 * needs from this clang, hence the counter.)
 */
/* Below this many multiply-adds a packed product stays on one thread. */
#define CK_PACKED_SPLIT_MIN (1 << 17)
/* A packed product over K = 0 inputs: C = bias, C += bias, or C = 0 (M, N). */
void ck_packed_empty(float *C, int ldc, int M, int N, int accumulate, const float *bias);
typedef struct ck_packed_split { int panels, units, rowBlocks, items; } ck_packed_split;
CK_INLINE ck_packed_split ck_packed_plan(int M, int N, int nt, int unit) {
    ck_packed_split s;
    s.panels = (N + CK_PACK_COLS - 1) / CK_PACK_COLS;
    s.units = (M + unit - 1) / unit;
    s.rowBlocks = 1;
    if (nt > 1 && s.panels < 4 * nt) {
        s.rowBlocks = (4 * nt + s.panels - 1) / s.panels;
        if (s.rowBlocks > s.units) s.rowBlocks = s.units;
    }
    s.items = s.panels * s.rowBlocks;
    return s;
}
/* Item `it`: panel *p, rows [*r0, *r1); 0 when the block is empty. */
CK_INLINE int ck_packed_item(const ck_packed_split *s, int it, int M, int unit, int *p, int *r0, int *r1) {
    const int rb = it % s->rowBlocks;
    *p = it / s->rowBlocks;
    *r0 = (int)((long)s->units * rb / s->rowBlocks) * unit;
    *r1 = (int)((long)s->units * (rb + 1) / s->rowBlocks) * unit;
    if (*r1 > M) *r1 = M;
    return *r1 > *r0;
}

/* Runs the body (the trailing arguments) for every non-empty item of split s, with int p, r0, r1 in scope, over
   OpenMP's threads when `parallel`: the items are taken one at a time from a shared counter. */
#define CK_PACKED_FOR_EACH_ITEM(s, M, unit, parallel, ...)                        \
    do {                                                                          \
        const int ck_parallel_ = (parallel);                                      \
        int ck_next_ = 0;                                                         \
        _Pragma("omp parallel if (ck_parallel_)")                                 \
        for (;;) {                                                                \
            const int ck_it_ = __atomic_fetch_add(&ck_next_, 1, __ATOMIC_RELAXED); \
            if (ck_it_ >= (s).items) break;                                       \
            int p, r0, r1;                                                        \
            if (!ck_packed_item(&(s), ck_it_, (M), (unit), &p, &r0, &r1)) continue; \
            __VA_ARGS__                                                           \
        }                                                                         \
    } while (0)

/* The filterbank's row-sum floor (SPEC.md). */
#define CK_FILTER_EPS 1e-8f

#endif

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

/* Sets OpenBLAS to one thread once (runtime.c); ck_gemm splits work over OpenMP's threads instead. */
void ck_blas_single_thread(void);
int ck_blas_threaded(void);

/* The filterbank's row-sum floor (SPEC.md). */
#define CK_FILTER_EPS 1e-8f

#endif

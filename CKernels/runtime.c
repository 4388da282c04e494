// runtime.c: the run-time SIMD choice, the one thread policy (OpenMP and OpenBLAS together), build info.
#include "ck_internal.h"
#include <cblas.h>
#include <stdio.h>
#include <stdatomic.h>

/* OpenBLAS extras, declared here because not every cblas.h has them. */
extern void openblas_set_num_threads(int n);
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);

static int detect_path(void) {
#if CK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return CK_SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CK_SIMD_AVX2;
    return CK_SIMD_SCALAR;
#elif defined(__aarch64__)
    return CK_SIMD_NEON;
#else
    return CK_SIMD_SCALAR;
#endif
}

static _Atomic int forced = -1;
static _Atomic int detected = -2;

int ck_simd_path(void) {
    int d = atomic_load(&detected);
    if (d == -2) { d = detect_path(); atomic_store(&detected, d); }
    int f = atomic_load(&forced);
    return (f >= 0 && f < d) ? f : d;
}

int ck_force_simd_path(int path) {
    atomic_store(&forced, path);
    return ck_simd_path();
}

const char *ck_simd_path_name(int path) {
    switch (path) {
    case CK_SIMD_NEON: return "neon";
    case CK_SIMD_AVX2: return "avx2";
    case CK_SIMD_AVX512: return "avx512";
    default: return "scalar";
    }
}

static _Atomic int threads = 0;

void ck_set_threads(int n) {
    if (n < 1) n = 1;
    atomic_store(&threads, n);
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

int ck_get_threads(void) {
    int n = atomic_load(&threads);
    return n > 0 ? n : omp_get_max_threads();
}

const char *ck_blas_core(void) { return openblas_get_corename(); }

void ck_build_info(char *buf, size_t cap) {
    if (!buf || cap == 0) return;
    snprintf(buf, cap, "simd=%s omp_threads=%d blas_core=%s blas_config=\"%s\"",
             ck_simd_path_name(ck_simd_path()), ck_get_threads(), openblas_get_corename(),
             openblas_get_config());
}

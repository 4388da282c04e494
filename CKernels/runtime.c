// runtime.c: the run-time SIMD choice, the one thread policy (OpenMP and OpenBLAS together), build info.
#include "bf16.h"
#include <cblas.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>

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

/* A forced path the CPU can run: one below the best on this architecture; NEON is not an x86 path and
   AVX2/AVX-512 are not aarch64 ones, so those fall back to scalar. */
static int runnable(int f, int best) {
    if (f < 0 || f >= best) return best;
#if CK_X86
    return f == CK_SIMD_NEON ? CK_SIMD_SCALAR : f;
#else
    return f == CK_SIMD_NEON ? CK_SIMD_NEON : CK_SIMD_SCALAR;
#endif
}

int ck_simd_path(void) {
    int d = atomic_load(&detected);
    if (d == -2) { d = detect_path(); atomic_store(&detected, d); }
    return runnable(atomic_load(&forced), d);
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

/* The bf16 paths are ordered: a CPU with AMX-BF16 has AVX512-BF16, which has AVX2, so a forced path the CPU
   lacks falls back to the best one below it by taking the smaller. */
static int detect_bf16(void) {
#if CK_X86
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return CK_BF16_SCALAR;
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16")))
        return CK_BF16_AVX2;
    return ck_amx_usable() ? CK_BF16_AMX : CK_BF16_AVX512;
#else
    return CK_BF16_SCALAR;
#endif
}

static _Atomic int bf16_forced = -1;
static _Atomic int bf16_detected = -2;

int ck_bf16_path(void) {
    int d = atomic_load(&bf16_detected);
    if (d == -2) { d = detect_bf16(); atomic_store(&bf16_detected, d); }
    const int f = atomic_load(&bf16_forced);
    return f >= 0 && f < d ? f : d;
}

int ck_force_bf16_path(int path) {
    atomic_store(&bf16_forced, path);
    return ck_bf16_path();
}

const char *ck_bf16_path_name(int path) {
    switch (path) {
    case CK_BF16_AVX2: return "avx2";
    case CK_BF16_AVX512: return "avx512bf16";
    case CK_BF16_AMX: return "amx";
    default: return "scalar";
    }
}

static _Atomic int threads = 0;

static _Atomic int blas_single = 0;

/* CK_BLAS_THREADED=1 in the environment restores OpenBLAS's own thread pool (for A/B measurements). */
int ck_blas_threaded(void) {
    static _Atomic int cached = -1;
    int c = atomic_load(&cached);
    if (c < 0) {
        const char *v = getenv("CK_BLAS_THREADED");
        c = v && v[0] == '1';
        atomic_store(&cached, c);
    }
    return c;
}

/* OpenBLAS runs every call on the calling thread; ck_gemm spreads GEMMs over OpenMP's threads itself. */
void ck_blas_single_thread(void) {
    if (!atomic_load_explicit(&blas_single, memory_order_relaxed)) {
        if (!ck_blas_threaded()) openblas_set_num_threads(1);
        atomic_store(&blas_single, 1);
    }
}

void ck_set_threads(int n) {
    if (n < 1) n = 1;
    atomic_store(&threads, n);
    omp_set_num_threads(n);
    if (ck_blas_threaded()) openblas_set_num_threads(n);
    ck_blas_single_thread();
}

int ck_get_threads(void) {
    int n = atomic_load(&threads);
    return n > 0 ? n : omp_get_max_threads();
}

const char *ck_blas_core(void) { return openblas_get_corename(); }

/* "on (OpenMP <version>)" when the kernels were compiled with OpenMP, "off" when the pragmas were dropped (a build
 * with -fopenmp=libgomp under this clang does that silently): the info line says which, and a test insists on on. */
#if defined(_OPENMP)
#define CK_STR2(x) #x
#define CK_STR(x) CK_STR2(x)
static const char *openmp_state = "on(" CK_STR(_OPENMP) ")";
#else
static const char *openmp_state = "off";
#endif

void ck_build_info(char *buf, size_t cap) {
    if (!buf || cap == 0) return;
    snprintf(buf, cap, "simd=%s bf16=%s openmp=%s omp_threads=%d blas_core=%s blas_threads=%s blas_config=\"%s\"",
             ck_simd_path_name(ck_simd_path()), ck_bf16_path_name(ck_bf16_path()), openmp_state, ck_get_threads(),
             openblas_get_corename(),
             ck_blas_threaded() ? "own pool (CK_BLAS_THREADED=1)" : "1 (GEMMs split over OpenMP)",
             openblas_get_config());
}

// ckernels.h: the whole C API of DRAW's kernels (attention, glimpses, LSTM gates, latent, losses, Adam, GEMM, threads).
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions (every function below follows them):
 * - float32, row-major. Shape comments name the dimensions: x is (B, C, H, W) means w fastest.
 *   An `ld*` argument is a row stride in floats, so a kernel can read or write a slice of a wider buffer.
 * - Argument order: outputs, then what the backward needs, then inputs, then sizes. Sizes, by the name:
 *   every ck_gemm* takes BLAS's (M, N, K) for C (M, N) = A (M, K) B (K, N); every ck_linear_* takes a layer's
 *   (rows, inputs, outputs), (M, in, out); row-wise kernels (LSTM gates, latent, losses) take (rows, width);
 *   every image kernel takes the batch and the image in storage order, (B, C, H, W), or (B, H, W) where it has
 *   no channels (attention), and then its own sizes: the window N (attention, read, write), (O, k, stride,
 *   pad) (convolutions). Every size is an int, so a caller that swapped two would still compile: the Swift
 *   wrappers (DRAWKernels) take them by label.
 * - A *_forward OVERWRITES its outputs (ck_write_forward adds to the canvas when given the same canvas as
 *   its input, which is what the model's equation does; ck_linear_forward* and ck_gemm_packed* add when
 *   asked to with `accumulate`).
 * - A *_backward ACCUMULATES (+=) into its d* buffers, so the model zeroes gradients once per step, with ONE
 *   exception: ck_lstm_backward OVERWRITES dpre (it may be the forward's act buffer) and accumulates dc_prev.
 *   Each function's comment says which. A NULL d* output is skipped.
 * - Threads: "omp(B)" means an OpenMP parallel-for over the batch (or over rows), with the thread count
 *   set by ck_set_threads. BLAS: ck_gemm is the only caller of cblas_sgemm, and it does call it inside a
 *   parallel region: it splits a large product into panels over OpenMP's threads and each thread makes one
 *   SINGLE-threaded cblas_sgemm call (OpenBLAS is kept at one thread), so there is one pool of threads, never
 *   OpenBLAS's beside OpenMP's. ck_linear_forward/backward reach BLAS only through ck_gemm; ck_conv2d_* call
 *   ck_gemm once per fixed column panel inside their own parallel region (one single-threaded call each).
 *   Results do not depend on the thread count beyond float rounding (reductions over the batch are ordered).
 * - SIMD: on x86-64 the hot loops have AVX-512, AVX2 and scalar variants, picked once at run time
 *   (ck_simd_path); no -march=native is needed. aarch64 reports CK_SIMD_NEON but has no hand-written NEON:
 *   the elementwise kernels (losses, LSTM gates, x-hat, Adam, filterbank rows) run their scalar variant,
 *   which the compiler vectorises with NEON; the packed products and the glimpse products (read, write) run
 *   the scalar micro-kernels of f32_kernels.c, not vectorised by hand. The bf16 products have no aarch64 path
 *   beyond scalar.
 * - Kernels never fail and never allocate on the heap; shapes are checked by the Swift caller.
 * - Denormals: every kernel below (not the runtime, RNG and info calls) runs with denormals flushed to zero
 *   (x86 FTZ|DAZ, aarch64 FZ) on its calling thread and OpenMP team, and restores the caller's mode on return:
 *   values below FLT_MIN count as 0. On Intel cores each denormal operand costs a ~100-cycle assist, and the
 *   filterbank's tails are full of them.
 */

/* ---------------------------------------------------------------- runtime and threads */

enum { CK_SIMD_SCALAR = 0, CK_SIMD_NEON = 1, CK_SIMD_AVX2 = 2, CK_SIMD_AVX512 = 3 };

/* The SIMD path in effect: the best one the CPU supports, unless forced. */
int ck_simd_path(void);
/* "scalar", "neon", "avx2", "avx512". */
const char *ck_simd_path_name(int path);
/* Force a path (tests, benchmarks); a path the CPU lacks falls back to the best one below it.
   Returns the path now in effect. -1 restores the automatic choice. */
int ck_force_simd_path(int path);

/* The one thread policy (n >= 1): OpenMP gets n threads; OpenBLAS is kept at one thread per call and
   ck_gemm splits large products over OpenMP's n threads, so one pool of threads serves both. */
void ck_set_threads(int n);
int ck_get_threads(void);
/* OpenBLAS's core name as it chose it at run time (e.g. "Haswell", "SkylakeX", "Zen"). */
const char *ck_blas_core(void);
/* One line: SIMD path, bf16 path, OpenMP threads, BLAS core and config. Writes at most cap bytes, NUL-terminated. */
void ck_build_info(char *buf, size_t cap);

/* ---------------------------------------------------------------- matrix products */

/* The only caller of cblas_sgemm. Row-major: C (M, N) = alpha * op(A) op(B) + beta * C (OVERWRITES C when
   beta = 0), op(A) is (M, K), op(B) is (K, N); transA/transB nonzero mean transposed. Sizes in BLAS's order
   (M, N, K). Threads: an OpenMP parallel-for over panels of the larger of M and N, each panel one
   single-threaded cblas_sgemm call made inside that parallel region; one call on the calling thread when
   already inside a parallel region, for small products, or with CK_BLAS_THREADED=1 (OpenBLAS's own pool). */
void ck_gemm(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* Linear layer y = x W^T + b over M rows.
   y is (M, out) stride ldy; x is (M, in) stride ldx; W is (out, in) stride ldw; b is (out) or NULL.
   accumulate = 0 overwrites y, 1 adds to it (so two inputs can feed one output, as in an LSTM). */
void ck_linear_forward(float *y, int ldy, const float *x, int ldx, const float *W, int ldw,
                       const float *b, int M, int in, int out, int accumulate);
/* ACCUMULATES dx (M, in) += dy W, dW (out, in) += dy^T x, db (out) += sum over rows of dy.
   Any of dx, dW, db may be NULL. dy is (M, out) stride lddy. */
void ck_linear_backward(float *dx, int lddx, float *dW, int lddw, float *db,
                        const float *dy, int lddy, const float *x, int ldx, const float *W, int ldw,
                        int M, int in, int out);

/* Packed weights for the per-step products (forward linears, backward dx): a (K, N) matrix as panels of
   CK_PACK_COLS columns, panel p = columns [64p, 64p + 64) stored (K, 64) contiguous, columns past N zero.
   Pack once per parameter update; the products then read no BLAS buffers and pack nothing. */
enum { CK_PACK_COLS = 64 };
/* Floats a packed (K, N) matrix takes: ceil(N / 64) * 64 * K. */
size_t ck_packed_size(int K, int N);
/* packed (K, N) = W, W is (K, N) stride ldw (for dx = dy W: K = out, N = in). Overwrites. omp(panels). */
void ck_pack(float *packed, const float *W, int ldw, int K, int N);
/* packed (K, N) = W^T, W is (N, K) stride ldw (a linear layer's (out, in) weight: K = in, N = out). omp(panels). */
void ck_pack_transposed(float *packed, const float *W, int ldw, int K, int N);
/* Rows [k0, k0 + K) of a packed (Kp, N) matrix = W^T, W (N, K) stride ldw: several weights stacked along K
   (e.g. W_ih and W_hh of one LSTM, whose inputs sit side by side in one row buffer) become one product.
   The other rows are left alone; ck_pack_transposed(P, W, ldw, K, N) is this with Kp = K, k0 = 0. omp(panels). */
void ck_pack_transposed_rows(float *packed, int Kp, int k0, const float *W, int ldw, int K, int N);
/* C (M, N) = A P (+ C when accumulate): A is (M, K) stride lda, P a packed (Kp, N) of which the first K <= Kp
   rows are used (so a product can skip trailing input columns). Sizes (M, N, K) as ck_gemm's.
   Every output is one FMA chain over k in increasing order on the ck_simd_path micro-kernel (f32_kernels.c),
   the same bits for any thread count. omp(panels x row blocks), one thread inside a parallel region or for
   small products. */
void ck_gemm_packed(float *C, int ldc, const float *A, int lda, const float *P, int Kp,
                    int M, int N, int K, int accumulate);
/* ck_linear_forward with the weight packed: Wt = ck_pack_transposed of W (out, in), i.e. packed (Kp >= in, out).
   y = x[:, :in] W[:, :in]^T + b, or added to y when accumulate. */
void ck_linear_forward_packed(float *y, int ldy, const float *x, int ldx, const float *Wt, int Kp,
                              const float *b, int M, int in, int out, int accumulate);

/* bf16 products (--precision bf16): the same packed products with both inputs rounded to bfloat16 (8-bit
   significand) and every sum kept in float32. A product of two bf16 values is exact in float32, so the only
   rounding besides the inputs' is the float32 sum's. Weights are rounded once, when packed; activations when a
   product converts them (into the caller's scratch). Paths, picked at run time like ck_simd_path:
   scalar (reference, any CPU), AVX2+FMA (bf16 panels widened in registers, FMA; the same bits as scalar),
   AVX512-BF16 (vdpbf16ps: each pair of k adds the odd k first) and AMX-BF16 (tdpbf16ps on 16 x 32 tiles; the
   order inside a tile is the hardware's). */
enum { CK_BF16_SCALAR = 0, CK_BF16_AVX2 = 1, CK_BF16_AVX512 = 2, CK_BF16_AMX = 3 };
/* The bf16 path in effect: the best this CPU (and, for AMX, the kernel: arch_prctl XTILEDATA) allows, unless
   forced. */
int ck_bf16_path(void);
/* "scalar", "avx2", "avx512bf16", "amx". */
const char *ck_bf16_path_name(int path);
/* Force a bf16 path (tests, benchmarks); a path the CPU lacks falls back to the best one below it. Returns the
   path now in effect. -1 restores the automatic choice. */
int ck_force_bf16_path(int path);
/* x rounded to bf16 as vcvtneps2bf16 does: to nearest, ties to even; zero and denormals to a signed zero;
   NaN stays NaN (quieted); overflow rounds to infinity. The bits are the float's upper half. */
uint16_t ck_bf16_from_float(float x);
/* The float with bf16 b's bits as its upper half (exact). */
float ck_bf16_to_float(uint16_t b);

/* A packed (K, N) bf16 matrix: panels of CK_PACK_COLS columns as with ck_pack, each stored as pairs of rows:
   element (k, 64p + c) at [p][k / 2][c][k % 2] (the VNNI layout vdpbf16ps and AMX read). A panel has
   ck_bf16_panel_pairs(K) pair rows: ceil(K / 2) and 16 more of zeros, so a 32-row AMX tile started at any row
   stays inside it. Columns past N, and rows never packed, must be zero (zero the matrix once when allocated). */
int ck_bf16_panel_pairs(int K);
/* uint16 elements a packed bf16 (K, N) matrix takes: ceil(N / 64) * ck_bf16_panel_pairs(K) * 128. */
size_t ck_packed_size_bf16(int K, int N);
/* packed (K, N) = bf16(W), W (K, N) stride ldw; the whole matrix, padding included, is overwritten. omp(panels). */
void ck_pack_bf16(uint16_t *packed, const float *W, int ldw, int K, int N);
/* Rows [k0, k0 + K) of a packed bf16 (Kp, N) matrix = bf16(W^T), W (N, K) stride ldw (see
   ck_pack_transposed_rows; k0 may be odd). Other rows are left alone. omp(panels). */
void ck_pack_transposed_rows_bf16(uint16_t *packed, int Kp, int k0, const float *W, int ldw, int K, int N);
/* Floats of scratch a bf16 product over M rows and K inputs needs (A converted to the path's format, rows padded
   to 16 and k to 32). */
size_t ck_bf16_scratch_floats(int M, int K);
/* C (M, N) = bf16(A) P[k0 : k0 + K] + bias (or added to C when accumulate; bias NULL for none), summed in
   float32: A (M, K) stride lda, P a packed bf16 (Kp, N) of which rows [k0, k0 + K) are used (k0 + K <= Kp).
   With a bias, C = bias + s, or (C + bias) + s, rounded as ck_linear_forward_packed. The same bits for any
   thread count. A is converted into `scratch` (ck_bf16_scratch_floats(M, K) floats) on the calling thread;
   omp(panels x row blocks) as ck_gemm_packed. */
void ck_gemm_packed_bf16(float *C, int ldc, const float *A, int lda, const uint16_t *P, int Kp, int k0,
                         int M, int N, int K, int accumulate, const float *bias, float *scratch);

/* ---------------------------------------------------------------- attention (SPEC.md step 2) */

/* Largest window N (read_n, write_n) the attention, read and write kernels accept: their per-thread scratch
   is on the stack, sized by it (2 <= N <= CK_MAX_N, checked by the Swift caller). H and W have no limit: the
   glimpse kernels work in column chunks, and the filterbank backward reads the forward's filters. */
enum { CK_MAX_N = 32 };

/* head is (B, 5) stride ldh, the raw head outputs (gx~, gy~, log sigma2, log delta~, log gamma).
   params is (B, 5): (gx, gy, sigma2, delta, gamma) after the transforms.
   Fx is (B, N, W), Fy is (B, N, H): Gaussian filterbanks on the 1-based grid, each row divided by
   max(row sum, 1e-8): a window far off the image gives all-zero rows, never NaN. The exponentials are
   ck_expf (about 1 ulp, no libm slow path) vectorized along W and H (ck_simd_path); each row sum is taken in
   a fixed lane order, so the bits do not depend on the thread count. omp(B). */
void ck_attention_forward(float *params, float *Fx, float *Fy,
                          const float *head, int ldh, int B, int H, int W, int N);
/* ACCUMULATES: dhead (B, 5) stride lddh += the gradient from dFx (B, N, W), dFy (B, N, H) and dparams (B, 5)
   (all five components of dparams are read; the glimpse kernels fill its gamma column). Any of dparams, dFx,
   dFy may be NULL. params (B, 5), Fx (B, N, W) and Fy (B, N, H) are the forward's outputs: the gradient
   is computed from them in float64 sums without recomputing an exponential. A row whose F sums to less
   than 0.999 was below the 1e-8 floor (constant denominator). The raw head is not needed. omp(B). */
void ck_attention_backward(float *dhead, int lddh,
                           const float *dparams, const float *dFx, const float *dFy,
                           const float *params, const float *Fx, const float *Fy,
                           int B, int H, int W, int N);

/* Read: r is (B, 2*C*N*N) stride ldr = [gamma Fy x_c Fx^T for each c | gamma Fy xhat_c Fx^T for each c],
   each glimpse (N, N) row-major. x, xhat are (B, C, H, W); Fx (B, N, W); Fy (B, N, H);
   params (B, 5) (gamma is column 4). One window per image, shared by its channels. N <= CK_MAX_N.
   For the backward, per image and plane X (the C planes of x, then the C of xhat): T (B, 2C, N, W) = Fy X and
   U (B, 2C, N, H) = Fx X^T, overwritten (so the backward never reads x or xhat).
   Per image: T = Fy X_c then T Fx^T, SIMD along W (ck_simd_path). omp(B). */
void ck_read_forward(float *r, int ldr, float *T, float *U,
                     const float *x, const float *xhat, const float *Fx, const float *Fy,
                     const float *params, int B, int C, int H, int W, int N);
/* ACCUMULATES dx, dxhat (B, C, H, W), dFx, dFy and dparams[:, 4] (d gamma) from dr (stride lddr), given the
   forward's T (B, 2C, N, W) and U (B, 2C, N, H). dx may be NULL (data needs no gradient); so may the others. omp(B). */
void ck_read_backward(float *dx, float *dxhat, float *dFx, float *dFy, float *dparams,
                      const float *dr, int lddr, const float *T, const float *U,
                      const float *Fx, const float *Fy, const float *params, int B, int C, int H, int W, int N);

/* Write: canvas (B, C, H, W) = canvas_prev (B, C, H, W) + (1/gamma) Fy^T w_c Fx for each channel c.
   canvas_prev may be canvas itself (in place: ADDS to canvas; no partial overlap otherwise).
   w is (B, C*N*N) stride ldw (each patch (N, N) row-major). N <= CK_MAX_N. omp(B). */
void ck_write_forward(float *canvas, const float *canvas_prev,
                      const float *w, int ldw, const float *Fx, const float *Fy, const float *params,
                      int B, int C, int H, int W, int N);
/* ACCUMULATES dw (stride lddw), dFx, dFy and dparams[:, 4] from dcanvas (B, C, H, W); any may be NULL. omp(B). */
void ck_write_backward(float *dw, int lddw, float *dFx, float *dFy, float *dparams,
                       const float *dcanvas,
                       const float *w, int ldw, const float *Fx, const float *Fy, const float *params,
                       int B, int C, int H, int W, int N);

/* ---------------------------------------------------------------- LSTM cell (PyTorch gate order i, f, g, o) */

/* pre is (B, 4H) pre-activations (W_ih x + b_ih + W_hh h + b_hh). act is (B, 4H): sigma(i), sigma(f),
   tanh(g), sigma(o), saved for the backward; act may be pre itself (same pointer; no partial overlap). c_prev is (B, H) or NULL (zeros).
   c = sigma(f) c_prev + sigma(i) tanh(g), h = sigma(o) tanh(c); c is (B, H), h (B, H) with row stride ldh
   (so h can land in the columns of a wider row buffer that the next products read). omp(B). */
void ck_lstm_forward(float *h, int ldh, float *c, float *act,
                     const float *pre, const float *c_prev, int B, int H);
/* OVERWRITES dpre (B, 4H) (the one backward that does) and ACCUMULATES dc_prev (B, H) += from dh (B, H) and dc (B, H), the gradient reaching c
   from later steps (NULL = zero). dpre may be act itself (same pointer; no partial overlap), so BPTT needs no
   second (T, B, 4H) buffer. c_prev NULL = zeros; dc_prev may be NULL. omp(B). */
void ck_lstm_backward(float *dpre, float *dc_prev,
                      const float *dh, const float *dc,
                      const float *act, const float *c, const float *c_prev, int B, int H);

/* ---------------------------------------------------------------- latent (SPEC.md step 4) and KL */

/* z (B, Z) row stride ldz = mu + exp(logsigma) * eps; eps (B, Z) NULL means z = mu (evaluation mode).
   kl (B) = 0.5 sum_j (mu^2 + exp(2 logsigma) - 2 logsigma - 1), overwritten.
   mu and logsigma are (B, Z) with row stride ldm (they may be two halves of one GEMM output). omp(B). */
void ck_latent_forward(float *z, int ldz, float *kl,
                       const float *mu, const float *logsigma, int ldm, const float *eps, int B, int Z);
/* ACCUMULATES: dmu, dlogsigma (row stride lddm) += from dz (B, Z) (NULL = none) and dkl (B) (NULL = none). omp(B). */
void ck_latent_backward(float *dmu, float *dlogsigma, int lddm,
                        const float *dz, const float *dkl,
                        const float *mu, const float *logsigma, int ldm, const float *eps, int B, int Z);

/* ---------------------------------------------------------------- canvas, losses */

/* xhat (B, P) = x - sigmoid(canvas); x, canvas are (B, P), P = C*H*W. omp(B). */
void ck_xhat_forward(float *xhat, const float *x, const float *canvas, int B, int P);
/* dcanvas (B, P) += -dxhat * s (1 - s) with s = sigmoid(canvas) = x - xhat, from the forward's x and xhat
   (B, P) (no exponential; s is within about 1 ulp of x of the sigmoid). omp(B). */
void ck_xhat_backward(float *dcanvas, const float *dxhat, const float *x, const float *xhat, int B, int P);

/* out (B, P) = sigmoid(in); sums (B) = per-image sum of out in float64, or NULL. omp(B). */
void ck_sigmoid_forward(float *out, double *sums, const float *in, int B, int P);

/* loss (B) = sum_p softplus(c) - x c, the exact binary cross-entropy from logits c. Stable for |c| <= 1e4. omp(B). */
void ck_bce_forward(float *loss, const float *canvas, const float *x, int B, int P);
/* dcanvas (B, P) += dloss_b (sigmoid(c) - x). omp(B). */
void ck_bce_backward(float *dcanvas, const float *dloss, const float *canvas, const float *x, int B, int P);
/* loss (B) = 0.5 sum_p (x - sigmoid(c))^2. omp(B). */
void ck_l2_forward(float *loss, const float *canvas, const float *x, int B, int P);
/* dcanvas (B, P) += dloss_b (sigmoid(c) - x) s (1 - s). omp(B). */
void ck_l2_backward(float *dcanvas, const float *dloss, const float *canvas, const float *x, int B, int P);

/* ---------------------------------------------------------------- optimizer */

/* One fused Adam step over a flat slab of n floats (PyTorch's Adam, no weight decay):
   g' = clamp(gscale * g, -clip, clip) (clip <= 0: no elementwise clip; gscale = 1: no global-norm scale),
   m = b1 m + (1-b1) g', v = b2 v + (1-b2) g'^2,
   p -= (lr / (1 - b1^step)) * m / (sqrt(v) / sqrt(1 - b2^step) + eps). step is 1-based. omp over n. */
void ck_adam_update(float *p, float *m, float *v, const float *g, size_t n,
                    float lr, float beta1, float beta2, float eps, float clip, float gscale, int64_t step);
/* Sum of squares in float64 (for global-norm clipping). Fixed chunks summed in order: the same bits for any
   thread count and SIMD path. */
double ck_sum_squares(const float *g, size_t n);
/* Count of non-finite values (NaN or Inf) in g. */
size_t ck_count_nonfinite(const float *g, size_t n);

/* ---------------------------------------------------------------- random numbers */

/* Fills out (n) with N(0, 1) samples from xoshiro256** + Box-Muller; state is 4 words, advanced.
   Single-threaded, so the stream does not depend on the thread count. Each pair of outputs uses two words;
   an odd n drops the last pair's second normal, so a stream split into odd-sized calls differs from one call. */
void ck_randn(float *out, size_t n, uint64_t state[4]);
/* Seeds a xoshiro256** state from a 64-bit seed (splitmix64). */
void ck_rng_seed(uint64_t state[4], uint64_t seed);
/* Uniform [0, 1) floats from the same generator: the top 24 bits of one word each. */
void ck_randu(float *out, size_t n, uint64_t state[4]);

/* ---------------------------------------------------------------- Watson-DFT distance (watson.c) */

/* loss (B), overwritten: the Watson-DFT perceptual distance of xt from x (both (B, C, H, W)), summed over the 8 x 8
   blocks' one-sided DFT coefficients of every plane: |A0 - A1| / s (s the data's luminance and contrast mask) plus
   e^-2 |phase difference|; watson.c has the formula. Float64 sums. omp(B). */
void ck_watson_forward(double *loss, const float *xt, const float *x, int B, int C, int H, int W);
/* dxt (B, C, H, W) += dloss_b d loss_b / d xt (the forward recomputed; dloss (B)). omp(B). */
void ck_watson_backward(float *dxt, const float *dloss, const float *xt, const float *x, int B, int C, int H, int W);

/* ================================================================ convolution networks (conv.c, activation.c)
 * The discriminator of --loss vaegan and the frozen feature net of --loss features. Images and feature maps
 * are NCHW; a convolution has a square k x k kernel, stride s and zero padding p on all sides, so an axis of
 * n pixels gives (n + 2p - k) / s + 1 outputs (Ho, Wo below). Weights use PyTorch's nn.Conv2d layout.
 * The fully connected layers are ck_linear_forward/backward on the flattened (B, C*H*W) maps, and the
 * discriminator's sigmoid-BCE head is ck_bce_forward/backward with P = 1 (one logit per image).
 */

/* col (C*k*k, B*Ho*Wo) = im2col of x (B, C, H, W): row (c*k + i)*k + j, column b*Ho*Wo + oh*Wo + ow holds
   x[b, c, oh*s - p + i, ow*s - p + j] (0 outside the image). Overwrites. omp(B*C planes). */
void ck_im2col(float *col, const float *x, int B, int C, int H, int W, int k, int stride, int pad);
/* dx (B, C, H, W) += the adjoint of ck_im2col applied to dcol (C*k*k, B*Ho*Wo). omp(B*C planes). */
void ck_col2im(float *dx, const float *dcol, int B, int C, int H, int W, int k, int stride, int pad);

/* y (B, O, Ho, Wo) = conv(x, weight) + bias, overwritten. x is (B, C, H, W), weight (O, C, k, k), bias (O) or
   NULL. col (C*k*k, B*Ho*Wo) is overwritten with im2col(x) and kept for the backward; work (O, B*Ho*Wo) is
   scratch. One product over the whole batch in fixed 128-column panels, omp(panels), each a single-threaded
   ck_gemm (so 1 or N threads give the same bits), then omp(B*O) to NCHW. */
void ck_conv2d_forward(float *y, float *col, float *work, const float *x, const float *weight, const float *bias,
                       int B, int C, int H, int W, int O, int k, int stride, int pad);
/* ACCUMULATES dx (B, C, H, W), dweight (O, C, k, k) and dbias (O) from dy (B, O, Ho, Wo); any may be NULL.
   col is the forward's (read only); work (O, B*Ho*Wo) and dcol (C*k*k, B*Ho*Wo) are scratch (dcol unused
   when dx is NULL). dbias sums each channel in a fixed order in float64. */
void ck_conv2d_backward(float *dx, float *dweight, float *dbias, float *work, float *dcol,
                        const float *dy, const float *col, const float *weight,
                        int B, int C, int H, int W, int O, int k, int stride, int pad);

/* The same with the products y' = W col (forward) and dcol = W^T dy' (dx) in bf16 (--precision bf16): both
   inputs rounded to bfloat16, float32 sums, on the ck_bf16_path; dweight and dbias stay float32. bf16_scratch
   holds ck_conv2d_bf16_scratch_floats(...) floats (the packed operand, the converted rows, W^T); NULL gives the
   float32 kernels above exactly. The same bits for any thread count. */
size_t ck_conv2d_bf16_scratch_floats(int B, int C, int H, int W, int O, int k, int stride, int pad);
void ck_conv2d_forward_bf16(float *y, float *col, float *work, float *bf16_scratch, const float *x,
                            const float *weight, const float *bias,
                            int B, int C, int H, int W, int O, int k, int stride, int pad);
void ck_conv2d_backward_bf16(float *dx, float *dweight, float *dbias, float *work, float *dcol, float *bf16_scratch,
                             const float *dy, const float *col, const float *weight,
                             int B, int C, int H, int W, int O, int k, int stride, int pad);

/* y (n) = x > 0 ? x : slope * x (slope 0: ReLU). y may be x. omp(fixed chunks). */
void ck_leaky_relu_forward(float *y, const float *x, size_t n, float slope);
/* dx (n) += dy * (y > 0 ? 1 : slope), from the forward's OUTPUT y (so it works in place); slope >= 0. */
void ck_leaky_relu_backward(float *dx, const float *dy, const float *y, size_t n, float slope);

/* dx (B, P) += dy * y (1 - y), from the forward's output y = sigmoid(x) (e.g. ck_sigmoid_forward's). omp(B). */
void ck_sigmoid_backward(float *dx, const float *dy, const float *y, int B, int P);

/* loss (B) = 0.5 sum_p (a - target)^2 per image of P values (a feature-space reconstruction error), summed in
   float64 lanes. Overwrites. omp(B). */
void ck_sqdist_forward(float *loss, const float *a, const float *target, int B, int P);
/* da (B, P) += dloss_b (a - target). omp(B). */
void ck_sqdist_backward(float *da, const float *dloss, const float *a, const float *target, int B, int P);

#ifdef __cplusplus
}
#endif
#endif

// loss.c: per-pixel canvas kernels: xhat = x - sigmoid(canvas), sigmoid with per-image sums, BCE and L2 losses.
#include "vecmath.h"

/* Every row below is one image of P pixels; the dispatchers run rows in an OpenMP loop over the batch, so a
   per-image sum is computed by one thread in a fixed order whatever the thread count. */

/* ---------------------------------------------------------------- xhat */

CK_INLINE void xhat_fwd_row(float *xhat, const float *x, const float *c, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) xhat[i] = x[i] - ck_sigmoidf(c[i]);
}
CK_INSTANTIATE(xhat_fwd_row, (float *xhat, const float *x, const float *c, int P), (xhat, x, c, P))

/* s = sigmoid(c) is x - xhat: the forward's own values, no exponential (absolute error about 1 ulp of x). */
CK_INLINE void xhat_bwd_row(float *dc, const float *dxhat, const float *x, const float *xhat, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) {
        float s = x[i] - xhat[i];
        dc[i] -= dxhat[i] * (s * (1.0f - s));
    }
}
CK_INSTANTIATE(xhat_bwd_row, (float *dc, const float *dxhat, const float *x, const float *xhat, int P),
               (dc, dxhat, x, xhat, P))

void ck_xhat_forward(float *xhat, const float *x, const float *canvas, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, int) = CK_PICK(xhat_fwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(xhat + o, x + o, canvas + o, P);
    }
}

void ck_xhat_backward(float *dcanvas, const float *dxhat, const float *x, const float *xhat, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, const float *, int) = CK_PICK(xhat_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(dcanvas + o, dxhat + o, x + o, xhat + o, P);
    }
}

/* ---------------------------------------------------------------- sigmoid with sums */

CK_INLINE void sigmoid_row(float *out, double *sum, const float *in, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) out[i] = ck_sigmoidf(in[i]);
    if (!sum) return;
    double acc[CK_LANES] = {0};
    for (int i = 0; i < P; i += CK_BLOCK) ck_accumulate_lanes(acc, out + i, P - i < CK_BLOCK ? P - i : CK_BLOCK);
    *sum = ck_sum_lanes(acc);
}
CK_INSTANTIATE(sigmoid_row, (float *out, double *sum, const float *in, int P), (out, sum, in, P))

void ck_sigmoid_forward(float *out, double *sums, const float *in, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, double *, const float *, int) = CK_PICK(sigmoid_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(out + o, sums ? sums + b : NULL, in + o, P);
    }
}

/* ---------------------------------------------------------------- BCE from logits */

/* softplus(c) - x c = max(c, 0) - x c + log1p(exp(-|c|)): no log of a rounded probability. */
CK_INLINE float bce_term(float c, float x) { return ck_softplusf(c) - x * c; }

CK_INLINE void bce_fwd_row(float *loss, const float *c, const float *x, int P) {
    double acc[CK_LANES] = {0};
    float t[CK_BLOCK];
    for (int i0 = 0; i0 < P; i0 += CK_BLOCK) {
        int len = P - i0 < CK_BLOCK ? P - i0 : CK_BLOCK;
        for (int k = 0; k < len; ++k) t[k] = bce_term(c[i0 + k], x[i0 + k]);
        ck_accumulate_lanes(acc, t, len);
    }
    *loss = (float)ck_sum_lanes(acc);
}
CK_INSTANTIATE(bce_fwd_row, (float *loss, const float *c, const float *x, int P), (loss, c, x, P))

CK_INLINE void bce_bwd_row(float *dc, float dl, const float *c, const float *x, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) dc[i] += dl * (ck_sigmoidf(c[i]) - x[i]);
}
CK_INSTANTIATE(bce_bwd_row, (float *dc, float dl, const float *c, const float *x, int P), (dc, dl, c, x, P))

void ck_bce_forward(float *loss, const float *canvas, const float *x, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, int) = CK_PICK(bce_fwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(loss + b, canvas + o, x + o, P);
    }
}

void ck_bce_backward(float *dcanvas, const float *dloss, const float *canvas, const float *x, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, float, const float *, const float *, int) = CK_PICK(bce_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(dcanvas + o, dloss[b], canvas + o, x + o, P);
    }
}

/* ---------------------------------------------------------------- L2 on sigmoid(canvas) */

CK_INLINE float l2_term(float c, float x) {
    float d = x - ck_sigmoidf(c);
    return 0.5f * d * d;
}

CK_INLINE void l2_fwd_row(float *loss, const float *c, const float *x, int P) {
    double acc[CK_LANES] = {0};
    float t[CK_BLOCK];
    for (int i0 = 0; i0 < P; i0 += CK_BLOCK) {
        int len = P - i0 < CK_BLOCK ? P - i0 : CK_BLOCK;
        for (int k = 0; k < len; ++k) t[k] = l2_term(c[i0 + k], x[i0 + k]);
        ck_accumulate_lanes(acc, t, len);
    }
    *loss = (float)ck_sum_lanes(acc);
}
CK_INSTANTIATE(l2_fwd_row, (float *loss, const float *c, const float *x, int P), (loss, c, x, P))

CK_INLINE void l2_bwd_row(float *dc, float dl, const float *c, const float *x, int P) {
#pragma clang loop vectorize(assume_safety)
    for (int i = 0; i < P; ++i) {
        float s = ck_sigmoidf(c[i]);
        dc[i] += dl * ((s - x[i]) * (s * (1.0f - s)));
    }
}
CK_INSTANTIATE(l2_bwd_row, (float *dc, float dl, const float *c, const float *x, int P), (dc, dl, c, x, P))

void ck_l2_forward(float *loss, const float *canvas, const float *x, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, const float *, const float *, int) = CK_PICK(l2_fwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(loss + b, canvas + o, x + o, P);
    }
}

void ck_l2_backward(float *dcanvas, const float *dloss, const float *canvas, const float *x, int B, int P) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, float, const float *, const float *, int) = CK_PICK(l2_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * P;
        row(dcanvas + o, dloss[b], canvas + o, x + o, P);
    }
}

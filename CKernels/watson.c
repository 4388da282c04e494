// watson.c: the Watson-DFT perceptual distance (after Czolbe et al. 2020, with their fixed initial parameters) per image, forward and backward.
#include "vecmath.h"
#include <math.h>

/*
 * Each H x W plane is cut into 8 x 8 blocks (the last row and column of blocks padded with zeros, for both
 * images alike); each block's one-sided DFT has 8 x 5 coefficients c = Re + i Im. With A the amplitude and phi
 * the phase of the reconstruction's (1) and the data's (0) coefficients, per coefficient:
 *   t   = ((A0_dc + eps) / (mean A0_dc of the plane + eps))^alpha        luminance masking (per block)
 *   m   = (A0 + eps)^w t^(1 - w)                                          contrast masking
 *   s   = t sigma(t - m) + m sigma(m - t)                                 a smooth max of the two
 *   d   = |A0 - A1| / s + w_phase |wrap(phi0 - phi1)|
 * and loss_b is the sum of d over every coefficient, block and plane of image b (pooling exponent 1). The mask s
 * depends on the data only, so the gradient flows through A1 and phi1. Uniform sensitivity (t's table is 1),
 * alpha 0.1, w 0.2, w_phase e^-2 except on the four real coefficients, whose phase is 0 or pi. Amplitudes are
 * sqrt(Re^2 + Im^2 + eps) and phase gradients divide by Re^2 + Im^2 + eps, so a zero coefficient has none.
 * Arithmetic in double: the work is about 5k multiply-adds per block, small beside the model's step.
 */

#define WB 8
#define WL (WB / 2 + 1)
#define W_R2 0.70710678118654752440
#define W_TWO_PI 6.28318530717958647692
static const double W_ALPHA = 0.1, W_CONTRAST = 0.2, W_PHASE = 0.1353352832366127, W_EPS = 1e-10;
static const double W_COS[8] = {1, W_R2, 0, -W_R2, -1, -W_R2, 0, W_R2};
static const double W_SIN[8] = {0, W_R2, 1, W_R2, 0, -W_R2, -1, -W_R2};

CK_INLINE int watson_has_phase(int k, int l) { return !((k == 0 || k == WB / 2) && (l == 0 || l == WB / 2)); }

/* re, im (8, 5) of the block whose top-left pixel is (y0, x0); pixels outside the plane are 0. */
static void watson_block_dft(double re[WB][WL], double im[WB][WL], const float *plane, int H, int W, int y0, int x0) {
    double v[WB][WB];
    for (int m = 0; m < WB; ++m)
        for (int n = 0; n < WB; ++n)
            v[m][n] = (y0 + m < H && x0 + n < W) ? plane[(size_t)(y0 + m) * W + x0 + n] : 0.0;
    for (int k = 0; k < WB; ++k)
        for (int l = 0; l < WL; ++l) {
            double r = 0, i = 0;
            for (int m = 0; m < WB; ++m)
                for (int n = 0; n < WB; ++n) {
                    int j = (k * m + l * n) & (WB - 1);
                    r += v[m][n] * W_COS[j];
                    i -= v[m][n] * W_SIN[j];
                }
            re[k][l] = r; im[k][l] = i;
        }
}

/* The data's mean DC amplitude over the plane's blocks (the luminance masking's reference). */
static double watson_mean_dc(const float *plane, int H, int W) {
    const int by = (H + WB - 1) / WB, bx = (W + WB - 1) / WB;
    double total = 0;
    for (int y = 0; y < by; ++y)
        for (int x = 0; x < bx; ++x) {
            double dc = 0;
            for (int m = y * WB; m < H && m < (y + 1) * WB; ++m)
                for (int n = x * WB; n < W && n < (x + 1) * WB; ++n) dc += plane[(size_t)m * W + n];
            total += sqrt(dc * dc + W_EPS);
        }
    return total / (by * bx);
}

/* One plane: returns its distance and, when dplane is given, adds scale * d(distance)/d(xt) into it. */
static double watson_plane(float *dplane, double scale, const float *xt, const float *x, int H, int W) {
    const int by = (H + WB - 1) / WB, bx = (W + WB - 1) / WB;
    const double mean_dc = watson_mean_dc(x, H, W);
    double total = 0;
    for (int y = 0; y < by; ++y)
        for (int xb = 0; xb < bx; ++xb) {
            double re0[WB][WL], im0[WB][WL], re1[WB][WL], im1[WB][WL], gre[WB][WL], gim[WB][WL];
            watson_block_dft(re0, im0, x, H, W, y * WB, xb * WB);
            watson_block_dft(re1, im1, xt, H, W, y * WB, xb * WB);
            const double dc = sqrt(re0[0][0] * re0[0][0] + im0[0][0] * im0[0][0] + W_EPS);
            const double t = pow((dc + W_EPS) / (mean_dc + W_EPS), W_ALPHA);
            for (int k = 0; k < WB; ++k)
                for (int l = 0; l < WL; ++l) {
                    const double p0 = re0[k][l] * re0[k][l] + im0[k][l] * im0[k][l];
                    const double p1 = re1[k][l] * re1[k][l] + im1[k][l] * im1[k][l];
                    const double a0 = sqrt(p0 + W_EPS), a1 = sqrt(p1 + W_EPS);
                    const double mk = pow(a0 + W_EPS, W_CONTRAST) * pow(t, 1 - W_CONTRAST);
                    const double sg = 1 / (1 + exp(mk - t));
                    const double s = t * sg + mk * (1 - sg);
                    const double diff = a0 - a1;
                    total += fabs(diff) / s;
                    /* d/dA1 |A0 - A1| / s = -sign(A0 - A1) / s; dA1/dRe1 = Re1 / A1. */
                    const double ga = (diff > 0 ? -1.0 : diff < 0 ? 1.0 : 0.0) / s;
                    gre[k][l] = ga * re1[k][l] / a1;
                    gim[k][l] = ga * im1[k][l] / a1;
                    if (watson_has_phase(k, l)) {
                        const double delta = remainder(atan2(im0[k][l], re0[k][l]) - atan2(im1[k][l], re1[k][l]), W_TWO_PI);
                        total += W_PHASE * fabs(delta);
                        /* d/dphi1 |delta| = -sign(delta); dphi1/dRe1 = -Im1 / |c1|^2, dphi1/dIm1 = Re1 / |c1|^2. */
                        const double gp = W_PHASE * (delta > 0 ? -1.0 : delta < 0 ? 1.0 : 0.0) / (p1 + W_EPS);
                        gre[k][l] += gp * -im1[k][l];
                        gim[k][l] += gp * re1[k][l];
                    }
                }
            if (!dplane) continue;
            /* Re = sum v cos, Im = -sum v sin: dv = sum_kl gre cos - gim sin. */
            for (int m = 0; m < WB && y * WB + m < H; ++m)
                for (int n = 0; n < WB && xb * WB + n < W; ++n) {
                    double g = 0;
                    for (int k = 0; k < WB; ++k)
                        for (int l = 0; l < WL; ++l) {
                            int j = (k * m + l * n) & (WB - 1);
                            g += gre[k][l] * W_COS[j] - gim[k][l] * W_SIN[j];
                        }
                    dplane[(size_t)(y * WB + m) * W + xb * WB + n] += (float)(scale * g);
                }
        }
    return total;
}

void ck_watson_forward(double *loss, const float *xt, const float *x, int B, int C, int H, int W) {
    CK_FLUSH_DENORMALS();
    const size_t plane = (size_t)H * W;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        double sum = 0;
        for (int c = 0; c < C; ++c) {
            size_t o = ((size_t)b * C + c) * plane;
            sum += watson_plane(NULL, 0, xt + o, x + o, H, W);
        }
        loss[b] = sum;
    }
}

void ck_watson_backward(float *dxt, const float *dloss, const float *xt, const float *x, int B, int C, int H, int W) {
    CK_FLUSH_DENORMALS();
    const size_t plane = (size_t)H * W;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b)
        for (int c = 0; c < C; ++c) {
            size_t o = ((size_t)b * C + c) * plane;
            watson_plane(dxt + o, dloss[b], xt + o, x + o, H, W);
        }
}

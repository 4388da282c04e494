// latent.c: the reparameterised sample z = mu + exp(logsigma) eps and the per-image KL term, forward and backward.
#include "ck_internal.h"

/* Rows are Z long (10 to 100): too short for SIMD dispatch to pay, so this is plain C that the compiler
   vectorizes at the baseline width. KL is summed in double, in index order, per image. */

void ck_latent_forward(float *z, int ldz, float *kl,
                       const float *mu, const float *logsigma, int ldm, const float *eps, int B, int Z) {
    CK_FLUSH_DENORMALS();
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const float *m = mu + (size_t)b * ldm, *ls = logsigma + (size_t)b * ldm;
        float *zr = z + (size_t)b * ldz;
        double s = 0.0;
        for (int j = 0; j < Z; ++j) {
            double l = ls[j], mj = m[j];
            /* KL written with log sigma: sigma^2 = exp(2 log sigma), never log(sigma^2 + eps). */
            s += mj * mj + exp(2.0 * l) - 2.0 * l - 1.0;
            zr[j] = eps ? m[j] + expf(ls[j]) * eps[(size_t)b * Z + j] : m[j];
        }
        kl[b] = (float)(0.5 * s);
    }
}

/* dz reaches mu directly and log sigma through exp(log sigma) eps; dkl_b gives mu and exp(2 log sigma) - 1. */
void ck_latent_backward(float *dmu, float *dlogsigma, int lddm,
                        const float *dz, const float *dkl,
                        const float *mu, const float *logsigma, int ldm, const float *eps, int B, int Z) {
    CK_FLUSH_DENORMALS();
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        const float *m = mu + (size_t)b * ldm, *ls = logsigma + (size_t)b * ldm;
        float k = dkl ? dkl[b] : 0.0f;
        for (int j = 0; j < Z; ++j) {
            float g = dz ? dz[(size_t)b * Z + j] : 0.0f;
            float e = eps ? eps[(size_t)b * Z + j] : 0.0f;
            float sig = expf(ls[j]);
            if (dmu) dmu[(size_t)b * lddm + j] += g + k * m[j];
            if (dlogsigma) dlogsigma[(size_t)b * lddm + j] += g * e * sig + k * (sig * sig - 1.0f);
        }
    }
}

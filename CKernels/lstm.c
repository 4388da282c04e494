// lstm.c: the LSTM cell's gate nonlinearities and state update (PyTorch gate order i, f, g, o), forward and backward.
#include "vecmath.h"

/* Columns [0, len) of one batch row; the gates [i | f | g | o] are G floats apart in pre and act.
   act may be pre itself: each element is read before the same index is written and no index is touched
   by two iterations, hence assume_safety. */
CK_INLINE void lstm_fwd_row(float *h, float *c, float *act, const float *pre, const float *cp, int len, int G) {
#pragma clang loop vectorize(assume_safety)
    for (int j = 0; j < len; ++j) {
        float ig = ck_sigmoidf(pre[j]);
        float fg = ck_sigmoidf(pre[G + j]);
        float gg = ck_tanhf(pre[2 * G + j]);
        float og = ck_sigmoidf(pre[3 * G + j]);
        float cn = fg * cp[j] + ig * gg;
        act[j] = ig;
        act[G + j] = fg;
        act[2 * G + j] = gg;
        act[3 * G + j] = og;
        c[j] = cn;
        h[j] = og * ck_tanhf(cn);
    }
}
CK_INSTANTIATE(lstm_fwd_row, (float *h, float *c, float *act, const float *pre, const float *cp, int len, int G),
               (h, c, act, pre, cp, len, G))

/* dc_total = dc + dh o (1 - tanh(c)^2) reaches i, f, g and c_prev; dh tanh(c) reaches o. dpre may be act
   itself (the backward overwrites the activations it has used with the gradients): each element of act is
   read before the same index of dpre is written, as in the forward. */
CK_INLINE void lstm_bwd_row(float *dpre, float *dcp, const float *dh, const float *dc,
                            const float *act, const float *c, const float *cp, int len, int G) {
#pragma clang loop vectorize(assume_safety)
    for (int j = 0; j < len; ++j) {
        float ig = act[j], fg = act[G + j], gg = act[2 * G + j], og = act[3 * G + j];
        float tc = ck_tanhf(c[j]);
        float dct = dc[j] + dh[j] * og * (1.0f - tc * tc);
        dpre[j] = dct * gg * (ig * (1.0f - ig));
        dpre[G + j] = dct * cp[j] * (fg * (1.0f - fg));
        dpre[2 * G + j] = dct * ig * (1.0f - gg * gg);
        dpre[3 * G + j] = dh[j] * tc * (og * (1.0f - og));
        dcp[j] += dct * fg;
    }
}
CK_INSTANTIATE(lstm_bwd_row, (float *dpre, float *dcp, const float *dh, const float *dc,
                              const float *act, const float *c, const float *cp, int len, int G),
               (dpre, dcp, dh, dc, act, c, cp, len, G))

/* Absent inputs (c_prev, dc) read from a zero row and an absent dc_prev is written to a scratch row, so the
   row bodies have no NULL tests; rows are processed in column chunks of this size to bound both. */
#define CK_LSTM_CHUNK 512
static const float ck_lstm_zeros[CK_LSTM_CHUNK];

void ck_lstm_forward(float *h, int ldh, float *c, float *act, const float *pre, const float *c_prev, int B, int H) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, float *, float *, const float *, const float *, int, int) = CK_PICK(lstm_fwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * H, o4 = (size_t)b * 4 * H;
        for (int j0 = 0; j0 < H; j0 += CK_LSTM_CHUNK) {
            int len = H - j0 < CK_LSTM_CHUNK ? H - j0 : CK_LSTM_CHUNK;
            row(h + (size_t)b * ldh + j0, c + o + j0, act + o4 + j0, pre + o4 + j0,
                c_prev ? c_prev + o + j0 : ck_lstm_zeros, len, H);
        }
    }
}

void ck_lstm_backward(float *dpre, float *dc_prev, const float *dh, const float *dc,
                      const float *act, const float *c, const float *c_prev, int B, int H) {
    CK_FLUSH_DENORMALS();
    void (*row)(float *, float *, const float *, const float *, const float *, const float *, const float *,
                int, int) = CK_PICK(lstm_bwd_row);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; ++b) {
        size_t o = (size_t)b * H, o4 = (size_t)b * 4 * H;
        float scratch[CK_LSTM_CHUNK];
        for (int j0 = 0; j0 < H; j0 += CK_LSTM_CHUNK) {
            int len = H - j0 < CK_LSTM_CHUNK ? H - j0 : CK_LSTM_CHUNK;
            if (!dc_prev) for (int j = 0; j < len; ++j) scratch[j] = 0.0f;
            row(dpre + o4 + j0, dc_prev ? dc_prev + o + j0 : scratch, dh + o + j0,
                dc ? dc + o + j0 : ck_lstm_zeros, act + o4 + j0, c + o + j0,
                c_prev ? c_prev + o + j0 : ck_lstm_zeros, len, H);
        }
    }
}

// cis_common.c: message formatting, size products and cis_free, shared by the PNG and JPEG glue.
#include "cis_internal.h"
#include "cimageshims.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cis_fail(int status, char *msg, size_t cap, const char *fmt, ...) {
    if (msg && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return status;
}

size_t cis_image_bytes(uint32_t w, uint32_t h, int c, int bytes) {
    size_t n = 1;
    if (__builtin_mul_overflow(n, (size_t)w, &n)) return 0;
    if (__builtin_mul_overflow(n, (size_t)h, &n)) return 0;
    if (__builtin_mul_overflow(n, (size_t)c, &n)) return 0;
    if (__builtin_mul_overflow(n, (size_t)bytes, &n)) return 0;
    return n;
}

void cis_free(void *pixels) { free(pixels); }

// cis_internal.h: what the PNG and JPEG glue share: message formatting and the overflow-checked size product.
#ifndef CIS_INTERNAL_H
#define CIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Writes a printf-style message into msg (cap bytes, NUL-terminated); returns status, so failures are one line. */
int cis_fail(int status, char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* w * h * c * bytes, or 0 when it overflows size_t. */
size_t cis_image_bytes(uint32_t w, uint32_t h, int c, int bytes);

#endif

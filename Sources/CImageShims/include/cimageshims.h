// cimageshims.h: libpng and libjpeg behind setjmp error handling, so Swift gets a status code and a message, never a longjmp or exit().
#ifndef CIMAGESHIMS_H
#define CIMAGESHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Why this target exists: libpng and libjpeg report fatal errors by calling a handler that must not
 * return (libpng longjmps, libjpeg's default calls exit()). Swift cannot setjmp, so the few calls that
 * can fail live here, each behind one setjmp, and come back as a CIS_* status plus a message.
 * This is I/O glue only: no arithmetic beyond format conversion.
 *
 * Pixel buffers are interleaved (height, width, channels), rows top to bottom, no row padding.
 * 8-bit samples are uint8; 16-bit samples are native-endian uint16.
 * Every function writes a NUL-terminated message of at most `cap` bytes into `msg` on failure.
 */

enum {
    CIS_OK = 0,
    CIS_OPEN_FAILED = 1,   /* fopen failed (msg has strerror) */
    CIS_NOT_FORMAT = 2,    /* signature is not PNG / not JPEG */
    CIS_DECODE_FAILED = 3, /* the library reported an error (msg has its text) */
    CIS_TRUNCATED = 4,     /* the file ends before the image data does */
    CIS_TOO_LARGE = 5,     /* width * height * channels * bytes above max_bytes, refused before allocating */
    CIS_ZERO_SIZE = 6,     /* width or height is zero */
    CIS_OUT_OF_MEMORY = 7,
    CIS_ENCODE_FAILED = 8, /* writing failed (msg has the library's or the system's text) */
    CIS_BAD_ARGUMENT = 9,
};

/* What a reader produced: pixels is (height, width, channels), bit_depth 8 or 16. */
typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;  /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
    int bit_depth; /* 8 or 16: the size of one sample in the buffer */
} cis_image_info;

/* Frees a buffer a reader returned. */
void cis_free(void *pixels);

/* Reads any PNG: palette expanded to RGB, tRNS to an alpha channel, grey below 8 bits scaled to 8 bits,
   16-bit samples kept at 16 bits. No gamma or colour-space transform: samples are the stored values.
   Interlaced files are de-interlaced. On CIS_OK *pixels is malloc'd (free with cis_free), else NULL. */
int cis_png_read(const char *path, size_t max_bytes, cis_image_info *info, void **pixels,
                 char *msg, size_t cap);

/* Writes a PNG from unpacked samples: pixels is (height, width, channels) with one uint8 per sample for
   bit_depth 1, 2, 4, 8 (values 0 ... 2^bit_depth - 1; packed here) or one native uint16 for bit_depth 16.
   color_type is PNG's: 0 grey, 2 RGB, 3 palette (pixels are indices), 4 grey+alpha, 6 RGBA.
   palette is (palette_count, 3) RGB bytes, trns is (trns_count) alpha bytes (palette or single colour), or NULL.
   interlace nonzero writes Adam7. */
int cis_png_write(const char *path, const void *pixels, uint32_t width, uint32_t height,
                  int bit_depth, int color_type, const uint8_t *palette, int palette_count,
                  const uint8_t *trns, int trns_count, int interlace, char *msg, size_t cap);

/* Reads a baseline or progressive JPEG as 8-bit grey (1 channel, greyscale files) or RGB (3 channels,
   everything else; CMYK and YCCK converted to RGB). A file that ends early is CIS_TRUNCATED, not a grey-
   filled image. On CIS_OK *pixels is malloc'd (free with cis_free), else NULL. */
int cis_jpeg_read(const char *path, size_t max_bytes, cis_image_info *info, void **pixels,
                  char *msg, size_t cap);

/* Writes a JPEG from 8-bit pixels (height, width, channels), channels 1 (grey) or 3 (RGB), quality 1...100. */
int cis_jpeg_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                   int channels, int quality, char *msg, size_t cap);

#ifdef __cplusplus
}
#endif

#endif

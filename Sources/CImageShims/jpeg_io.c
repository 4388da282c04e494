// jpeg_io.c: JPEG read and write through libjpeg(-turbo), with its error_exit turned into a longjmp caught here.
#include "cimageshims.h"
#include "cis_internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* libjpeg's error manager extended with the jump target and what went wrong. */
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int truncated;
    char text[JMSG_LENGTH_MAX];
} jpeg_err;

/* Everything a longjmp must find again lives here. */
typedef struct {
    FILE *file;
    uint8_t *buffer;
    uint8_t *cmyk_row;
} jpeg_ctx;

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_err *err = (jpeg_err *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->text);
    longjmp(err->jump, 1);
}

/* Warnings are errors: a premature end of file (libjpeg would pad with grey and carry on) is reported as
 * truncation, and every corrupt-data warning ("Corrupt JPEG data: ...") fails the image with libjpeg's text,
 * so a damaged file never trains as if it were whole. Trace messages (level > 0) are ignored. */
static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    jpeg_err *err = (jpeg_err *)cinfo->err;
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        err->truncated = 1;
        snprintf(err->text, sizeof err->text, "file ends early (truncated)");
    } else {
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        snprintf(err->text, sizeof err->text, "corrupt data: %s", text);
    }
    longjmp(err->jump, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void install_errors(jpeg_err *err) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = on_error_exit;
    err->pub.emit_message = on_emit_message;
    err->pub.output_message = on_output_message;
    err->truncated = 0;
    err->text[0] = 0;
}

/* CMYK or YCCK (decoded to CMYK) row (w, 4) to RGB (w, 3). Adobe files store the inks inverted. */
static void cmyk_to_rgb(uint8_t *rgb, const uint8_t *cmyk, uint32_t w, int inverted) {
    for (uint32_t x = 0; x < w; x++) {
        unsigned c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        rgb[3 * x] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

int cis_jpeg_read(const char *path, size_t max_bytes, cis_image_info *info, void **pixels,
                  char *msg, size_t cap) {
    *pixels = NULL;
    memset(info, 0, sizeof *info);
    volatile jpeg_ctx ctx = {0}; /* volatile: read again after a longjmp */
    ctx.file = fopen(path, "rb");
    if (!ctx.file) return cis_fail(CIS_OPEN_FAILED, msg, cap, "cannot open: %s", strerror(errno));
    unsigned char soi[2];
    size_t got = fread(soi, 1, 2, ctx.file);
    if (got < 2 || soi[0] != 0xFF || soi[1] != 0xD8) {
        fclose(ctx.file);
        if (got == 0) return cis_fail(CIS_TRUNCATED, msg, cap, "file is empty");
        return cis_fail(CIS_NOT_FORMAT, msg, cap, "not a JPEG file (no SOI marker)");
    }
    rewind(ctx.file);

    struct jpeg_decompress_struct cinfo;
    jpeg_err err;
    install_errors(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        fclose(ctx.file);
        free(ctx.buffer);
        free(ctx.cmyk_row);
        int status = err.truncated ? CIS_TRUNCATED : CIS_DECODE_FAILED;
        return cis_fail(status, msg, cap, err.truncated ? "%s" : "libjpeg: %s", err.text);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, ctx.file);
    jpeg_read_header(&cinfo, TRUE);

    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    int channels = cinfo.jpeg_color_space == JCS_GRAYSCALE ? 1 : 3;
    cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : (cmyk ? JCS_CMYK : JCS_RGB);
    size_t total = cis_image_bytes(cinfo.image_width, cinfo.image_height, channels, 1);
    if (total == 0 || total > max_bytes) {
        snprintf(err.text, sizeof err.text, "%ux%u with %d channels is above the %zu-byte limit",
                 (unsigned)cinfo.image_width, (unsigned)cinfo.image_height, channels, max_bytes);
        jpeg_destroy_decompress(&cinfo);
        fclose(ctx.file);
        return cis_fail(total == 0 && (cinfo.image_width == 0 || cinfo.image_height == 0) ? CIS_ZERO_SIZE
                                                                                          : CIS_TOO_LARGE,
                        msg, cap, "%s", err.text);
    }
    jpeg_start_decompress(&cinfo);
    uint32_t w = cinfo.output_width, h = cinfo.output_height;
    ctx.buffer = malloc(total);
    ctx.cmyk_row = cmyk ? malloc((size_t)w * 4) : NULL;
    if (!ctx.buffer || (cmyk && !ctx.cmyk_row)) {
        snprintf(err.text, sizeof err.text, "out of memory for %zu bytes", total);
        longjmp(err.jump, 1);
    }
    while (cinfo.output_scanline < h) {
        uint8_t *row = ctx.buffer + (size_t)cinfo.output_scanline * w * (size_t)channels;
        JSAMPROW target = cmyk ? ctx.cmyk_row : row;
        if (jpeg_read_scanlines(&cinfo, &target, 1) != 1) {
            snprintf(err.text, sizeof err.text, "no scanline %u", (unsigned)cinfo.output_scanline);
            longjmp(err.jump, 1);
        }
        if (cmyk) cmyk_to_rgb(row, ctx.cmyk_row, w, cinfo.saw_Adobe_marker);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(ctx.file);
    free(ctx.cmyk_row);
    info->width = w;
    info->height = h;
    info->channels = channels;
    info->bit_depth = 8;
    *pixels = ctx.buffer;
    return CIS_OK;
}

int cis_jpeg_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                   int channels, int quality, char *msg, size_t cap) {
    if (channels != 1 && channels != 3)
        return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "JPEG needs 1 or 3 channels, got %d", channels);
    if (width == 0 || height == 0) return cis_fail(CIS_ZERO_SIZE, msg, cap, "image is %ux%u", width, height);
    if (width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION)
        return cis_fail(CIS_TOO_LARGE, msg, cap, "%ux%u is above JPEG's %ld limit", width, height,
                        (long)JPEG_MAX_DIMENSION);
    FILE *file = fopen(path, "wb");
    if (!file) return cis_fail(CIS_OPEN_FAILED, msg, cap, "cannot create: %s", strerror(errno));

    struct jpeg_compress_struct cinfo;
    jpeg_err err;
    install_errors(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        fclose(file);
        remove(path);
        return cis_fail(CIS_ENCODE_FAILED, msg, cap, "libjpeg: %s", err.text);
    }
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, file);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * (size_t)channels);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    if (fclose(file) != 0) {
        remove(path);
        return cis_fail(CIS_ENCODE_FAILED, msg, cap, "closing failed: %s", strerror(errno));
    }
    return CIS_OK;
}

// png_io.c: PNG read and write through libpng's full API, with libpng's longjmp errors caught here.
#include "cimageshims.h"
#include "cis_internal.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most libpng may allocate for one chunk's data: 8 MiB, libpng's own default, which Debian's build does not apply. */
#define CIS_PNG_CHUNK_MAX ((png_alloc_size_t)8 << 20)

/* Everything a longjmp must find again lives here, in memory whose address libpng holds. */
typedef struct {
    FILE *file;
    int status;      /* the first error's status; CIS_OK until then */
    int truncated;   /* the read callback hit end of file */
    char *msg;
    size_t cap;
    uint8_t *buffer;
    png_bytep *rows;
} png_ctx;

static int host_is_little_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static void on_error(png_structp png, png_const_charp text) {
    png_ctx *ctx = (png_ctx *)png_get_error_ptr(png);
    if (ctx->status == CIS_OK)
        ctx->status = cis_fail(ctx->truncated ? CIS_TRUNCATED : CIS_DECODE_FAILED, ctx->msg, ctx->cap,
                               "libpng: %s", text);
    png_longjmp(png, 1);
}

/* Warnings (odd ancillary chunks, bad ICC profiles) do not stop a read; they are not printed either. */
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/* Our own reader, so a short file is told apart from a corrupt one. */
static void on_read(png_structp png, png_bytep data, size_t n) {
    png_ctx *ctx = (png_ctx *)png_get_io_ptr(png);
    if (fread(data, 1, n, ctx->file) != n) {
        ctx->truncated = !ferror(ctx->file);
        png_error(png, ctx->truncated ? "file ends early (truncated)" : "read error");
    }
}

int cis_png_read(const char *path, size_t max_bytes, cis_image_info *info, void **pixels,
                 char *msg, size_t cap) {
    *pixels = NULL;
    memset(info, 0, sizeof *info);
    png_ctx ctx = {.status = CIS_OK, .msg = msg, .cap = cap};
    ctx.file = fopen(path, "rb");
    if (!ctx.file) return cis_fail(CIS_OPEN_FAILED, msg, cap, "cannot open: %s", strerror(errno));

    unsigned char sig[8];
    size_t got = fread(sig, 1, sizeof sig, ctx.file);
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        fclose(ctx.file);
        if (got == 0) return cis_fail(CIS_TRUNCATED, msg, cap, "file is empty");
        if (got < sizeof sig && png_sig_cmp(sig, 0, got) == 0)
            return cis_fail(CIS_TRUNCATED, msg, cap, "file ends inside the PNG signature (truncated)");
        return cis_fail(CIS_NOT_FORMAT, msg, cap, "not a PNG file (bad signature)");
    }

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    png_infop pinfo = png ? png_create_info_struct(png) : NULL;
    if (!pinfo) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(ctx.file);
        return cis_fail(CIS_OUT_OF_MEMORY, msg, cap, "libpng: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        fclose(ctx.file);
        free(ctx.rows);
        free(ctx.buffer);
        return ctx.status;
    }
    png_set_read_fn(png, &ctx, on_read);
    png_set_sig_bytes(png, (int)sizeof sig);
    /* Only IHDR, PLTE, tRNS, IDAT and IEND matter here (no gamma or colour transform), so every other chunk is
       skipped unread: libpng buffers some ancillary chunks whole, trusting their declared length, and a 60-byte
       file declaring a 1.7 GB chunk made it malloc that much (found by FuzzPNG, Fuzz/Corpus/png/oom-*). The
       chunk allocation cap backs that up for whatever libpng still buffers. */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_chunk_malloc_max(png, CIS_PNG_CHUNK_MAX);
    png_read_info(png, pinfo);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, pinfo, &width, &height, &depth, &color, &interlace, NULL, NULL);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, pinfo, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16 && host_is_little_endian()) png_set_swap(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);

    int channels = png_get_channels(png, pinfo);
    int bytes = png_get_bit_depth(png, pinfo) == 16 ? 2 : 1;
    size_t total = cis_image_bytes(width, height, channels, bytes);
    if (width == 0 || height == 0) {
        ctx.status = cis_fail(CIS_ZERO_SIZE, msg, cap, "image is %ux%u", (unsigned)width, (unsigned)height);
        png_longjmp(png, 1);
    }
    if (total == 0 || total > max_bytes) {
        ctx.status = cis_fail(CIS_TOO_LARGE, msg, cap, "%ux%u with %d channels is above the %zu-byte limit",
                              (unsigned)width, (unsigned)height, channels, max_bytes);
        png_longjmp(png, 1);
    }
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)bytes;
    if (png_get_rowbytes(png, pinfo) != row_bytes) {
        ctx.status = cis_fail(CIS_DECODE_FAILED, msg, cap, "unexpected row size %zu (wanted %zu)",
                              (size_t)png_get_rowbytes(png, pinfo), row_bytes);
        png_longjmp(png, 1);
    }
    ctx.buffer = malloc(total);
    ctx.rows = malloc((size_t)height * sizeof *ctx.rows);
    if (!ctx.buffer || !ctx.rows) {
        ctx.status = cis_fail(CIS_OUT_OF_MEMORY, msg, cap, "out of memory for %zu bytes", total);
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) ctx.rows[y] = ctx.buffer + (size_t)y * row_bytes;
    png_read_image(png, ctx.rows);
    png_read_end(png, NULL);

    png_destroy_read_struct(&png, &pinfo, NULL);
    fclose(ctx.file);
    free(ctx.rows);
    info->width = width;
    info->height = height;
    info->channels = channels;
    info->bit_depth = bytes * 8;
    *pixels = ctx.buffer;
    return CIS_OK;
}

/* Samples per pixel for a PNG colour type, or 0 if it is not one. */
static int channels_of(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_PALETTE: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 0;
    }
}

/* The bit depths the PNG specification allows for each colour type. */
static int depth_allowed(int color_type, int depth) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case PNG_COLOR_TYPE_PALETTE: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    default: return depth == 8 || depth == 16;
    }
}

int cis_png_write(const char *path, const void *pixels, uint32_t width, uint32_t height,
                  int bit_depth, int color_type, const uint8_t *palette, int palette_count,
                  const uint8_t *trns, int trns_count, int interlace, char *msg, size_t cap) {
    int channels = channels_of(color_type);
    if (channels == 0) return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "unknown PNG colour type %d", color_type);
    if (!depth_allowed(color_type, bit_depth))
        return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "bit depth %d is not allowed for colour type %d", bit_depth,
                        color_type);
    if (width == 0 || height == 0) return cis_fail(CIS_ZERO_SIZE, msg, cap, "image is %ux%u", width, height);
    if (color_type == PNG_COLOR_TYPE_PALETTE &&
        (!palette || palette_count < 1 || palette_count > 256 || palette_count > (1 << bit_depth)))
        return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "palette of %d colours for bit depth %d", palette_count,
                        bit_depth);
    if (trns && color_type != PNG_COLOR_TYPE_PALETTE && trns_count != channels)
        return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "tRNS colour needs %d values, got %d", channels, trns_count);
    if (trns && (color_type == PNG_COLOR_TYPE_GRAY_ALPHA || color_type == PNG_COLOR_TYPE_RGB_ALPHA))
        return cis_fail(CIS_BAD_ARGUMENT, msg, cap, "tRNS with an alpha channel");

    png_ctx ctx = {.status = CIS_OK, .msg = msg, .cap = cap};
    ctx.file = fopen(path, "wb");
    if (!ctx.file) return cis_fail(CIS_OPEN_FAILED, msg, cap, "cannot create: %s", strerror(errno));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    png_infop pinfo = png ? png_create_info_struct(png) : NULL;
    if (!pinfo) {
        png_destroy_write_struct(&png, NULL);
        fclose(ctx.file);
        remove(path);
        return cis_fail(CIS_OUT_OF_MEMORY, msg, cap, "libpng: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &pinfo);
        fclose(ctx.file);
        remove(path);
        free(ctx.rows);
        return ctx.status == CIS_DECODE_FAILED ? CIS_ENCODE_FAILED : ctx.status;
    }
    png_init_io(png, ctx.file);
    png_set_IHDR(png, pinfo, width, height, bit_depth, color_type,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color colors[256];
        for (int i = 0; i < palette_count; i++) {
            colors[i].red = palette[3 * i];
            colors[i].green = palette[3 * i + 1];
            colors[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, pinfo, colors, palette_count);
        if (trns) png_set_tRNS(png, pinfo, trns, trns_count, NULL);
    } else if (trns) {
        png_color_16 key = {0};
        if (channels == 1) key.gray = trns[0];
        else {
            key.red = trns[0];
            key.green = trns[1];
            key.blue = trns[2];
        }
        png_set_tRNS(png, pinfo, NULL, 0, &key);
    }
    png_write_info(png, pinfo);
    if (bit_depth < 8) png_set_packing(png);
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    png_set_interlace_handling(png);

    size_t row_bytes = (size_t)width * (size_t)channels * (bit_depth == 16 ? 2 : 1);
    ctx.rows = malloc((size_t)height * sizeof *ctx.rows);
    if (!ctx.rows) {
        ctx.status = cis_fail(CIS_OUT_OF_MEMORY, msg, cap, "out of memory");
        png_longjmp(png, 1);
    }
    /* libpng copies each row before transforming it, so the caller's const pixels are never written. */
    for (uint32_t y = 0; y < height; y++) ctx.rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    png_write_image(png, ctx.rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &pinfo);
    free(ctx.rows);
    if (fclose(ctx.file) != 0) {
        remove(path);
        return cis_fail(CIS_ENCODE_FAILED, msg, cap, "closing failed: %s", strerror(errno));
    }
    return CIS_OK;
}

// PNG through libpng's progressive-free read API from memory, with errors returned through setjmp/longjmp.
#include "CImageCodec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int ran_out;
    char *message;
} cic_png_source;

static void cic_png_read(png_structp png, png_bytep out, size_t length) {
    cic_png_source *source = png_get_io_ptr(png);
    if (length > source->size - source->offset) {
        source->ran_out = 1;
        png_error(png, "PNG data ends early");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static void cic_png_error(png_structp png, png_const_charp text) {
    cic_png_source *source = png_get_error_ptr(png);
    snprintf(source->message, CIC_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

static void cic_png_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

// Opens `source` and reads the chunks up to the image data. Returns NULL only when libpng itself cannot start.
static png_structp cic_png_open(cic_png_source *source, png_infop *info) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, source, cic_png_error, cic_png_warning);
    if (!png) return NULL;
    *info = png_create_info_struct(png);
    if (!*info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return NULL;
    }
    png_set_read_fn(png, source, cic_png_read);
    return png;
}

int cic_png_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]) {
    cic_png_source source = {data, size, 0, 0, message};
    message[0] = 0;
    png_infop info = NULL;
    png_structp png = cic_png_open(&source, &info);
    if (!png) {
        snprintf(message, CIC_MESSAGE_SIZE, "libpng could not start");
        return CIC_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return source.ran_out ? CIC_TRUNCATED : CIC_CORRUPT;
    }
    png_read_info(png, info);
    header->width = (int)png_get_image_width(png, info);
    header->height = (int)png_get_image_height(png, info);
    header->components = png_get_channels(png, info);
    header->bit_depth = png_get_bit_depth(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return CIC_OK;
}

int cic_png_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]) {
    cic_png_source source = {data, size, 0, 0, message};
    message[0] = 0;
    memset(image, 0, sizeof(*image));
    png_infop info = NULL;
    png_structp png = cic_png_open(&source, &info);
    if (!png) {
        snprintf(message, CIC_MESSAGE_SIZE, "libpng could not start");
        return CIC_NO_MEMORY;
    }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return source.ran_out ? CIC_TRUNCATED : CIC_CORRUPT;
    }
    png_read_info(png, info);
    int colour = png_get_color_type(png, info);
    if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);  // high byte, as PIL's "RGB;16B" unpacker
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_expand_gray_1_2_4_to_8(png);
        png_set_gray_to_rgb(png);
    }
    // Alpha is dropped, not composited (PIL convert("RGB")); that includes the alpha libpng's palette expansion
    // makes from a tRNS chunk. Grey tRNS is never expanded.
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_channels(png, info) != 3 || png_get_bit_depth(png, info) != 8) {
        snprintf(message, CIC_MESSAGE_SIZE, "unexpected PNG layout after conversion");
        png_destroy_read_struct(&png, &info, NULL);
        return CIC_UNSUPPORTED;
    }
    size_t width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    size_t stride = png_get_rowbytes(png, info);
    pixels = malloc(stride * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        free(pixels);
        free(rows);
        snprintf(message, CIC_MESSAGE_SIZE, "out of memory for %zux%zu pixels", width, height);
        png_destroy_read_struct(&png, &info, NULL);
        return CIC_NO_MEMORY;
    }
    for (size_t y = 0; y < height; y++) rows[y] = pixels + y * stride;
    png_read_image(png, rows);
    free(rows);
    image->pixels = pixels;
    image->width = (int)width;
    image->height = (int)height;
    image->channels = 3;
    png_destroy_read_struct(&png, &info, NULL);
    return CIC_OK;
}

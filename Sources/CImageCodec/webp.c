// WebP through libwebp's advanced decoding API, whose status codes tell truncated from corrupt data.
#include "CImageCodec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

static int cic_webp_status(VP8StatusCode status, char *message) {
    switch (status) {
    case VP8_STATUS_OK: return CIC_OK;
    case VP8_STATUS_NOT_ENOUGH_DATA:
        snprintf(message, CIC_MESSAGE_SIZE, "WebP data ends early");
        return CIC_TRUNCATED;
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        snprintf(message, CIC_MESSAGE_SIZE, "unsupported WebP feature");
        return CIC_UNSUPPORTED;
    case VP8_STATUS_OUT_OF_MEMORY:
        snprintf(message, CIC_MESSAGE_SIZE, "out of memory");
        return CIC_NO_MEMORY;
    default:
        snprintf(message, CIC_MESSAGE_SIZE, "invalid WebP data (libwebp status %d)", (int)status);
        return CIC_CORRUPT;
    }
}

int cic_webp_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]) {
    message[0] = 0;
    WebPBitstreamFeatures features;
    int code = cic_webp_status(WebPGetFeatures(data, size, &features), message);
    if (code != CIC_OK) return code;
    if (features.has_animation) {
        snprintf(message, CIC_MESSAGE_SIZE, "animated WebP is not supported");
        return CIC_UNSUPPORTED;
    }
    header->width = features.width;
    header->height = features.height;
    header->components = features.has_alpha ? 4 : 3;
    header->bit_depth = 8;
    return CIC_OK;
}

int cic_webp_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]) {
    message[0] = 0;
    memset(image, 0, sizeof(*image));
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        snprintf(message, CIC_MESSAGE_SIZE, "libwebp version mismatch");
        return CIC_UNSUPPORTED;
    }
    int code = cic_webp_status(WebPGetFeatures(data, size, &config.input), message);
    if (code != CIC_OK) return code;
    if (config.input.has_animation) {
        snprintf(message, CIC_MESSAGE_SIZE, "animated WebP is not supported");
        return CIC_UNSUPPORTED;
    }
    // Decode straight into a malloc'ed buffer the caller owns; alpha, if any, is dropped (PIL convert("RGB")).
    int width = config.input.width, height = config.input.height;
    size_t stride = (size_t)width * 3;
    uint8_t *pixels = malloc(stride * (size_t)height);
    if (!pixels) {
        snprintf(message, CIC_MESSAGE_SIZE, "out of memory for %dx%d pixels", width, height);
        return CIC_NO_MEMORY;
    }
    config.output.colorspace = MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels;
    config.output.u.RGBA.stride = (int)stride;
    config.output.u.RGBA.size = stride * (size_t)height;
    code = cic_webp_status(WebPDecode(data, size, &config), message);
    WebPFreeDecBuffer(&config.output);
    if (code != CIC_OK) {
        free(pixels);
        return code;
    }
    image->pixels = pixels;
    image->width = width;
    image->height = height;
    image->channels = 3;
    return CIC_OK;
}

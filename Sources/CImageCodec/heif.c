// HEIF (HEIC) and AVIF through libheif. The container's transformations (irot/imir/clap, where HEIF records the
// picture's orientation) are applied by libheif while decoding, as pillow-heif does.
#include "CImageCodec.h"

#include <libheif/heif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cic_heif_status(struct heif_error error, char *message) {
    if (error.code == heif_error_Ok) return CIC_OK;
    snprintf(message, CIC_MESSAGE_SIZE, "%s", error.message ? error.message : "libheif error");
    switch (error.code) {
    case heif_error_Invalid_input:
        return error.subcode == heif_suberror_End_of_data ? CIC_TRUNCATED : CIC_CORRUPT;
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
        return CIC_UNSUPPORTED;
    case heif_error_Memory_allocation_error:
        return CIC_NO_MEMORY;
    default:
        return CIC_CORRUPT;
    }
}

// Parses the container (boxes only, no pixel data is decoded) and opens the primary image.
static int cic_heif_open(const uint8_t *data, size_t size, struct heif_context **context,
                         struct heif_image_handle **handle, char *message) {
    *context = heif_context_alloc();
    *handle = NULL;
    if (!*context) {
        snprintf(message, CIC_MESSAGE_SIZE, "out of memory");
        return CIC_NO_MEMORY;
    }
    int code = cic_heif_status(heif_context_read_from_memory_without_copy(*context, data, size, NULL), message);
    if (code == CIC_OK) code = cic_heif_status(heif_context_get_primary_image_handle(*context, handle), message);
    return code;
}

static void cic_heif_close(struct heif_context *context, struct heif_image_handle *handle) {
    if (handle) heif_image_handle_release(handle);
    if (context) heif_context_free(context);
}

int cic_heif_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]) {
    message[0] = 0;
    struct heif_context *context;
    struct heif_image_handle *handle;
    int code = cic_heif_open(data, size, &context, &handle, message);
    if (code == CIC_OK) {
        header->width = heif_image_handle_get_width(handle);
        header->height = heif_image_handle_get_height(handle);
        header->components = heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
        header->bit_depth = heif_image_handle_get_luma_bits_per_pixel(handle);
    }
    cic_heif_close(context, handle);
    return code;
}

int cic_heif_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]) {
    message[0] = 0;
    memset(image, 0, sizeof(*image));
    struct heif_context *context;
    struct heif_image_handle *handle;
    int code = cic_heif_open(data, size, &context, &handle, message);
    struct heif_image *decoded = NULL;
    // Interleaved 8-bit RGB: alpha dropped (PIL convert("RGB")), higher bit depths reduced by libheif.
    if (code == CIC_OK)
        code = cic_heif_status(
            heif_decode_image(handle, &decoded, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL), message);
    if (code == CIC_OK) {
        int width = heif_image_get_width(decoded, heif_channel_interleaved);
        int height = heif_image_get_height(decoded, heif_channel_interleaved);
        int stride = 0;
        const uint8_t *plane = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride);
        uint8_t *pixels = (plane && width > 0 && height > 0) ? malloc((size_t)width * 3 * (size_t)height) : NULL;
        if (!plane || width <= 0 || height <= 0) {
            snprintf(message, CIC_MESSAGE_SIZE, "libheif returned no RGB plane");
            code = CIC_CORRUPT;
        } else if (!pixels) {
            snprintf(message, CIC_MESSAGE_SIZE, "out of memory for %dx%d pixels", width, height);
            code = CIC_NO_MEMORY;
        } else {
            for (int y = 0; y < height; y++)
                memcpy(pixels + (size_t)y * width * 3, plane + (size_t)y * stride, (size_t)width * 3);
            image->pixels = pixels;
            image->width = width;
            image->height = height;
            image->channels = 3;
        }
    }
    if (decoded) heif_image_release(decoded);
    cic_heif_close(context, handle);
    return code;
}

int cic_heif_exif(const uint8_t *data, size_t size, uint8_t **exif, size_t *exif_size,
                  char message[CIC_MESSAGE_SIZE]) {
    message[0] = 0;
    *exif = NULL;
    *exif_size = 0;
    struct heif_context *context;
    struct heif_image_handle *handle;
    int code = cic_heif_open(data, size, &context, &handle, message);
    heif_item_id id;
    if (code == CIC_OK && heif_image_handle_get_list_of_metadata_block_IDs(handle, "Exif", &id, 1) == 1) {
        size_t length = heif_image_handle_get_metadata_size(handle, id);
        uint8_t *block = length > 0 ? malloc(length) : NULL;
        if (block && heif_image_handle_get_metadata(handle, id, block).code == heif_error_Ok) {
            *exif = block;
            *exif_size = length;
        } else {
            free(block);
        }
    }
    cic_heif_close(context, handle);
    return code;
}

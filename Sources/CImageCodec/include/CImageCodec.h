#ifndef CIMAGECODEC_H
#define CIMAGECODEC_H

#include <stddef.h>
#include <stdint.h>

// Tiny C shim over libjpeg(-turbo), libpng, libwebp and libheif (HEIC, AVIF). Every call returns 0 on success or one of the codes below,
// with a human-readable message in `message` (never exit(), never a longjmp across Swift frames). All format logic
// (sniffing, limits, EXIF, colour conversion) lives in Swift (GlimpseImage).

enum {
    CIC_OK = 0,
    CIC_CORRUPT = 1,      // the codec rejected the data
    CIC_TRUNCATED = 2,    // the data ended early
    CIC_UNSUPPORTED = 3,  // valid but a variant we do not decode (e.g. 12-bit JPEG, animated WebP)
    CIC_NO_MEMORY = 4,
};

#define CIC_MESSAGE_SIZE 200

typedef struct {
    int width;
    int height;
    int components;  // as stored: 1 grey, 3 colour, 4 CMYK/YCCK (JPEG); channels incl. alpha (PNG)
    int bit_depth;   // PNG only
} cic_header;

typedef struct {
    uint8_t *pixels;  // malloc'ed, `width * height * channels` bytes, rows without padding; free with cic_free
    int width;
    int height;
    int channels;     // 3 = RGB, 4 = CMYK as stored (JPEG, Swift converts)
} cic_image;

void cic_free(void *pointer);

int cic_jpeg_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]);
/// Decodes at 1/`scale_denom` size (1, 2, 4 or 8) with libjpeg's default (islow) DCT and fancy upsampling, as PIL.
int cic_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, cic_image *image,
                    char message[CIC_MESSAGE_SIZE]);

int cic_png_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]);
/// Decodes to RGB8 as PIL's convert("RGB"): palette expanded, grey replicated, alpha and tRNS dropped (not
/// composited), 16-bit samples reduced to their high byte, no gamma correction.
int cic_png_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]);

int cic_webp_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]);
int cic_webp_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]);

/// HEIF/HEIC and AVIF (libheif): the header is read from the container's boxes without decoding pixels; width and
/// height are after the container's rotation. Decoding applies irot/imir/clap and drops alpha.
int cic_heif_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]);
int cic_heif_decode(const uint8_t *data, size_t size, cic_image *image, char message[CIC_MESSAGE_SIZE]);
/// The primary image's Exif metadata item as stored (a 4-byte big-endian offset to the TIFF header, then the
/// data), malloc'ed into `*exif` (free with cic_free); `*exif` stays NULL when there is none.
int cic_heif_exif(const uint8_t *data, size_t size, uint8_t **exif, size_t *exif_size,
                  char message[CIC_MESSAGE_SIZE]);

#endif

// JPEG through libjpeg(-turbo) with an error manager that longjmps back here instead of calling exit().
#include "CImageCodec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

// libjpeg's format_message writes up to JMSG_LENGTH_MAX bytes into our message buffer.
_Static_assert(CIC_MESSAGE_SIZE >= JMSG_LENGTH_MAX, "message buffer smaller than libjpeg's messages");

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int saw_eof;      // libjpeg's memory source reached the end of the data and inserted a fake EOI
    int saw_damage;   // a warning that the entropy-coded data is damaged (the pixels would be garbage)
    int too_many_scans;
    char *message;
} cic_jpeg_error;

static void cic_jpeg_error_exit(j_common_ptr cinfo) {
    cic_jpeg_error *error = (cic_jpeg_error *)cinfo->err;
    error->base.format_message(cinfo, error->message);
    longjmp(error->jump, 1);
}

// Warnings (level -1) are recoverable for libjpeg, which keeps decoding (PIL ignores them). We stop on the end of
// data and on damaged entropy-coded data; benign ones (extraneous bytes between segments, odd JFIF versions…) pass.
static void cic_jpeg_emit_message(j_common_ptr cinfo, int level) {
    cic_jpeg_error *error = (cic_jpeg_error *)cinfo->err;
    if (level != -1) return;
    switch (error->base.msg_code) {
    case JWRN_JPEG_EOF:
        error->saw_eof = 1;
        break;
    case JWRN_HIT_MARKER:      // "premature end of data segment"
    case JWRN_HUFF_BAD_CODE:   // "bad Huffman code"
    case JWRN_MUST_RESYNC:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_NOT_SEQUENTIAL:
        if (!error->saw_damage) error->base.format_message(cinfo, error->message);
        error->saw_damage = 1;
        break;
    default:
        break;
    }
}

static void cic_jpeg_silence(j_common_ptr cinfo) { (void)cinfo; }

// A valid progressive JPEG may hold thousands of scans, each a full pass over the image: a CPU bomb for a daemon.
// Real encoders write at most a few dozen (libjpeg-turbo's own tools suggest a limit of 500).
#define CIC_JPEG_MAX_SCANS 500

// Called between chunks of input; a progressive JPEG reads all its scans inside jpeg_start_decompress, so this is
// also where damage is noticed early.
static void cic_jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    cic_jpeg_error *error = (cic_jpeg_error *)cinfo->err;
    if (dinfo->input_scan_number > CIC_JPEG_MAX_SCANS) {
        snprintf(error->message, CIC_MESSAGE_SIZE, "more than %d progressive scans", CIC_JPEG_MAX_SCANS);
        error->too_many_scans = 1;
        longjmp(error->jump, 1);
    }
    if (error->saw_damage) longjmp(error->jump, 1);
}

static void cic_jpeg_prepare(struct jpeg_decompress_struct *cinfo, cic_jpeg_error *error, char *message) {
    memset(cinfo, 0, sizeof(*cinfo));
    cinfo->err = jpeg_std_error(&error->base);
    error->base.error_exit = cic_jpeg_error_exit;
    error->base.emit_message = cic_jpeg_emit_message;
    error->base.output_message = cic_jpeg_silence;
    error->saw_eof = 0;
    error->saw_damage = 0;
    error->too_many_scans = 0;
    error->message = message;
    message[0] = 0;
}

static int cic_jpeg_failure(cic_jpeg_error *error) {
    if (error->saw_eof) {
        snprintf(error->message, CIC_MESSAGE_SIZE, "JPEG data ends early");
        return CIC_TRUNCATED;
    }
    return error->too_many_scans ? CIC_UNSUPPORTED : CIC_CORRUPT;
}

int cic_jpeg_header(const uint8_t *data, size_t size, cic_header *header, char message[CIC_MESSAGE_SIZE]) {
    struct jpeg_decompress_struct cinfo;
    cic_jpeg_error error;
    cic_jpeg_prepare(&cinfo, &error, message);
    if (setjmp(error.jump)) {
        int code = cic_jpeg_failure(&error);
        jpeg_destroy_decompress(&cinfo);
        return code;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    header->width = (int)cinfo.image_width;
    header->height = (int)cinfo.image_height;
    header->components = cinfo.num_components;
    header->bit_depth = cinfo.data_precision;
    int code = error.saw_eof ? cic_jpeg_failure(&error) : CIC_OK;
    jpeg_destroy_decompress(&cinfo);
    return code;
}

int cic_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, cic_image *image,
                    char message[CIC_MESSAGE_SIZE]) {
    struct jpeg_decompress_struct cinfo;
    cic_jpeg_error error;
    // volatile: these change between setjmp and a possible longjmp.
    uint8_t *volatile pixels = NULL;
    cic_jpeg_prepare(&cinfo, &error, message);
    memset(image, 0, sizeof(*image));
    if (setjmp(error.jump)) {
        free(pixels);
        int code = cic_jpeg_failure(&error);
        jpeg_destroy_decompress(&cinfo);
        return code;
    }
    jpeg_create_decompress(&cinfo);
    struct jpeg_progress_mgr progress = {.progress_monitor = cic_jpeg_progress};
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.data_precision != 8) {
        snprintf(message, CIC_MESSAGE_SIZE, "%d-bit JPEG samples are not supported", cinfo.data_precision);
        jpeg_destroy_decompress(&cinfo);
        return CIC_UNSUPPORTED;
    }
    int channels;
    switch (cinfo.num_components) {
    case 1:
    case 3:
        cinfo.out_color_space = JCS_RGB;  // libjpeg-turbo converts grey and YCbCr to RGB itself
        channels = 3;
        break;
    case 4:
        cinfo.out_color_space = JCS_CMYK;  // YCCK is converted to CMYK by libjpeg; CMYK → RGB happens in Swift
        channels = 4;
        break;
    default:
        snprintf(message, CIC_MESSAGE_SIZE, "JPEG with %d colour components is not supported", cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return CIC_UNSUPPORTED;
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)(scale_denom == 2 || scale_denom == 4 || scale_denom == 8 ? scale_denom : 1);
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)channels;
    pixels = malloc(stride * cinfo.output_height);
    if (!pixels) {
        snprintf(message, CIC_MESSAGE_SIZE, "out of memory for %ux%u pixels", cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return CIC_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (error.saw_eof || error.saw_damage) break;
    }
    if (error.saw_eof || error.saw_damage) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return cic_jpeg_failure(&error);
    }
    image->pixels = pixels;
    image->width = (int)cinfo.output_width;
    image->height = (int)cinfo.output_height;
    image->channels = channels;
    // Data after the last scan (or a missing EOI) is not our problem: the image is complete.
    jpeg_abort_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return CIC_OK;
}

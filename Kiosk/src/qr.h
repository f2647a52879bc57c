/* QR codes (libqrencode), as a square of modules. */
#ifndef MK_QR_H
#define MK_QR_H

#include <stdint.h>

typedef struct mk_qr {
  int width;         /* modules per side */
  uint8_t *modules;  /* width * width, 1 = dark */
} mk_qr;

/* Error codes of mk_qr_encode(). */
enum { MK_QR_OK = 0, MK_QR_ERR_ENCODE = -1 /* too long or out of memory */ };

/** Encodes text (8-bit mode, error correction level M). Returns MK_QR_OK or MK_QR_ERR_ENCODE. */
int mk_qr_encode(const char *text, mk_qr *out);

void mk_qr_free(mk_qr *q);

#endif

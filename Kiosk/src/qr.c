#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

int mk_qr_encode(const char *text, mk_qr *out) {
  memset(out, 0, sizeof(*out));
  QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
  if (code == NULL) return MK_QR_ERR_ENCODE;
  size_t n = (size_t)code->width * (size_t)code->width;
  out->modules = malloc(n);
  if (out->modules == NULL) {
    QRcode_free(code);
    return MK_QR_ERR_ENCODE;
  }
  for (size_t i = 0; i < n; i++) out->modules[i] = code->data[i] & 1;
  out->width = code->width;
  QRcode_free(code);
  return MK_QR_OK;
}

void mk_qr_free(mk_qr *q) {
  free(q->modules);
  memset(q, 0, sizeof(*q));
}

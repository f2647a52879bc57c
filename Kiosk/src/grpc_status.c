#include "grpc_status.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {
    "OK",        "CANCELLED",         "UNKNOWN",   "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",         "DATA_LOSS",
    "UNAUTHENTICATED"};

const char *mk_grpc_code_name(int code) {
  if (code < 0 || code > 16) return "UNKNOWN";
  return names[code];
}

int mk_grpc_status_parse(const char *value, size_t len) {
  if (len == 0 || len > 2) return -1;
  int v = 0;
  for (size_t i = 0; i < len; i++) {
    if (value[i] < '0' || value[i] > '9') return -1;
    v = v * 10 + (value[i] - '0');
  }
  if (len == 2 && value[0] == '0') return -1;
  return v <= 16 ? v : -1;
}

int mk_grpc_status_from_http(int http_status) {
  switch (http_status) {
  case 400: return MK_GRPC_INTERNAL;
  case 401: return MK_GRPC_UNAUTHENTICATED;
  case 403: return MK_GRPC_PERMISSION_DENIED;
  case 404: return MK_GRPC_UNIMPLEMENTED;
  case 429:
  case 502:
  case 503:
  case 504: return MK_GRPC_UNAVAILABLE;
  default: return MK_GRPC_UNKNOWN;
  }
}

int mk_grpc_status_from_h2_error(uint32_t h2_error) {
  switch (h2_error) {
  case 0x7: return MK_GRPC_UNAVAILABLE;        /* REFUSED_STREAM: not processed */
  case 0x8: return MK_GRPC_CANCELLED;          /* CANCEL */
  case 0xb: return MK_GRPC_RESOURCE_EXHAUSTED; /* ENHANCE_YOUR_CALM */
  case 0xc: return MK_GRPC_PERMISSION_DENIED;  /* INADEQUATE_SECURITY */
  default: return MK_GRPC_INTERNAL;
  }
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t mk_grpc_message_decode(const char *in, size_t inlen, char *out, size_t outlen) {
  size_t o = 0;
  if (outlen == 0) return 0;
  for (size_t i = 0; i < inlen && o + 1 < outlen; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '%' && i + 2 < inlen && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
      c = (unsigned char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
      i += 2;
    }
    if (c < 0x20 || c == 0x7f) c = ' ';
    out[o++] = (char)c;
  }
  /* Do not end in the middle of a UTF-8 sequence when truncated. */
  if (o + 1 >= outlen) {
    size_t k = o;
    while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80) k--;
    if (k > 0 && ((unsigned char)out[k - 1] & 0x80)) {
      unsigned char lead = (unsigned char)out[k - 1];
      size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (o - (k - 1) < need) o = k - 1;
    }
  }
  out[o] = '\0';
  return o;
}

size_t mk_grpc_timeout_format(int64_t timeout_ms, char *out, size_t outlen) {
  if (timeout_ms < 1) timeout_ms = 1;
  int n;
  if (timeout_ms < 100000000) n = snprintf(out, outlen, "%lldm", (long long)timeout_ms);
  else if (timeout_ms / 1000 < 100000000) n = snprintf(out, outlen, "%lldS", (long long)(timeout_ms / 1000));
  else {
    int64_t minutes = timeout_ms / 60000;
    if (minutes > 99999999) minutes = 99999999;
    n = snprintf(out, outlen, "%lldM", (long long)minutes);
  }
  return n < 0 ? 0 : (size_t)n;
}

int mk_grpc_status_retryable(int code) { return code == MK_GRPC_UNAVAILABLE; }

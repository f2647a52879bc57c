/* gRPC status codes and the pure rules around them: names, HTTP and HTTP/2 error mapping, grpc-message
 * percent-decoding, grpc-timeout formatting, and which codes may be retried. No I/O. */
#ifndef MK_GRPC_STATUS_H
#define MK_GRPC_STATUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum mk_grpc_code {
  MK_GRPC_OK = 0,
  MK_GRPC_CANCELLED = 1,
  MK_GRPC_UNKNOWN = 2,
  MK_GRPC_INVALID_ARGUMENT = 3,
  MK_GRPC_DEADLINE_EXCEEDED = 4,
  MK_GRPC_NOT_FOUND = 5,
  MK_GRPC_ALREADY_EXISTS = 6,
  MK_GRPC_PERMISSION_DENIED = 7,
  MK_GRPC_RESOURCE_EXHAUSTED = 8,
  MK_GRPC_FAILED_PRECONDITION = 9,
  MK_GRPC_ABORTED = 10,
  MK_GRPC_OUT_OF_RANGE = 11,
  MK_GRPC_UNIMPLEMENTED = 12,
  MK_GRPC_INTERNAL = 13,
  MK_GRPC_UNAVAILABLE = 14,
  MK_GRPC_DATA_LOSS = 15,
  MK_GRPC_UNAUTHENTICATED = 16
} mk_grpc_code;

/** "NOT_FOUND" etc.; "UNKNOWN(n)"-style codes outside 0..16 give "UNKNOWN". */
const char *mk_grpc_code_name(int code);

/** Parses a grpc-status header value ("0".."16"); anything else returns -1. */
int mk_grpc_status_parse(const char *value, size_t len);

/** The status for an HTTP response that carries no grpc-status (gRPC's http-grpc-status-mapping.md):
 *  400→INTERNAL, 401→UNAUTHENTICATED, 403→PERMISSION_DENIED, 404→UNIMPLEMENTED,
 *  429/502/503/504→UNAVAILABLE, anything else UNKNOWN. */
int mk_grpc_status_from_http(int http_status);

/** The status for a stream reset with an HTTP/2 error code: REFUSED_STREAM→UNAVAILABLE (safe to retry),
 *  CANCEL→CANCELLED, ENHANCE_YOUR_CALM→RESOURCE_EXHAUSTED, INADEQUATE_SECURITY→PERMISSION_DENIED,
 *  anything else INTERNAL. */
int mk_grpc_status_from_h2_error(uint32_t h2_error);

/** Percent-decodes a grpc-message value into out (NUL-terminated, truncated to outlen-1 bytes).
 *  Invalid escapes are copied as they are. Control characters become spaces so the result is one line.
 *  Returns the length written. */
size_t mk_grpc_message_decode(const char *in, size_t inlen, char *out, size_t outlen);

/** Formats a grpc-timeout value for timeout_ms (at most 8 digits, unit m, S or M). Returns its length. */
size_t mk_grpc_timeout_format(int64_t timeout_ms, char *out, size_t outlen);

/** 1 when a call that failed with code may be sent again (with the same idempotency key): UNAVAILABLE only. */
int mk_grpc_status_retryable(int code);

#endif

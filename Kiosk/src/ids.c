#include "ids.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int mk_ids_random(uint8_t *buf, size_t len) {
  size_t have = 0;
  while (have < len) {
    ssize_t n = getrandom(buf + have, len - have, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    have += (size_t)n;
  }
  return 0;
}

void mk_ids_uuid_format(const uint8_t rnd[16], char out[37]) {
  uint8_t b[16];
  memcpy(b, rnd, 16);
  b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
           b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void mk_ids_tracking_format(const uint8_t rnd[8], char out[9]) {
  static const char alphabet[] = MK_TRACKING_ALPHABET;
  for (int i = 0; i < 8; i++) out[i] = alphabet[rnd[i] & 31];
  out[8] = '\0';
}

int mk_ids_uuid(char out[37]) {
  uint8_t b[16];
  if (mk_ids_random(b, sizeof(b)) != 0) return -1;
  mk_ids_uuid_format(b, out);
  return 0;
}

int mk_ids_tracking_code(char out[9]) {
  uint8_t b[8];
  if (mk_ids_random(b, sizeof(b)) != 0) return -1;
  mk_ids_tracking_format(b, out);
  return 0;
}

int mk_ids_tracking_valid(const char *s) {
  if (strlen(s) != 8) return 0;
  for (int i = 0; i < 8; i++)
    if (strchr(MK_TRACKING_ALPHABET, s[i]) == NULL || s[i] == '\0') return 0;
  return 1;
}

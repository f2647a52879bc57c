/* Identifiers the kiosk mints: idempotency keys and offline ticket ids (UUID v4), tracking codes
 * (8 characters of "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"). The formatting is pure; mk_ids_random() reads the
 * kernel's random source. */
#ifndef MK_IDS_H
#define MK_IDS_H

#include <stddef.h>
#include <stdint.h>

#define MK_TRACKING_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/** Fills buf with len random bytes. Returns 0, or -1 when the kernel gives none. */
int mk_ids_random(uint8_t *buf, size_t len);

/** Formats 16 random bytes as a lowercase version-4 UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"). */
void mk_ids_uuid_format(const uint8_t rnd[16], char out[37]);

/** Formats 8 random bytes as a tracking code (5 bits each: uniform over the 32-letter alphabet). */
void mk_ids_tracking_format(const uint8_t rnd[8], char out[9]);

/** A fresh UUID / tracking code. Return 0, or -1 when no randomness is available. */
int mk_ids_uuid(char out[37]);
int mk_ids_tracking_code(char out[9]);

/** 1 when s is a tracking code of the alphabet (8 characters), else 0. */
int mk_ids_tracking_valid(const char *s);

#endif

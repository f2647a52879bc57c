/* Internal value types shared by the pure modules, the journal and the kiosk. */
#ifndef MK_TYPES_H
#define MK_TYPES_H

#include <stdint.h>

/* A block of numbers leased from the server for one service on one civil day. */
typedef struct mk_lease {
  char lease_id[64];
  char service_id[64];
  char local_date[16];   /* "YYYY-MM-DD", Asia/Ho_Chi_Minh */
  char prefix[8];
  uint32_t first_sequence;
  uint32_t last_sequence;
  uint32_t next_sequence; /* the next to issue; > last_sequence when exhausted */
  int64_t expires_at_s;
  int64_t obtained_at_s;
} mk_lease;

/* A ticket the kiosk issued from a lease, as journalled and replayed. */
typedef struct mk_offline_ticket {
  int64_t id;            /* journal row */
  char idempotency_key[64];
  char lease_id[64];
  uint32_t sequence;
  char number[16];
  char ticket_id[64];
  char tracking_code[16];
  int64_t issued_at_ms;
  char service_id[64];
  int priority;
} mk_offline_ticket;

#endif

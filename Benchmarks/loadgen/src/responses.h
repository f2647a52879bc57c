/* The few response fields the load generator reads, straight from the wire (pbwire.h): the ticket in an
 * IssueTicket, CallNext or Complete answer, and the sequence and time of a WatchBranch message. Pure. */
#ifndef LG_RESPONSES_H
#define LG_RESPONSES_H

#include <stddef.h>
#include <stdint.h>

/* Return codes of the functions below (besides 1 / 0 where stated). */
enum { LG_RESP_ERR_MALFORMED = -1 };

/* Bytes inside the response being read (not NUL-terminated). */
typedef struct lg_bytes {
  const uint8_t *data;
  size_t len;
} lg_bytes;

/* A motcua.v1.Ticket's identifying fields. */
typedef struct lg_ticket_view {
  lg_bytes ticket_id;     /* field 1 */
  lg_bytes number;        /* 2 */
  lg_bytes branch_id;     /* 3 */
  lg_bytes service_id;    /* 4 */
  lg_bytes tracking_code; /* 10 */
} lg_ticket_view;

/** Reads the ticket (field 1) of an IssueTicketResponse, CallNextResponse or CompleteResponse, and `replayed`
 *  (field 2 of an IssueTicketResponse; pass NULL for the others). A ticket counts as present only with a
 *  non-empty ticket_id. Returns 1 (present), 0 (absent: e.g. CallNext found nobody waiting, or the reference
 *  server's fixed payload) or LG_RESP_ERR_MALFORMED. */
int lg_resp_ticket(const uint8_t *msg, size_t len, lg_ticket_view *t, int *replayed);

enum { LG_WATCH_OTHER = 0, LG_WATCH_SNAPSHOT = 1, LG_WATCH_EVENT = 2 };

/* One WatchBranchResponse. */
typedef struct lg_watch_view {
  int payload;       /* LG_WATCH_SNAPSHOT, LG_WATCH_EVENT or LG_WATCH_OTHER (neither) */
  uint64_t sequence; /* the snapshot's last included sequence, or the event's */
  int event_kind;    /* BranchEventKind, events only */
  int has_at;        /* 1 when the time stamp (snapshot.at / event.at) is set */
  int64_t at_us;     /* that time stamp, microseconds since the Unix epoch */
} lg_watch_view;

/** Reads a WatchBranchResponse. Returns 0 or LG_RESP_ERR_MALFORMED. */
int lg_resp_watch(const uint8_t *msg, size_t len, lg_watch_view *w);

/** Copies b into out as a NUL-terminated string (truncated to outlen-1); returns out. */
char *lg_bytes_copy(lg_bytes b, char *out, size_t outlen);

#endif

/* The kiosk's durable journal (SQLite, WAL, synchronous=FULL: every commit is fsync'd before it returns).
 * It holds idempotency keys before their first send, leases, tickets issued offline (replayed in journal
 * order), the last ticket for reprints and a cache of service and branch names for printing offline. */
#ifndef MK_JOURNAL_H
#define MK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "motcua-kiosk.h"
#include "types.h"

typedef struct mk_journal mk_journal;

/* Error codes of the functions below. */
enum {
  MK_JOURNAL_OK = 0,
  MK_JOURNAL_ERR_IO = -1,       /* SQLite failed (see mk_journal_error()) */
  MK_JOURNAL_ERR_NO_LEASE = -2, /* no usable lease: the kiosk must say "please see staff" */
  MK_JOURNAL_ERR_NOT_FOUND = -3,/* no such row */
  MK_JOURNAL_ERR_NOMEM = -4     /* allocation failed */
};

/** Opens (creating and migrating) the journal at path. Returns MK_JOURNAL_OK or MK_JOURNAL_ERR_IO (err says
 *  why). */
int mk_journal_open(const char *path, mk_journal **out, char *err, size_t errlen);

void mk_journal_close(mk_journal *j);

/** The last SQLite error message. */
const char *mk_journal_error(const mk_journal *j);

/** Records an idempotency key (kind "issue" or "lease") before it is first sent. Returns MK_JOURNAL_OK or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_request_add(mk_journal *j, const char *key, const char *kind, const char *service_id,
                           int priority, int64_t now_ms);

/** Records how a request ended: state "done" (result: the number or lease id), "abandoned" (issued offline
 *  instead) or "failed". Returns MK_JOURNAL_OK or MK_JOURNAL_ERR_IO. */
int mk_journal_request_finish(mk_journal *j, const char *key, const char *state, const char *result);

/** Stores a lease the server granted. Returns MK_JOURNAL_OK or MK_JOURNAL_ERR_IO. */
int mk_journal_lease_add(mk_journal *j, const mk_lease *lease);

/** Every lease, oldest first (caller frees *list). Returns MK_JOURNAL_OK, MK_JOURNAL_ERR_IO or
 *  MK_JOURNAL_ERR_NOMEM. */
int mk_journal_lease_list(mk_journal *j, mk_lease **list, size_t *count);

/** Pure: whether a lease may issue now. Returns 1, or 0 with a reason in why ("exhausted", "expired",
 *  "older than the 8 h limit", "for 2026-11-26, not today"). */
int mk_journal_lease_usable(const mk_lease *l, const char *today, int64_t now_s, int max_age_s, char *why,
                            size_t whylen);

/** In one transaction: takes the next sequence of the oldest usable lease of the service and journals the
 *  ticket (t's key, ticket id, tracking code, issue time, service and priority are the caller's; lease id,
 *  sequence and number are filled in). Returns MK_JOURNAL_OK, MK_JOURNAL_ERR_NO_LEASE (why says why) or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_offline_issue(mk_journal *j, mk_offline_ticket *t, const char *today, int max_age_s, char *why,
                             size_t whylen);

/** Offline tickets not yet accepted by the server, in replay (journal) order. Returns MK_JOURNAL_OK,
 *  MK_JOURNAL_ERR_IO or MK_JOURNAL_ERR_NOMEM. */
int mk_journal_unsynced(mk_journal *j, mk_offline_ticket **list, size_t *count);

/** Marks an offline ticket "synced" or "rejected" (error: the server's message). Returns MK_JOURNAL_OK or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_offline_finish(mk_journal *j, int64_t id, const char *state, const char *error, int64_t now_ms);

/** Counts offline tickets pending replay and rejected by the server. Returns MK_JOURNAL_OK or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_counts(mk_journal *j, unsigned *unsynced, unsigned *rejected);

/** Keeps the ticket for mk_kiosk_reprint(). Returns MK_JOURNAL_OK or MK_JOURNAL_ERR_IO. */
int mk_journal_last_put(mk_journal *j, const mk_ticket *t);

/** Returns MK_JOURNAL_OK, MK_JOURNAL_ERR_NOT_FOUND (no ticket yet) or MK_JOURNAL_ERR_IO. */
int mk_journal_last_get(mk_journal *j, mk_ticket *t);

/** Cached service names (for offline tickets). Return MK_JOURNAL_OK, MK_JOURNAL_ERR_NOT_FOUND (get) or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_service_put(mk_journal *j, const char *service_id, const char *name_vi, const char *prefix);
int mk_journal_service_get(mk_journal *j, const char *service_id, char *name_vi, size_t namelen);

/** Small settings (e.g. "branch_name:<id>"). Return MK_JOURNAL_OK, MK_JOURNAL_ERR_NOT_FOUND (get) or
 *  MK_JOURNAL_ERR_IO. */
int mk_journal_meta_put(mk_journal *j, const char *key, const char *value);
int mk_journal_meta_get(mk_journal *j, const char *key, char *value, size_t valuelen);

#endif

/* libmotcua-kiosk — what a kiosk vendor's touch UI calls to issue MotCua queue tickets.
 *
 * One mk_kiosk per process: it owns the offline journal (SQLite) and at most one connection to the server.
 * Every function returns MK_OK (0) or one of the mk_err codes below, and leaves a one-line English message
 * naming the problem in mk_kiosk_error(). No function prints to stdout or stderr.
 *
 * Guarantees: an idempotency key is journalled (fsync'd) before a request is first sent and every retry
 * reuses it; only UNAVAILABLE is retried; a ticket is printed only when the server or the journal holds it.
 */
#ifndef MOTCUA_KIOSK_H
#define MOTCUA_KIOSK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (also the command line's exit codes). */
typedef enum mk_err {
  MK_OK = 0,
  MK_ERR_CONFIG = 1,      /* missing or invalid configuration (server, branch, token, paths, options) */
  MK_ERR_UNAVAILABLE = 2, /* the server cannot be reached */
  MK_ERR_TLS = 3,         /* TLS handshake, certificate or ALPN failure */
  MK_ERR_AUTH = 4,        /* the token was refused (UNAUTHENTICATED or PERMISSION_DENIED) */
  MK_ERR_NOT_FOUND = 5,   /* unknown branch or service (NOT_FOUND) */
  MK_ERR_REJECTED = 6,    /* the server refused the request (INVALID_ARGUMENT, FAILED_PRECONDITION, ...) */
  MK_ERR_PROTOCOL = 7,    /* malformed or truncated response */
  MK_ERR_SEE_STAFF = 8,   /* offline and no usable lease, or a check-in while offline: "please see staff" */
  MK_ERR_JOURNAL = 9,     /* the journal cannot be opened or written */
  MK_ERR_PRINTER = 10,    /* the printer (or preview file) is missing or failed */
  MK_ERR_RENDER = 11,     /* the ticket image could not be made (font, QR code) */
  MK_ERR_NOMEM = 12,      /* out of memory */
  MK_ERR_TIMEOUT = 13,    /* no answer before the deadline */
  MK_ERR_NOTHING = 14     /* nothing to do (reprint before any ticket) */
} mk_err;

/* The contract's priority groups (motcua.v1.Priority). */
typedef enum mk_priority {
  MK_PRIORITY_NONE = 0,
  MK_PRIORITY_ELDERLY = 1,
  MK_PRIORITY_DISABILITY = 2,
  MK_PRIORITY_PREGNANT = 3,
  MK_PRIORITY_CHILD_UNDER_6 = 4,
  MK_PRIORITY_MERITORIOUS_SERVICE = 5
} mk_priority;

#define MK_PATH_MAX 1024

/* Configuration: defaults, then a file, then the environment, then options (mk_config_set). */
typedef struct mk_config {
  char server[256];        /* "HOST:PORT" */
  int tls;                 /* 1: TLS with ALPN h2 */
  char ca_file[MK_PATH_MAX];
  char branch[64];
  char token[512];
  char printer[MK_PATH_MAX]; /* ESC/POS bytes are written here (device or file); "" for none */
  char preview[MK_PATH_MAX]; /* a PNG of the ticket is written here; "" for none */
  char journal[MK_PATH_MAX];
  char tracking_url[512];  /* base of the QR code's link; ticket id and tracking code are appended */
  int paper_mm;            /* 58 or 80 */
  char font[MK_PATH_MAX];
  char font_bold[MK_PATH_MAX];
  int lease_size;          /* numbers per lease, 1-200 */
  int lease_max_age_s;     /* a lease older than this is not issued from */
  int timeout_ms;          /* per call */
  int connect_timeout_ms;
  int retries;             /* extra attempts for UNAVAILABLE, same idempotency key */
  int retry_delay_ms;      /* first back-off; doubles */
} mk_config;

/** Fills cfg with the defaults. */
void mk_config_defaults(mk_config *cfg);

/** Sets one key ("server", "tls", "ca_file", "branch", "token", "printer", "preview", "journal",
 *  "tracking_url", "paper", "font", "font_bold", "lease_size", "lease_max_age", "timeout_ms",
 *  "connect_timeout_ms", "retries", "retry_delay_ms"). Returns MK_OK or MK_ERR_CONFIG (unknown key,
 *  bad value; err says which). */
int mk_config_set(mk_config *cfg, const char *key, const char *value, char *err, size_t errlen);

/** Reads "key = value" lines ('#' comments). Returns MK_OK or MK_ERR_CONFIG (unreadable file, bad line). */
int mk_config_load_file(mk_config *cfg, const char *path, char *err, size_t errlen);

/** Applies MOTCUA_KIOSK_<KEY> variables (e.g. MOTCUA_KIOSK_SERVER). Returns MK_OK or MK_ERR_CONFIG. */
int mk_config_load_env(mk_config *cfg, char *err, size_t errlen);

/** A nearby branch with a much shorter total time (travel + wait), which the server suggests when this branch
 *  is overloaded (IssueTicketResponse.suggestion). The ticket stays valid here either way. */
typedef struct mk_suggestion {
  char branch_id[64];
  char name[256];             /* e.g. "Chi nhánh Ba Đình" */
  char address[256];
  double distance_km;
  uint32_t travel_minutes;
  uint32_t predicted_wait_minutes; /* there, on arrival */
  uint32_t wait_here_minutes;      /* here, for comparison */
} mk_suggestion;

/** A ticket as printed. */
typedef struct mk_ticket {
  char ticket_id[64];
  char number[16];
  char tracking_code[16];
  char branch_id[64];
  char branch_name[256];
  char service_id[64];
  char service_name[256];
  int priority;             /* mk_priority */
  uint32_t people_ahead;
  int has_estimate;         /* 0 offline: no wait printed */
  uint32_t p50_seconds;
  uint32_t p90_seconds;
  int64_t issued_at_ms;     /* Unix time, milliseconds */
  int offline;              /* issued from a lease while the server was unreachable */
  int replayed;             /* the server answered a retry with the ticket an earlier attempt issued */
  int reprint;              /* printed again by mk_kiosk_reprint() */
  char tracking_url[640];   /* what the QR code holds */
  /* A ticket issued by checking a booking in (mk_kiosk_checkin); zero / "" for a walk-in ticket. */
  int64_t appointment_start_ms; /* the booked slot's start, Unix time in milliseconds */
  char booking_code[16];        /* e.g. "K7QX-M2PA" */
  /* Online tickets only: another branch nearby that would be much quicker (printed under the wait). */
  int has_suggestion;
  mk_suggestion suggestion;
} mk_ticket;

/** One procedure of the branch, as ListServices returns it. */
typedef struct mk_service {
  char service_id[64];
  char name_vi[256];
  char name_en[256];
  char prefix[8];
  uint32_t people_waiting;
  uint32_t open_counters;
  uint32_t p50_seconds;
  uint32_t p90_seconds;
} mk_service;

/** Numbers left in the kiosk's leases for one service. */
typedef struct mk_lease_status {
  char service_id[64];
  char lease_id[64];
  char local_date[16];
  char next_number[16];
  char last_number[16];
  uint32_t left;
  int usable;           /* 0: exhausted, expired, too old or not today's */
  char why[64];         /* when unusable */
} mk_lease_status;

typedef struct mk_status {
  int online;
  char connection[300];     /* "online (127.0.0.1:50051, h2c)" or why not */
  size_t lease_count;
  mk_lease_status leases[64];
  unsigned unsynced;        /* offline tickets not yet replayed */
  unsigned rejected;        /* offline tickets the server refused on replay (see staff) */
  char last_ticket[16];
} mk_status;

typedef struct mk_sync_result {
  unsigned replayed;        /* accepted by the server this time */
  unsigned remaining;       /* still to replay */
  unsigned rejected;        /* refused by the server (kept in the journal) */
  unsigned leases_taken;
  char lease_note[256];     /* why no lease could be taken, if so */
} mk_sync_result;

/* One service's queue on the branch's display. */
typedef struct mk_queue {
  char service_id[64];
  char prefix[8];
  uint32_t waiting;
  uint32_t open_counters;
  int has_estimate;     /* the wait a ticket issued now would have (ListServices, refreshed at most 1/s) */
  uint32_t p50_seconds;
  uint32_t p90_seconds;
} mk_queue;

/* What WatchBranch has shown so far; passed to the callback after every message. */
typedef struct mk_branch_view {
  uint64_t sequence;
  int is_snapshot;          /* this update is a snapshot */
  char event[32];           /* "ISSUED", "CALLED", ... ("" for a snapshot) */
  char number[16];          /* the event's ticket number, if any */
  char counter_name[128];
  size_t queue_count;
  mk_queue queues[64];
} mk_branch_view;

/* Return non-zero to stop watching. */
typedef int (*mk_watch_cb)(const mk_branch_view *view, void *user);

typedef struct mk_kiosk mk_kiosk;

/** Opens the journal and prepares (does not yet connect). Returns MK_OK, MK_ERR_CONFIG, MK_ERR_JOURNAL or
 *  MK_ERR_NOMEM; on failure *out is NULL and err holds the reason. */
int mk_kiosk_init(mk_kiosk **out, const mk_config *cfg, char *err, size_t errlen);

/** Closes the connection and the journal. */
void mk_kiosk_free(mk_kiosk *k);

/** The last error's one-line message ("" after success). */
const char *mk_kiosk_error(const mk_kiosk *k);

/** Lists the branch's services (caller frees *list). Returns MK_OK, MK_ERR_CONFIG, MK_ERR_UNAVAILABLE,
 *  MK_ERR_TLS, MK_ERR_NOT_FOUND, MK_ERR_REJECTED, MK_ERR_PROTOCOL, MK_ERR_TIMEOUT or MK_ERR_NOMEM. */
int mk_kiosk_services(mk_kiosk *k, mk_service **list, size_t *count);

/** Issues a ticket and prints it (printer and/or preview, as configured). Online through IssueTicket;
 *  when the server cannot be reached, from the kiosk's lease (journalled before printing, marked offline).
 *  An online ticket may carry the server's suggestion of a quicker branch nearby (out->has_suggestion); an
 *  offline one never does.
 *  Returns MK_OK, MK_ERR_CONFIG, MK_ERR_TLS, MK_ERR_AUTH, MK_ERR_NOT_FOUND, MK_ERR_REJECTED, MK_ERR_PROTOCOL,
 *  MK_ERR_SEE_STAFF, MK_ERR_JOURNAL, MK_ERR_PRINTER (the ticket exists: *out is filled), MK_ERR_RENDER or
 *  MK_ERR_NOMEM. */
int mk_kiosk_issue(mk_kiosk *k, const char *service_id, int priority, mk_ticket *out);

/** Checks a booking in at the kiosk's branch (KioskService.CheckIn, kiosk token) and prints its ticket like
 *  mk_kiosk_issue, with the appointment's time (out->appointment_start_ms, out->booking_code). Online only:
 *  there is no offline check-in. Checking in twice returns the same ticket, so UNAVAILABLE is retried.
 *  Returns MK_OK, MK_ERR_CONFIG (no branch, token or code), MK_ERR_TLS, MK_ERR_AUTH, MK_ERR_NOT_FOUND (unknown
 *  booking code or branch), MK_ERR_REJECTED (FAILED_PRECONDITION: too early — the message says when check-in
 *  opens —, too late — take a walk-in ticket —, booked at another branch — the message names it —, or the
 *  booking is cancelled or already over; INVALID_ARGUMENT: a malformed code), MK_ERR_PROTOCOL, MK_ERR_SEE_STAFF
 *  (the server cannot be reached or did not answer in time: "cannot check in offline: please see staff"),
 *  MK_ERR_JOURNAL, MK_ERR_PRINTER (the ticket exists: *out is filled), MK_ERR_RENDER or MK_ERR_NOMEM. */
int mk_kiosk_checkin(mk_kiosk *k, const char *code, mk_ticket *out);

/** Prints the last ticket again, labelled REPRINT. Returns MK_OK, MK_ERR_NOTHING, MK_ERR_JOURNAL,
 *  MK_ERR_PRINTER or MK_ERR_RENDER. */
int mk_kiosk_reprint(mk_kiosk *k, mk_ticket *out);

/** Prints (and/or previews) a ticket. Returns MK_OK, MK_ERR_CONFIG (nowhere to print), MK_ERR_PRINTER,
 *  MK_ERR_RENDER or MK_ERR_NOMEM. */
int mk_kiosk_print(mk_kiosk *k, const mk_ticket *t);

/** Replays the offline journal now (in issue order, original keys) and tops up the leases. Returns MK_OK,
 *  MK_ERR_UNAVAILABLE, MK_ERR_TLS, MK_ERR_AUTH, MK_ERR_JOURNAL, MK_ERR_PROTOCOL or MK_ERR_TIMEOUT. */
int mk_kiosk_sync(mk_kiosk *k, mk_sync_result *out);

/** Connection state, leases left and journal entries not yet synced (never fails for being offline).
 *  Returns MK_OK or MK_ERR_JOURNAL. */
int mk_kiosk_status(mk_kiosk *k, mk_status *out);

/** Follows DisplayService.WatchBranch for up to duration_ms (0: until cb stops it or the stream ends); the
 *  queues' waits come from ListServices on a second connection, refreshed at most once a second.
 *  Returns MK_OK, MK_ERR_UNAVAILABLE, MK_ERR_TLS, MK_ERR_NOT_FOUND, MK_ERR_PROTOCOL or MK_ERR_NOMEM. */
int mk_kiosk_watch(mk_kiosk *k, mk_watch_cb cb, void *user, int64_t duration_ms);

/** "none", "elderly", "disability", "pregnant", "child-under-6", "meritorious-service" → mk_priority;
 *  -1 when unknown. */
int mk_priority_parse(const char *name);

/** A short English text for an mk_err. */
const char *mk_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif

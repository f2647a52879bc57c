/* The command line: a mode and its options, checked, with defaults filled in. Pure: files named here (token
 * file, counters file, record file) are opened by main.c. */
#ifndef LG_OPTIONS_H
#define LG_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef enum lg_mode { LG_MODE_PREDICT, LG_MODE_ISSUE, LG_MODE_CYCLE, LG_MODE_WATCH } lg_mode;

/* Return codes of lg_options_parse(). */
enum {
  LG_OPT_OK = 0,
  LG_OPT_HELP = 1,       /* --help: print lg_options_usage() and exit 0 */
  LG_OPT_ERR_USAGE = -1, /* a bad option or value; err says which */
  LG_OPT_ERR_NOMEM = -2
};

typedef struct lg_options {
  lg_mode mode;
  const char *mode_name;
  char host[256];
  char port[16];
  const char *target;         /* as given, "host:port" */
  int connections;            /* -c */
  int streams;                /* -m: concurrent calls per connection; watch: most streams per connection */
  uint64_t calls;             /* -n: measured calls (RPCs); 0 with --duration only */
  double duration_s;          /* 0: not given */
  uint64_t warmup;            /* calls left out of the figures */
  int timeout_ms;             /* per unary call, sent as grpc-timeout */
  int connect_timeout_ms;     /* per connection */
  char **branches;            /* predict, issue: round robin; watch: the first */
  size_t n_branches;
  const char *service;        /* predict, issue; counter-cycle with --open: the service to open for */
  const char *token;          /* for every call that needs one, unless the token file names the branch/counter */
  const char *token_file;     /* lines "BRANCH-OR-COUNTER TOKEN" */
  const char *run_id;         /* idempotency keys are "<run_id>-<n>"; NULL: made from the time and pid */
  const char *record;         /* file of issued / completed tickets, or NULL */
  const char *counters;       /* "COUNTER,BRANCH/COUNTER,…" */
  const char *counters_file;  /* lines "BRANCH COUNTER [TOKEN]" */
  int open;                   /* counter-cycle: OpenCounter first */
  int until_empty;            /* counter-cycle: a counter stops when nobody waits */
  int always_complete;        /* counter-cycle: Complete a placeholder when nobody was called */
  const char *placeholder;    /* the ticket id completed then */
  int watchers;               /* watch: streams in all */
  uint64_t events;            /* watch: stop once every stream saw this many events; 0: not given */
} lg_options;

/** Parses argv (argv[1] is the mode). On LG_OPT_ERR_USAGE err holds one line. Free with lg_options_free(). */
int lg_options_parse(lg_options *o, int argc, char **argv, char *err, size_t errlen);

/** Frees the lists lg_options_parse() made. */
void lg_options_free(lg_options *o);

/** The help text. */
const char *lg_options_usage(void);

/** Splits "host:port" or "[v6]:port". Returns 0, or -1 when malformed. */
int lg_split_target(const char *target, char *host, size_t hostlen, char *port, size_t portlen);

#endif

#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

static const char usage[] =
    "usage: motcua-loadgen MODE [options]\n"
    "modes:\n"
    "  predict          KioskService.PredictWait for --branch and --service (no token)\n"
    "  issue            KioskService.IssueTicket, a fresh idempotency key per call, --branches round robin\n"
    "  counter-cycle    per counter: CallNext, then Complete the ticket called; repeat\n"
    "  watch            --watchers DisplayService.WatchBranch streams on --branch; event delivery latency\n"
    "options:\n"
    "  --target HOST:PORT        server (default 127.0.0.1:50051), h2c with prior knowledge\n"
    "  -c, --connections N       TCP connections (default 4)\n"
    "  -m, --streams N           calls in flight per connection (default 8); watch: most streams per\n"
    "                            connection (default 100, the server's cap)\n"
    "  -n, --calls N             measured calls (default 1000 unless --duration or --until-empty)\n"
    "  -D, --duration S          measure for S seconds (with -n too: whichever comes first)\n"
    "  --warmup N                calls first, left out of the figures (default 0)\n"
    "  --timeout-ms N            deadline per unary call, sent as grpc-timeout (default 10000)\n"
    "  --connect-timeout-ms N    (default 3000)\n"
    "  --branch ID, --branches A,B,...   branches (issue: round robin)\n"
    "  --service ID              service (predict, issue; counter-cycle --open: open for it)\n"
    "  --token TOKEN             bearer token (a city-wide manager token works for every branch)\n"
    "  --token-file FILE         lines \"BRANCH-OR-COUNTER TOKEN\"; preferred over --token\n"
    "  --run-id ID               idempotency keys are ID-1, ID-2, ... (default: from the clock and pid)\n"
    "  --record FILE             issue: one line per issued ticket; counter-cycle: per completed ticket\n"
    "  --counters LIST           counter-cycle: COUNTER or BRANCH/COUNTER, comma-separated\n"
    "  --counters-file FILE      counter-cycle: lines \"BRANCH COUNTER [TOKEN]\"\n"
    "  --open                    counter-cycle: OpenCounter every counter first\n"
    "  --until-empty             counter-cycle: a counter stops when CallNext finds nobody waiting\n"
    "  --always-complete         counter-cycle: Complete a placeholder ticket when CallNext called nobody\n"
    "                            (the reference server), so every cycle makes two calls\n"
    "  --placeholder-ticket ID   that placeholder (default 00000000-0000-0000-0000-000000000000)\n"
    "  --watchers N              watch: streams (default 100)\n"
    "  --events K                watch: stop once every stream received K events\n"
    "  -h, --help\n"
    "The last stdout line is \"RESULT key=value ...\" (see README.md). Exit: 0 run done, 1 usage,\n"
    "2 cannot connect, 3 setup refused (OpenCounter) or streams not opened, 4 connections lost, 5 out of memory.\n";

const char *lg_options_usage(void) { return usage; }

int lg_split_target(const char *target, char *host, size_t hostlen, char *port, size_t portlen) {
  if (target == NULL) return -1;
  const char *colon = strrchr(target, ':');
  if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) >= portlen) return -1;
  const char *h = target;
  size_t hl = (size_t)(colon - target);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  } else if (memchr(h, ':', hl)) {
    return -1; /* a bare IPv6 address needs brackets */
  }
  if (hl == 0 || hl >= hostlen) return -1;
  for (const char *p = colon + 1; *p; p++)
    if (*p < '0' || *p > '9') return -1;
  long v = strtol(colon + 1, NULL, 10);
  if (v < 1 || v > 65535) return -1;
  memcpy(host, h, hl);
  host[hl] = '\0';
  snprintf(port, portlen, "%s", colon + 1);
  return 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  if (s == NULL || *s < '0' || *s > '9') return -1;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end != '\0' || v < min || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_int(const char *s, int min, int max, int *out) {
  uint64_t v;
  if (min < 0 || parse_u64(s, (uint64_t)min, (uint64_t)max, &v) != 0) return -1;
  *out = (int)v;
  return 0;
}

enum {
  OPT_TARGET = 256,
  OPT_WARMUP,
  OPT_TIMEOUT,
  OPT_CONNECT_TIMEOUT,
  OPT_BRANCH,
  OPT_BRANCHES,
  OPT_SERVICE,
  OPT_TOKEN,
  OPT_TOKEN_FILE,
  OPT_RUN_ID,
  OPT_RECORD,
  OPT_COUNTERS,
  OPT_COUNTERS_FILE,
  OPT_OPEN,
  OPT_UNTIL_EMPTY,
  OPT_ALWAYS_COMPLETE,
  OPT_PLACEHOLDER,
  OPT_WATCHERS,
  OPT_EVENTS
};

static const struct option longopts[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"connections", required_argument, NULL, 'c'},
    {"streams", required_argument, NULL, 'm'},
    {"calls", required_argument, NULL, 'n'},
    {"duration", required_argument, NULL, 'D'},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"timeout-ms", required_argument, NULL, OPT_TIMEOUT},
    {"connect-timeout-ms", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"branch", required_argument, NULL, OPT_BRANCH},
    {"branches", required_argument, NULL, OPT_BRANCHES},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"run-id", required_argument, NULL, OPT_RUN_ID},
    {"record", required_argument, NULL, OPT_RECORD},
    {"counters", required_argument, NULL, OPT_COUNTERS},
    {"counters-file", required_argument, NULL, OPT_COUNTERS_FILE},
    {"open", no_argument, NULL, OPT_OPEN},
    {"until-empty", no_argument, NULL, OPT_UNTIL_EMPTY},
    {"always-complete", no_argument, NULL, OPT_ALWAYS_COMPLETE},
    {"placeholder-ticket", required_argument, NULL, OPT_PLACEHOLDER},
    {"watchers", required_argument, NULL, OPT_WATCHERS},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad(char *err, size_t errlen, const char *what, const char *value) {
  snprintf(err, errlen, "%s%s%s%s", what, value ? " \"" : "", value ? value : "", value ? "\"" : "");
  return LG_OPT_ERR_USAGE;
}

static int check(lg_options *o, int streams_given, char *err, size_t errlen) {
  if (lg_split_target(o->target, o->host, sizeof(o->host), o->port, sizeof(o->port)) != 0)
    return bad(err, errlen, "--target must be HOST:PORT, not", o->target);
  int drains = o->mode == LG_MODE_CYCLE && o->until_empty; /* ends by itself */
  if (o->calls == 0 && o->duration_s == 0 && o->mode != LG_MODE_WATCH && !drains) o->calls = 1000;
  if (!streams_given) o->streams = o->mode == LG_MODE_WATCH ? 100 : 8;
  if (o->run_id && (strlen(o->run_id) == 0 || strlen(o->run_id) > 80))
    return bad(err, errlen, "--run-id must have 1 to 80 characters", NULL);
  switch (o->mode) {
  case LG_MODE_PREDICT:
  case LG_MODE_ISSUE:
    if (o->n_branches == 0 || o->service == NULL)
      return bad(err, errlen, o->mode == LG_MODE_ISSUE ? "issue needs --branches and --service"
                                                       : "predict needs --branch and --service",
                 NULL);
    break;
  case LG_MODE_CYCLE:
    if (o->counters == NULL && o->counters_file == NULL)
      return bad(err, errlen, "counter-cycle needs --counters or --counters-file", NULL);
    if (o->until_empty && o->always_complete)
      return bad(err, errlen, "--until-empty and --always-complete exclude each other", NULL);
    break;
  case LG_MODE_WATCH:
    if (o->n_branches != 1) return bad(err, errlen, "watch needs one --branch", NULL);
    if (o->duration_s == 0 && o->events == 0) return bad(err, errlen, "watch needs --duration or --events", NULL);
    break;
  }
  return LG_OPT_OK;
}

static int set_branches(lg_options *o, const char *list, char *err, size_t errlen) {
  lg_list_free(o->branches, o->n_branches);
  o->branches = NULL;
  o->n_branches = 0;
  int rc = lg_list_split(list, &o->branches, &o->n_branches);
  if (rc == LG_LIST_ERR_NOMEM) return LG_OPT_ERR_NOMEM;
  if (rc != LG_LIST_OK) return bad(err, errlen, "bad branch list", list);
  return LG_OPT_OK;
}

int lg_options_parse(lg_options *o, int argc, char **argv, char *err, size_t errlen) {
  memset(o, 0, sizeof(*o));
  o->target = "127.0.0.1:50051";
  o->connections = 4;
  o->timeout_ms = 10000;
  o->connect_timeout_ms = 3000;
  o->placeholder = "00000000-0000-0000-0000-000000000000";
  o->watchers = 100;
  if (argc < 2) return bad(err, errlen, "a mode is required: predict, issue, counter-cycle or watch", NULL);
  const char *mode = argv[1];
  if (!strcmp(mode, "-h") || !strcmp(mode, "--help")) return LG_OPT_HELP;
  if (!strcmp(mode, "predict")) o->mode = LG_MODE_PREDICT;
  else if (!strcmp(mode, "issue")) o->mode = LG_MODE_ISSUE;
  else if (!strcmp(mode, "counter-cycle")) o->mode = LG_MODE_CYCLE;
  else if (!strcmp(mode, "watch")) o->mode = LG_MODE_WATCH;
  else return bad(err, errlen, "unknown mode", mode);
  o->mode_name = mode;

  int streams_given = 0, c, rc;
  uint64_t v;
  optind = 2;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":c:m:n:D:h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_TARGET: o->target = optarg; break;
    case 'c':
      if (parse_int(optarg, 1, 10000, &o->connections))
        return bad(err, errlen, "--connections: 1 to 10000, not", optarg);
      break;
    case 'm':
      if (parse_int(optarg, 1, 10000, &o->streams)) return bad(err, errlen, "--streams: 1 to 10000, not", optarg);
      streams_given = 1;
      break;
    case 'n':
      if (parse_u64(optarg, 1, UINT64_MAX / 2, &o->calls))
        return bad(err, errlen, "--calls: a positive number, not", optarg);
      break;
    case 'D': {
      char *end;
      o->duration_s = strtod(optarg, &end);
      if (*end != '\0' || !(o->duration_s > 0) || o->duration_s > 1e6)
        return bad(err, errlen, "--duration: positive seconds, not", optarg);
      break;
    }
    case OPT_WARMUP:
      if (parse_u64(optarg, 0, UINT64_MAX / 2, &o->warmup)) return bad(err, errlen, "--warmup: a number, not", optarg);
      break;
    case OPT_TIMEOUT:
      if (parse_int(optarg, 1, 3600000, &o->timeout_ms))
        return bad(err, errlen, "--timeout-ms: 1 to 3600000, not", optarg);
      break;
    case OPT_CONNECT_TIMEOUT:
      if (parse_int(optarg, 1, 600000, &o->connect_timeout_ms))
        return bad(err, errlen, "--connect-timeout-ms: 1 to 600000, not", optarg);
      break;
    case OPT_BRANCH:
    case OPT_BRANCHES:
      if ((rc = set_branches(o, optarg, err, errlen)) != LG_OPT_OK) return rc;
      break;
    case OPT_SERVICE: o->service = optarg; break;
    case OPT_TOKEN: o->token = optarg; break;
    case OPT_TOKEN_FILE: o->token_file = optarg; break;
    case OPT_RUN_ID: o->run_id = optarg; break;
    case OPT_RECORD: o->record = optarg; break;
    case OPT_COUNTERS: o->counters = optarg; break;
    case OPT_COUNTERS_FILE: o->counters_file = optarg; break;
    case OPT_OPEN: o->open = 1; break;
    case OPT_UNTIL_EMPTY: o->until_empty = 1; break;
    case OPT_ALWAYS_COMPLETE: o->always_complete = 1; break;
    case OPT_PLACEHOLDER: o->placeholder = optarg; break;
    case OPT_WATCHERS:
      if (parse_int(optarg, 1, 1000000, &o->watchers)) return bad(err, errlen, "--watchers: 1 to 1000000, not", optarg);
      break;
    case OPT_EVENTS:
      if (parse_u64(optarg, 1, UINT64_MAX / 2, &v)) return bad(err, errlen, "--events: a positive number, not", optarg);
      o->events = v;
      break;
    case 'h': return LG_OPT_HELP;
    case ':': return bad(err, errlen, "option needs a value:", argv[optind - 1]);
    default: return bad(err, errlen, "unknown option", argv[optind - 1]);
    }
  }
  if (optind < argc) return bad(err, errlen, "unexpected argument", argv[optind]);
  return check(o, streams_given, err, errlen);
}

void lg_options_free(lg_options *o) {
  lg_list_free(o->branches, o->n_branches);
  o->branches = NULL;
  o->n_branches = 0;
}

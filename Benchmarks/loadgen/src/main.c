/* motcua-loadgen: a gRPC load generator for MotCua's performance benchmark (issue 10). main only reads the
 * options and files, connects, runs the mode's driver(s) on the loop and prints the report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lists.h"
#include "loop.h"
#include "modes.h"
#include "options.h"
#include "report.h"

enum { EXIT_RUN_OK = 0, EXIT_USAGE = 1, EXIT_CONNECT = 2, EXIT_SETUP = 3, EXIT_LOST = 4, EXIT_NOMEM = 5 };

static int fail(int code, const char *what) {
  fprintf(stderr, "motcua-loadgen: %s\n", what);
  return code;
}

static double cpu_seconds(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

typedef struct run {
  lg_options o;
  lg_tokens tokens;
  lg_counters counters;
  FILE *record;
  char run_id[96];
  size_t connections, slots;
  lg_unary *unary;
  lg_cycle *cycle;
  lg_watch *watch;
  lg_loop *loop;
} run;

static void run_free(run *r) {
  lg_loop_free(r->loop);
  lg_unary_free(r->unary);
  lg_cycle_free(r->cycle);
  lg_watch_free(r->watch);
  if (r->record) fclose(r->record);
  lg_counters_free(&r->counters);
  lg_tokens_free(&r->tokens);
  lg_options_free(&r->o);
}

/* Files, counters, the run id and the mode's driver. Returns an exit code, EXIT_RUN_OK to go on. */
static int prepare(run *r, char *err, size_t errlen) {
  const lg_options *o = &r->o;
  int rc;
  if (o->token_file && (rc = lg_tokens_load(&r->tokens, o->token_file, err, errlen)) != LG_LIST_OK)
    return rc == LG_LIST_ERR_NOMEM ? EXIT_NOMEM : EXIT_USAGE;
  if (o->mode == LG_MODE_CYCLE) {
    if (o->counters && (rc = lg_counters_add_spec(&r->counters, o->counters, err, errlen)) != LG_LIST_OK)
      return rc == LG_LIST_ERR_NOMEM ? EXIT_NOMEM : EXIT_USAGE;
    if (o->counters_file && (rc = lg_counters_load(&r->counters, o->counters_file, err, errlen)) != LG_LIST_OK)
      return rc == LG_LIST_ERR_NOMEM ? EXIT_NOMEM : EXIT_USAGE;
  }
  if (o->record && (r->record = fopen(o->record, "w")) == NULL) {
    snprintf(err, errlen, "cannot write %s: %s", o->record, strerror(errno));
    return EXIT_USAGE;
  }
  if (o->run_id) snprintf(r->run_id, sizeof(r->run_id), "%s", o->run_id);
  else snprintf(r->run_id, sizeof(r->run_id), "lg-%" PRIx64 "-%ld", (uint64_t)lg_realtime_us(), (long)getpid());

  r->connections = (size_t)o->connections;
  switch (o->mode) {
  case LG_MODE_PREDICT:
  case LG_MODE_ISSUE:
    r->slots = r->connections * (size_t)o->streams;
    rc = lg_unary_new(&r->unary, o, &r->tokens, r->run_id, r->record, r->slots, err, errlen);
    break;
  case LG_MODE_CYCLE:
    r->slots = r->counters.n; /* one slot per counter */
    if (r->connections > r->slots) r->connections = r->slots ? r->slots : 1;
    rc = lg_cycle_new(&r->cycle, o, &r->tokens, &r->counters, r->record, err, errlen);
    break;
  case LG_MODE_WATCH:
  default:
    r->slots = (size_t)o->watchers; /* at least ceil(N / streams-per-connection) connections */
    if (r->connections < (r->slots + (size_t)o->streams - 1) / (size_t)o->streams)
      r->connections = (r->slots + (size_t)o->streams - 1) / (size_t)o->streams;
    rc = lg_watch_new(&r->watch, o, err, errlen);
    break;
  }
  if (rc == LG_MODE_ERR_NOMEM) return EXIT_NOMEM;
  return rc == LG_MODE_OK ? EXIT_RUN_OK : EXIT_USAGE;
}

static void describe(const run *r) {
  const lg_options *o = &r->o;
  printf("motcua-loadgen %s against %s: %zu connections, %zu slots", o->mode_name, o->target, r->connections,
         r->slots);
  if (o->mode != LG_MODE_WATCH) {
    if (o->calls) printf(", %" PRIu64 " calls", o->calls);
    if (o->duration_s > 0) printf(", %.1f s", o->duration_s);
    if (o->warmup) printf(" after %" PRIu64 " warm-up calls", o->warmup);
  } else {
    if (o->events) printf(", until every stream has %" PRIu64 " events", o->events);
    if (o->duration_s > 0) printf(", at most %.1f s", o->duration_s);
  }
  if (o->mode == LG_MODE_ISSUE) printf(", keys %s-<n>", r->run_id);
  printf("\n");
  fflush(stdout);
}

/* watch: the server's sequence just after the run, from one more stream on a connection of its own (the
 * watchers' connections may still carry a backlog of events). Unknown if that fails. */
static void probe(run *r, int *nomem) {
  char err[512] = "";
  lg_loop *loop;
  int rc = lg_loop_open(&loop, r->o.host, r->o.port, 1, 1, r->o.connect_timeout_ms, err, sizeof(err));
  if (rc == LG_LOOP_ERR_NOMEM) *nomem = 1;
  if (rc != LG_LOOP_OK) return;
  lg_driver d = lg_watch_probe_driver(r->watch);
  if (lg_loop_run(loop, &d, err, sizeof(err)) == LG_LOOP_ERR_NOMEM) *nomem = 1;
  lg_loop_free(loop);
}

static int execute(run *r) {
  char err[512] = "";
  lg_driver d;
  int rc, code = EXIT_RUN_OK;
  if (r->cycle && r->o.open) {
    d = lg_cycle_open_driver(r->cycle);
    rc = lg_loop_run(r->loop, &d, err, sizeof(err));
    if (rc == LG_LOOP_INTERRUPTED) return fail(EXIT_SETUP, "interrupted while opening the counters");
    if (rc != LG_LOOP_OK) return fail(rc == LG_LOOP_ERR_NOMEM ? EXIT_NOMEM : EXIT_LOST, err);
    if (lg_cycle_open_result(r->cycle, err, sizeof(err)) != 0) return fail(EXIT_SETUP, err);
    printf("opened %zu counters\n", r->counters.n);
  }
  d = r->unary ? lg_unary_driver(r->unary) : r->cycle ? lg_cycle_driver(r->cycle) : lg_watch_driver(r->watch);
  err[0] = '\0';
  rc = lg_loop_run(r->loop, &d, err, sizeof(err));
  int nomem = rc == LG_LOOP_ERR_NOMEM || (r->unary && lg_unary_nomem(r->unary)) ||
              (r->cycle && lg_cycle_nomem(r->cycle)) || (r->watch && lg_watch_nomem(r->watch));
  if (rc == LG_LOOP_INTERRUPTED) printf("(stopped by a signal)\n");
  if (r->watch && rc == LG_LOOP_OK) probe(r, &nomem);
  size_t lost = r->connections - lg_loop_live_connections(r->loop);
  if (lost && rc != LG_LOOP_ERR_LOST)
    fprintf(stderr, "motcua-loadgen: warning: %zu of %zu connections lost: %s\n", lost, r->connections, err);
  if (r->unary) lg_unary_report(r->unary, stdout, r->connections, r->slots);
  else if (r->cycle) lg_cycle_report(r->cycle, stdout, r->connections, r->slots);
  else lg_watch_report(r->watch, stdout, r->connections, r->slots);
  lg_report_end(stdout, cpu_seconds());
  if (r->record && fflush(r->record) != 0) code = fail(EXIT_USAGE, "cannot write the record file");
  if (rc == LG_LOOP_ERR_LOST) {
    char what[600];
    snprintf(what, sizeof(what), "every connection was lost: %s", err);
    code = fail(EXIT_LOST, what);
  } else if (rc == LG_LOOP_ERR_SYSTEM) {
    code = fail(EXIT_LOST, err);
  }
  if (r->watch && lg_watch_open_result(r->watch, err, sizeof(err)) != 0) code = fail(EXIT_SETUP, err);
  if (nomem) code = fail(EXIT_NOMEM, "out of memory: the figures are incomplete");
  return code;
}

int main(int argc, char **argv) {
  run r;
  memset(&r, 0, sizeof(r));
  char err[512] = "";
  int rc = lg_options_parse(&r.o, argc, argv, err, sizeof(err));
  if (rc == LG_OPT_HELP) {
    fputs(lg_options_usage(), stdout);
    lg_options_free(&r.o);
    return EXIT_RUN_OK;
  }
  if (rc != LG_OPT_OK) {
    fprintf(stderr, "motcua-loadgen: %s\n", rc == LG_OPT_ERR_NOMEM ? "out of memory" : err);
    if (rc == LG_OPT_ERR_USAGE) fprintf(stderr, "run motcua-loadgen --help for the options\n");
    lg_options_free(&r.o);
    return rc == LG_OPT_ERR_NOMEM ? EXIT_NOMEM : EXIT_USAGE;
  }
  int code = prepare(&r, err, sizeof(err));
  if (code != EXIT_RUN_OK) {
    fail(code, code == EXIT_NOMEM ? "out of memory" : err);
    run_free(&r);
    return code;
  }
  lg_loop_catch_signals();
  rc = lg_loop_open(&r.loop, r.o.host, r.o.port, r.connections, r.slots, r.o.connect_timeout_ms, err, sizeof(err));
  if (rc != LG_LOOP_OK) {
    code = fail(rc == LG_LOOP_ERR_NOMEM ? EXIT_NOMEM : EXIT_CONNECT, err);
    run_free(&r);
    return code;
  }
  describe(&r);
  code = execute(&r);
  run_free(&r);
  return code;
}

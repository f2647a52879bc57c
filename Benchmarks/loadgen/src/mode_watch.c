/* watch: N WatchBranch streams on one branch. Each stream gets a snapshot (its starting sequence), then every
 * event; for each event the delivery latency is the local receive time minus the event's own time stamp
 * (BranchEvent.at, set by the server when it applied the command), both CLOCK_REALTIME on this machine.
 * Sequences are gapless per branch, so a stream that skips one, or ends behind the others, missed events.
 * After the run one more stream (the probe) reads a fresh snapshot: its sequence is where the server was, so
 * the events it had made that no stream received before the stop are the fan-out's backlog. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "modes.h"
#include "report.h"
#include "requests.h"
#include "responses.h"
#include "stats.h"

typedef struct watch_stream {
  struct lg_watch *w;
  int started, opened, ended;
  uint64_t first_seq; /* the snapshot's sequence */
  uint64_t last_seq;
  uint64_t events, gaps, repeats;
} watch_stream;

struct lg_watch {
  const lg_options *o;
  size_t n;
  watch_stream *streams;
  uint8_t msg[LG_REQ_MAX];
  size_t msg_len;
  size_t settled; /* streams opened or ended */
  size_t done;    /* streams that reached --events, or ended */
  int begun, ready, open_failed;
  int64_t start_us, ready_us, stop_us, end_us;
  uint64_t ready_seq;
  lg_stats latency; /* delivery, µs */
  lg_stats ends;    /* how streams ended before the run stopped */
  uint64_t events, malformed, early;
  int nomem;
  int probe_sent, probe_done;
  int64_t probe_start_us;
  uint64_t server_seq; /* the probe's snapshot sequence; valid when probe_done */
};

int lg_watch_new(lg_watch **out, const lg_options *o, char *err, size_t errlen) {
  *out = NULL;
  lg_watch *w = calloc(1, sizeof(*w));
  if (w == NULL) return LG_MODE_ERR_NOMEM;
  w->o = o;
  w->n = (size_t)o->watchers;
  lg_stats_init(&w->latency);
  lg_stats_init(&w->ends);
  w->streams = calloc(w->n, sizeof(*w->streams));
  if (w->streams == NULL) {
    lg_watch_free(w);
    return LG_MODE_ERR_NOMEM;
  }
  for (size_t i = 0; i < w->n; i++) w->streams[i].w = w;
  if (lg_req_watch(o->branches[0], 0, w->msg, sizeof(w->msg), &w->msg_len) != LG_REQ_OK) {
    snprintf(err, errlen, "branch id too long");
    lg_watch_free(w);
    return LG_MODE_ERR_CONFIG;
  }
  *out = w;
  return LG_MODE_OK;
}

void lg_watch_free(lg_watch *w) {
  if (w == NULL) return;
  free(w->streams);
  lg_stats_free(&w->latency);
  lg_stats_free(&w->ends);
  free(w);
}

int lg_watch_nomem(const lg_watch *w) { return w->nomem; }

static int on_message(const uint8_t *msg, size_t len, void *user) {
  watch_stream *s = user;
  lg_watch *w = s->w;
  int64_t now = lg_realtime_us();
  lg_watch_view v;
  if (lg_resp_watch(msg, len, &v) != 0) {
    w->malformed++;
    return 0;
  }
  if (!s->opened) {
    s->opened = 1;
    s->first_seq = s->last_seq = v.payload == LG_WATCH_EVENT && v.sequence > 0 ? v.sequence - 1 : v.sequence;
    w->settled++;
  }
  if (v.payload != LG_WATCH_EVENT) return 0;
  if (v.has_at) {
    if (now < v.at_us) w->early++;
    if (lg_stats_add_latency(&w->latency, now - v.at_us) != LG_STATS_OK) w->nomem = 1;
  }
  if (v.sequence <= s->last_seq) {
    s->repeats++;
  } else {
    s->gaps += v.sequence - s->last_seq - 1;
    s->last_seq = v.sequence;
  }
  s->events++;
  w->events++;
  if (w->o->events && s->events == w->o->events) w->done++;
  return 0;
}

static int watch_next(void *self, size_t slot, int64_t now, mk_h2_request *req) {
  lg_watch *w = self;
  watch_stream *s = &w->streams[slot];
  if (!w->begun) {
    w->begun = 1;
    w->start_us = now;
  }
  if (s->started) return 0;
  s->started = 1;
  req->path = LG_PATH_WATCH;
  req->message = w->msg;
  req->message_len = w->msg_len;
  req->on_message = on_message;
  req->user = s;
  return 1;
}

static void watch_done(void *self, size_t slot, const lg_call_result *r) {
  lg_watch *w = self;
  watch_stream *s = &w->streams[slot];
  if (r->how == LG_END_STOPPED) return;
  s->ended = 1;
  if (!s->opened) w->settled++;
  if (!w->o->events || s->events < w->o->events) w->done++;
  if (r->how == LG_END_TRANSPORT) lg_stats_add_transport(&w->ends);
  else if (lg_stats_add(&w->ends, r->status->code, -1) != LG_STATS_OK) w->nomem = 1;
}

static int watch_poll(void *self, int64_t now) {
  lg_watch *w = self;
  if (!w->begun) return 0;
  if (!w->ready) {
    if (w->settled < w->n) {
      if (now - w->start_us <= (int64_t)w->o->timeout_ms * 1000) return 0;
      w->open_failed = 1;
      w->stop_us = now;
      return 1;
    }
    w->ready = 1;
    w->ready_us = now;
    if (w->o->duration_s > 0) w->end_us = now + (int64_t)(w->o->duration_s * 1e6);
    uint64_t seq = 0;
    for (size_t i = 0; i < w->n; i++)
      if (w->streams[i].opened && w->streams[i].first_seq > seq) seq = w->streams[i].first_seq;
    w->ready_seq = seq;
    printf("READY streams=%zu sequence=%" PRIu64 "\n", w->n, seq);
    fflush(stdout);
  }
  if ((w->o->events && w->done >= w->n) || (w->end_us && now >= w->end_us)) {
    w->stop_us = now;
    return 1;
  }
  return 0;
}

lg_driver lg_watch_driver(lg_watch *w) { return (lg_driver){w, watch_next, watch_done, watch_poll}; }

/* ---- the probe: one more stream, for the server's sequence after the run ---- */

static int probe_message(const uint8_t *msg, size_t len, void *user) {
  lg_watch *w = user;
  lg_watch_view v;
  if (lg_resp_watch(msg, len, &v) == 0 && v.payload == LG_WATCH_SNAPSHOT) {
    w->server_seq = v.sequence;
    w->probe_done = 1;
  }
  return 0;
}

static int probe_next(void *self, size_t slot, int64_t now, mk_h2_request *req) {
  lg_watch *w = self;
  if (slot != 0 || w->probe_sent) return 0;
  w->probe_sent = 1;
  w->probe_start_us = now;
  req->path = LG_PATH_WATCH;
  req->message = w->msg;
  req->message_len = w->msg_len;
  req->on_message = probe_message;
  req->user = w;
  return 1;
}

static void probe_done(void *self, size_t slot, const lg_call_result *r) {
  (void)self;
  (void)slot;
  (void)r; /* ended before its snapshot: the sequence stays unknown */
}

static int probe_poll(void *self, int64_t now) {
  lg_watch *w = self;
  return w->probe_done || (w->probe_sent && now - w->probe_start_us > (int64_t)w->o->timeout_ms * 1000);
}

lg_driver lg_watch_probe_driver(lg_watch *w) { return (lg_driver){w, probe_next, probe_done, probe_poll}; }

int lg_watch_open_result(const lg_watch *w, char *err, size_t errlen) {
  if (!w->open_failed) return 0;
  size_t opened = 0;
  for (size_t i = 0; i < w->n; i++) opened += w->streams[i].opened;
  snprintf(err, errlen, "only %zu of %zu streams received their snapshot within %d ms", opened, w->n,
           w->o->timeout_ms);
  return -1;
}

void lg_watch_report(lg_watch *w, FILE *f, size_t connections, size_t slots) {
  uint64_t last = 0, first = 0, min_events = UINT64_MAX, max_events = 0, missed = 0;
  size_t opened = 0, missing = 0, ended = 0;
  for (size_t i = 0; i < w->n; i++) {
    const watch_stream *s = &w->streams[i];
    if (!s->opened) continue;
    opened++;
    if (s->last_seq > last) last = s->last_seq;
    if (s->first_seq > first) first = s->first_seq;
  }
  for (size_t i = 0; i < w->n; i++) {
    const watch_stream *s = &w->streams[i];
    ended += s->ended;
    if (s->events < min_events) min_events = s->events;
    if (s->events > max_events) max_events = s->events;
    uint64_t m = s->opened ? s->gaps + (last - s->last_seq) : 0;
    missed += m;
    missing += m > 0 || !s->opened || s->ended;
  }
  if (w->n == 0) min_events = 0;
  int64_t stop = w->stop_us ? w->stop_us : lg_now_us();
  double seconds = w->ready ? (double)(stop - w->ready_us) / 1e6 : 0;
  fprintf(f, "WatchBranch %s: %zu streams over %zu connections, %zu opened, %zu ended early\n", w->o->branches[0],
          w->n, connections, opened, ended);
  fprintf(f, "  events: %" PRIu64 " received (%" PRIu64 "–%" PRIu64 " per stream), sequences %" PRIu64 "–%" PRIu64
             " after the last snapshot; %" PRIu64 " missed, %zu streams missing some; %.3f s\n",
          w->events, min_events, max_events, first, last, missed, missing, seconds);
  fprintf(f, "  delivery latency (ms): p50 %.3f  p99 %.3f  max %.3f  (%zu events; %" PRIu64
             " stamped after they arrived)\n",
          lg_ms(lg_stats_percentile_us(&w->latency, 50)), lg_ms(lg_stats_percentile_us(&w->latency, 99)),
          lg_ms(lg_stats_max_us(&w->latency)), w->latency.n, w->early);
  if (w->probe_done)
    fprintf(f, "  the server's sequence after the stop: %" PRIu64 " (%" PRIu64 " events made but not yet received)\n",
            w->server_seq, w->server_seq > last ? w->server_seq - last : 0);
  if (lg_stats_calls(&w->ends)) lg_report_calls(f, "  streams ended by the server", &w->ends, 0);
  lg_report_begin(f, w->o, connections, slots);
  fprintf(f,
          " streams=%zu opened=%zu ended=%zu events=%" PRIu64 " events_per_stream_min=%" PRIu64
          " events_per_stream_max=%" PRIu64 " first_sequence=%" PRIu64 " last_sequence=%" PRIu64
          " missed_events=%" PRIu64 " streams_missing=%zu seconds=%.6f",
          w->n, opened, ended, w->events, min_events, max_events, first, last, missed, missing, seconds);
  if (w->probe_done)
    fprintf(f, " server_sequence=%" PRIu64 " events_behind=%" PRIu64, w->server_seq,
            w->server_seq > last ? w->server_seq - last : 0);
  else
    fprintf(f, " server_sequence=unknown events_behind=unknown");
  fprintf(f, " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f malformed=%" PRIu64,
          lg_ms(lg_stats_percentile_us(&w->latency, 50)), lg_ms(lg_stats_percentile_us(&w->latency, 90)),
          lg_ms(lg_stats_percentile_us(&w->latency, 99)), lg_ms(lg_stats_max_us(&w->latency)),
          lg_ms(lg_stats_mean_us(&w->latency)), w->malformed);
  for (int code = 0; code < LG_CODES; code++) fprintf(f, " status_%d=%" PRIu64, code, w->ends.by_code[code]);
  fprintf(f, " transport=%" PRIu64, w->ends.transport);
}

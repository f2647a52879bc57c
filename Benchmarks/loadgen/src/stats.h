/* What a run measured: calls counted by gRPC status code, transport failures apart, and the latency of every
 * answered call in microseconds (percentiles by nearest rank from the sorted array); and the measurement window
 * that leaves the warm-up calls out. Pure: times are passed in. */
#ifndef LG_STATS_H
#define LG_STATS_H

#include <stddef.h>
#include <stdint.h>

#define LG_CODES 17 /* gRPC status codes 0..16 */

/* Return codes. */
enum { LG_STATS_OK = 0, LG_STATS_ERR_NOMEM = -1 };

typedef struct lg_stats {
  uint64_t by_code[LG_CODES]; /* calls ended with each status (answered by the server or a local deadline) */
  uint64_t transport;         /* calls lost with their connection (no status) */
  uint32_t *latency_us;       /* one per call answered by the server, any status */
  size_t n, cap;
  int sorted;
} lg_stats;

/** An empty record. */
void lg_stats_init(lg_stats *s);

/** Frees the latencies. */
void lg_stats_free(lg_stats *s);

/** Counts a call that ended with status code (0..16; anything else counts as UNKNOWN) and records its
 *  latency when latency_us >= 0 (pass -1 for a local deadline). Returns LG_STATS_OK or LG_STATS_ERR_NOMEM. */
int lg_stats_add(lg_stats *s, int code, int64_t latency_us);

/** Counts a latency alone (e.g. a display event's delivery). Returns LG_STATS_OK or LG_STATS_ERR_NOMEM. */
int lg_stats_add_latency(lg_stats *s, int64_t latency_us);

/** Counts a call lost with its connection. */
void lg_stats_add_transport(lg_stats *s);

/** Adds everything in src to dst. Returns LG_STATS_OK or LG_STATS_ERR_NOMEM. */
int lg_stats_merge(lg_stats *dst, const lg_stats *src);

/** Calls counted: every status plus transport failures. */
uint64_t lg_stats_calls(const lg_stats *s);

/** The p-th percentile (0 < p <= 100) of the latencies, nearest rank; 0 when there are none. Sorts once. */
uint32_t lg_stats_percentile_us(lg_stats *s, double p);

/** The largest latency (0 when none). */
uint32_t lg_stats_max_us(lg_stats *s);

/** The mean latency (0 when none). */
double lg_stats_mean_us(const lg_stats *s);

/* The measurement window: the first `warmup` completions are left out; measuring starts when the last of them
 * ends (or at the start, without warm-up) and ends at the last measured completion. */
typedef struct lg_window {
  uint64_t warmup_left;
  int64_t start_us;
  int64_t end_us;
  uint64_t measured;
} lg_window;

/** A window starting at now_us once `warmup` completions have passed. */
void lg_window_init(lg_window *w, uint64_t warmup, int64_t now_us);

/** A completion at now_us: returns 1 when it is measured, 0 when it is part of the warm-up. */
int lg_window_take(lg_window *w, int64_t now_us);

/** 1 while warm-up completions remain. */
int lg_window_warming(const lg_window *w);

/** The measured seconds (at least 1 µs once something was measured; 0 before). */
double lg_window_seconds(const lg_window *w);

#endif

#include "stats.h"

#include <stdlib.h>
#include <string.h>

void lg_stats_init(lg_stats *s) { memset(s, 0, sizeof(*s)); }

void lg_stats_free(lg_stats *s) {
  free(s->latency_us);
  lg_stats_init(s);
}

static int reserve(lg_stats *s, size_t more) {
  if (s->n + more <= s->cap) return LG_STATS_OK;
  size_t cap = s->cap ? s->cap : 4096;
  while (cap < s->n + more) cap *= 2;
  uint32_t *p = realloc(s->latency_us, cap * sizeof(*p));
  if (p == NULL) return LG_STATS_ERR_NOMEM;
  s->latency_us = p;
  s->cap = cap;
  return LG_STATS_OK;
}

int lg_stats_add_latency(lg_stats *s, int64_t latency_us) {
  if (reserve(s, 1) != LG_STATS_OK) return LG_STATS_ERR_NOMEM;
  if (latency_us < 0) latency_us = 0;
  if (latency_us > UINT32_MAX) latency_us = UINT32_MAX;
  s->latency_us[s->n++] = (uint32_t)latency_us;
  s->sorted = 0;
  return LG_STATS_OK;
}

int lg_stats_add(lg_stats *s, int code, int64_t latency_us) {
  s->by_code[code >= 0 && code < LG_CODES ? code : 2]++;
  return latency_us >= 0 ? lg_stats_add_latency(s, latency_us) : LG_STATS_OK;
}

void lg_stats_add_transport(lg_stats *s) { s->transport++; }

int lg_stats_merge(lg_stats *dst, const lg_stats *src) {
  if (reserve(dst, src->n) != LG_STATS_OK) return LG_STATS_ERR_NOMEM;
  for (int i = 0; i < LG_CODES; i++) dst->by_code[i] += src->by_code[i];
  dst->transport += src->transport;
  if (src->n) memcpy(dst->latency_us + dst->n, src->latency_us, src->n * sizeof(*src->latency_us));
  dst->n += src->n;
  dst->sorted = 0;
  return LG_STATS_OK;
}

uint64_t lg_stats_calls(const lg_stats *s) {
  uint64_t n = s->transport;
  for (int i = 0; i < LG_CODES; i++) n += s->by_code[i];
  return n;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void sort_once(lg_stats *s) {
  if (s->sorted) return;
  if (s->n > 1) qsort(s->latency_us, s->n, sizeof(*s->latency_us), cmp_u32);
  s->sorted = 1;
}

uint32_t lg_stats_percentile_us(lg_stats *s, double p) {
  if (s->n == 0) return 0;
  sort_once(s);
  double rank = p / 100.0 * (double)s->n; /* nearest rank: ceil(p/100 * n), 1-based */
  size_t r = (size_t)rank;
  if ((double)r < rank) r++;
  if (r < 1) r = 1;
  if (r > s->n) r = s->n;
  return s->latency_us[r - 1];
}

uint32_t lg_stats_max_us(lg_stats *s) {
  if (s->n == 0) return 0;
  sort_once(s);
  return s->latency_us[s->n - 1];
}

double lg_stats_mean_us(const lg_stats *s) {
  if (s->n == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < s->n; i++) sum += s->latency_us[i];
  return sum / (double)s->n;
}

void lg_window_init(lg_window *w, uint64_t warmup, int64_t now_us) {
  memset(w, 0, sizeof(*w));
  w->warmup_left = warmup;
  w->start_us = w->end_us = now_us;
}

int lg_window_take(lg_window *w, int64_t now_us) {
  if (w->warmup_left > 0) {
    if (--w->warmup_left == 0) w->start_us = w->end_us = now_us;
    return 0;
  }
  w->end_us = now_us;
  w->measured++;
  return 1;
}

int lg_window_warming(const lg_window *w) { return w->warmup_left > 0; }

double lg_window_seconds(const lg_window *w) {
  if (w->measured == 0) return 0;
  int64_t us = w->end_us - w->start_us;
  return (double)(us > 0 ? us : 1) / 1e6;
}

#include "report.h"

#include <inttypes.h>

#include "grpc_status.h"

double lg_ms(double us) { return us / 1000.0; }

void lg_report_calls(FILE *f, const char *label, lg_stats *s, double seconds) {
  uint64_t calls = lg_stats_calls(s);
  fprintf(f, "%s: %" PRIu64 " calls, %" PRIu64 " OK", label, calls, s->by_code[0]);
  for (int code = 1; code < LG_CODES; code++)
    if (s->by_code[code]) fprintf(f, ", %" PRIu64 " %s", s->by_code[code], mk_grpc_code_name(code));
  if (s->transport) fprintf(f, ", %" PRIu64 " lost with their connection", s->transport);
  if (seconds > 0) fprintf(f, "; %.3f s, %.1f calls/s", seconds, (double)calls / seconds);
  fprintf(f, "\n");
  if (s->n)
    fprintf(f, "  latency (ms): p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f  (%zu answered)\n",
            lg_ms(lg_stats_percentile_us(s, 50)), lg_ms(lg_stats_percentile_us(s, 90)),
            lg_ms(lg_stats_percentile_us(s, 99)), lg_ms(lg_stats_max_us(s)), lg_ms(lg_stats_mean_us(s)), s->n);
}

void lg_report_begin(FILE *f, const lg_options *o, size_t connections, size_t slots) {
  fprintf(f, "RESULT mode=%s target=%s connections=%zu slots=%zu", o->mode_name, o->target, connections, slots);
}

void lg_report_call_fields(FILE *f, const char *prefix, lg_stats *s, double seconds) {
  uint64_t calls = lg_stats_calls(s);
  if (prefix[0]) {
    fprintf(f, " %scalls=%" PRIu64 " %sok=%" PRIu64, prefix, calls, prefix, s->by_code[0]);
  } else {
    fprintf(f, " calls=%" PRIu64 " ok=%" PRIu64 " errors=%" PRIu64 " transport=%" PRIu64, calls, s->by_code[0],
            calls - s->by_code[0] - s->transport, s->transport);
    fprintf(f, " seconds=%.6f calls_per_s=%.1f", seconds, seconds > 0 ? (double)calls / seconds : 0.0);
  }
  fprintf(f, " %sp50_ms=%.3f %sp90_ms=%.3f %sp99_ms=%.3f %smax_ms=%.3f %smean_ms=%.3f", prefix,
          lg_ms(lg_stats_percentile_us(s, 50)), prefix, lg_ms(lg_stats_percentile_us(s, 90)), prefix,
          lg_ms(lg_stats_percentile_us(s, 99)), prefix, lg_ms(lg_stats_max_us(s)), prefix,
          lg_ms(lg_stats_mean_us(s)));
  if (prefix[0]) return;
  for (int code = 0; code < LG_CODES; code++) fprintf(f, " status_%d=%" PRIu64, code, s->by_code[code]);
}

void lg_report_end(FILE *f, double cpu_seconds) {
  fprintf(f, " loadgen_cpu_s=%.3f\n", cpu_seconds);
  fflush(f);
}

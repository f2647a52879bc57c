/* Printing figures: a human-readable block per kind of call, and the one machine-readable RESULT line
 * ("RESULT mode=… key=value …", documented in README.md). */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"
#include "stats.h"

/** Human-readable: calls, statuses by name, calls/s over `seconds`, latency percentiles. */
void lg_report_calls(FILE *f, const char *label, lg_stats *s, double seconds);

/** Starts the RESULT line: "RESULT mode=M target=T connections=C slots=S". */
void lg_report_begin(FILE *f, const lg_options *o, size_t connections, size_t slots);

/** The call fields: calls ok errors transport seconds calls_per_s p50_ms p90_ms p99_ms max_ms mean_ms and
 *  status_0 … status_16 (every code, zeros included). prefix ("" or e.g. "callnext_") names the latency fields
 *  only when non-empty and then prints just calls, ok and the latencies. */
void lg_report_call_fields(FILE *f, const char *prefix, lg_stats *s, double seconds);

/** Ends the RESULT line with the load generator's own CPU seconds (user + system). */
void lg_report_end(FILE *f, double cpu_seconds);

/** Milliseconds with microsecond precision, for printing. */
double lg_ms(double us);

#endif

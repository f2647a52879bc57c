/* The four modes, each a driver (driver.h) with its own figures and report. predict and issue share one
 * driver (mode_unary.c); counter-cycle (mode_cycle.c) also drives the optional OpenCounter step; watch
 * (mode_watch.c) holds streams open and measures event delivery. */
#ifndef LG_MODES_H
#define LG_MODES_H

#include <stdio.h>

#include "driver.h"
#include "lists.h"
#include "options.h"

/* Return codes of the constructors. */
enum { LG_MODE_OK = 0, LG_MODE_ERR_NOMEM = -1, LG_MODE_ERR_CONFIG = -2 /* err says what */ };

/* ---- predict and issue ---- */
typedef struct lg_unary lg_unary;

/** predict or issue (o->mode) over `slots` slots; issue keys are "<run_id>-<n>", n from 1; record (may be NULL)
 *  gets one line per issued ticket. Returns LG_MODE_OK, LG_MODE_ERR_NOMEM or LG_MODE_ERR_CONFIG. */
int lg_unary_new(lg_unary **out, const lg_options *o, const lg_tokens *tokens, const char *run_id, FILE *record,
                 size_t slots, char *err, size_t errlen);
lg_driver lg_unary_driver(lg_unary *u);
/** Human summary and the RESULT line (without its end). */
void lg_unary_report(lg_unary *u, FILE *f, size_t connections, size_t slots);
/** 1 when a figure could not be recorded (out of memory). */
int lg_unary_nomem(const lg_unary *u);
void lg_unary_free(lg_unary *u);

/* ---- counter-cycle ---- */
typedef struct lg_cycle lg_cycle;

/** One slot per counter (counters must outlive the cycle). Returns LG_MODE_OK, LG_MODE_ERR_NOMEM or
 *  LG_MODE_ERR_CONFIG. */
int lg_cycle_new(lg_cycle **out, const lg_options *o, const lg_tokens *tokens, const lg_counters *counters,
                 FILE *record, char *err, size_t errlen);
/** The OpenCounter step: one call per counter. */
lg_driver lg_cycle_open_driver(lg_cycle *c);
/** After the OpenCounter step: 0 when every counter opened, else -1 with the first refusal in err. */
int lg_cycle_open_result(const lg_cycle *c, char *err, size_t errlen);
lg_driver lg_cycle_driver(lg_cycle *c);
void lg_cycle_report(lg_cycle *c, FILE *f, size_t connections, size_t slots);
int lg_cycle_nomem(const lg_cycle *c);
void lg_cycle_free(lg_cycle *c);

/* ---- watch ---- */
typedef struct lg_watch lg_watch;

/** o->watchers streams on o->branches[0]. Prints "READY streams=N sequence=S" on stdout once every stream has
 *  its snapshot. Returns LG_MODE_OK, LG_MODE_ERR_NOMEM or LG_MODE_ERR_CONFIG. */
int lg_watch_new(lg_watch **out, const lg_options *o, char *err, size_t errlen);
lg_driver lg_watch_driver(lg_watch *w);
/** After the run, on a loop of its own (one slot): one stream reads a fresh snapshot, for the server's
 *  sequence. */
lg_driver lg_watch_probe_driver(lg_watch *w);
/** 0, or -1 when the streams did not all open within --timeout-ms (err says how many did). */
int lg_watch_open_result(const lg_watch *w, char *err, size_t errlen);
void lg_watch_report(lg_watch *w, FILE *f, size_t connections, size_t slots);
int lg_watch_nomem(const lg_watch *w);
void lg_watch_free(lg_watch *w);

#endif

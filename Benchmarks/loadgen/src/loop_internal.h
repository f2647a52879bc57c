/* What loop.c (the run) and loop_open.c (connecting, signals, clocks) share: the loop's state. Not for modes. */
#ifndef LG_LOOP_INTERNAL_H
#define LG_LOOP_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

#define READ_CHUNK 65536

typedef struct lg_slot {
  mk_h2_call *call; /* NULL when free */
  int64_t start_us;
  int64_t deadline_us; /* 0: none */
  int parked;
  int timed_out;
} lg_slot;

typedef struct lg_conn {
  int fd;
  mk_h2_client *h2;
  uint8_t *out; /* bytes the session handed out, not yet written */
  size_t out_len, out_off, out_cap;
  int dead;
  int writing; /* EPOLLOUT registered */
  int touched; /* a deadline fired on it this turn */
  size_t *slots;
  size_t n_slots;
} lg_conn;

struct lg_loop {
  int ep;
  lg_conn *conns;
  size_t n_conns;
  lg_slot *slots;
  size_t n_slots;
  size_t in_flight;
  const lg_driver *d;
  int nomem;
  char lost[256]; /* why the first connection of the run was lost */
  uint8_t buf[READ_CHUNK];
};

/* Set by SIGINT/SIGTERM once lg_loop_catch_signals() ran. */
extern volatile sig_atomic_t lg_loop_interrupted;

#endif

/* motcua-kiosk: the command line over libmotcua-kiosk. Parses options, calls the library, prints. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "motcua-kiosk.h"
#include "ticket_text.h"

static const char usage[] =
    "usage: motcua-kiosk [options] COMMAND\n"
    "\n"
    "commands:\n"
    "  services                          the branch's services, queue lengths and waits\n"
    "  issue --service ID [--priority P] issue and print a ticket (offline from the lease if the server is\n"
    "                                    unreachable); the number is the last line of output\n"
    "  checkin --code CODE               check a booking in and print its ticket (online only); the number is\n"
    "                                    the last line of output\n"
    "  watch [--count N] [--duration S]  follow the branch's queues live\n"
    "  status                            connection, leases left, journal entries not yet synced\n"
    "  sync                              replay the offline journal now and top up the leases\n"
    "  reprint                           print the last ticket again, labelled REPRINT\n"
    "\n"
    "options (they override the configuration file and MOTCUA_KIOSK_* variables):\n"
    "  --config FILE      key = value file (default $MOTCUA_KIOSK_CONFIG, else /etc/motcua-kiosk.conf if present)\n"
    "  --server HOST:PORT --tls  --ca-file PEM  --branch ID  --token TOKEN\n"
    "  --printer PATH     ESC/POS device or file    --preview FILE.png   --paper 58|80\n"
    "  --journal PATH     the offline journal (SQLite)                   --tracking-url URL\n"
    "  --timeout-ms N  --retries N  --lease-size N  --lease-max-age SECONDS\n"
    "priorities: none, elderly, disability, pregnant, child-under-6, meritorious-service\n";

enum { OPT_CONFIG = 256, OPT_SERVER, OPT_TLS, OPT_CA, OPT_BRANCH, OPT_TOKEN, OPT_PRINTER, OPT_PREVIEW, OPT_PAPER,
       OPT_JOURNAL, OPT_TRACKING, OPT_TIMEOUT, OPT_RETRIES, OPT_LEASE_SIZE, OPT_LEASE_AGE, OPT_SERVICE,
       OPT_PRIORITY, OPT_COUNT, OPT_DURATION, OPT_CODE, OPT_HELP };

static const struct option options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},   {"server", required_argument, NULL, OPT_SERVER},
    {"tls", no_argument, NULL, OPT_TLS},               {"ca-file", required_argument, NULL, OPT_CA},
    {"branch", required_argument, NULL, OPT_BRANCH},   {"token", required_argument, NULL, OPT_TOKEN},
    {"printer", required_argument, NULL, OPT_PRINTER}, {"preview", required_argument, NULL, OPT_PREVIEW},
    {"paper", required_argument, NULL, OPT_PAPER},     {"journal", required_argument, NULL, OPT_JOURNAL},
    {"tracking-url", required_argument, NULL, OPT_TRACKING},
    {"timeout-ms", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES}, {"lease-size", required_argument, NULL, OPT_LEASE_SIZE},
    {"lease-max-age", required_argument, NULL, OPT_LEASE_AGE},
    {"service", required_argument, NULL, OPT_SERVICE}, {"priority", required_argument, NULL, OPT_PRIORITY},
    {"count", required_argument, NULL, OPT_COUNT},     {"duration", required_argument, NULL, OPT_DURATION},
    {"code", required_argument, NULL, OPT_CODE},
    {"help", no_argument, NULL, OPT_HELP},             {NULL, 0, NULL, 0}};

static int fail(int code, const char *msg) {
  fprintf(stderr, "motcua-kiosk: %s\n", msg);
  return code;
}

static const char *setting_for(int opt) {
  switch (opt) {
  case OPT_SERVER: return "server";
  case OPT_TLS: return "tls";
  case OPT_CA: return "ca_file";
  case OPT_BRANCH: return "branch";
  case OPT_TOKEN: return "token";
  case OPT_PRINTER: return "printer";
  case OPT_PREVIEW: return "preview";
  case OPT_PAPER: return "paper";
  case OPT_JOURNAL: return "journal";
  case OPT_TRACKING: return "tracking_url";
  case OPT_TIMEOUT: return "timeout_ms";
  case OPT_RETRIES: return "retries";
  case OPT_LEASE_SIZE: return "lease_size";
  case OPT_LEASE_AGE: return "lease_max_age";
  default: return NULL;
  }
}

static void print_ticket(const mk_ticket *t) {
  char when[40], wait[64];
  mk_text_hanoi_time(t->issued_at_ms, when, sizeof(when));
  printf("branch: %s\n", t->branch_name[0] ? t->branch_name : t->branch_id);
  printf("service: %s (%s)\n", t->service_name[0] ? t->service_name : t->service_id, t->service_id);
  if (t->priority) printf("priority: %s\n", mk_text_priority_name(t->priority));
  if (t->appointment_start_ms) {
    char at[40];
    mk_text_hanoi_time(t->appointment_start_ms, at, sizeof(at));
    printf("appointment: %s (booking %s)\n", at, t->booking_code);
  }
  if (t->offline) {
    printf("offline: yes (journalled; replayed when the server is back)\n");
  } else {
    printf("people ahead: %u\n", t->people_ahead);
    if (t->has_estimate) {
      mk_text_wait_range(t->p50_seconds, t->p90_seconds, wait, sizeof(wait));
      printf("wait: %s\n", wait);
    }
    if (t->has_suggestion) {
      char line[700];
      mk_text_suggestion(&t->suggestion, line, sizeof(line));
      printf("suggestion: %s\n", line);
      if (t->suggestion.address[0]) printf("suggestion address: %s\n", t->suggestion.address);
      printf("suggestion branch: %s (this ticket stays valid here)\n", t->suggestion.branch_id);
    }
  }
  if (t->replayed) printf("replayed: yes (an earlier attempt had issued it)\n");
  if (t->reprint) printf("REPRINT\n");
  printf("issued: %s\n", when);
  printf("ticket id: %s\n", t->ticket_id);
  printf("%s\n", t->number);
}

typedef struct watch_state {
  long count;
  long seen;
} watch_state;

static int on_view(const mk_branch_view *v, void *user) {
  watch_state *w = user;
  if (v->is_snapshot) printf("snapshot seq=%llu", (unsigned long long)v->sequence);
  else printf("event seq=%llu %s%s%s%s%s", (unsigned long long)v->sequence, v->event, v->number[0] ? " " : "",
              v->number, v->counter_name[0] ? " at " : "", v->counter_name);
  printf(" |");
  int any = 0;
  for (size_t i = 0; i < v->queue_count; i++) {
    const mk_queue *q = &v->queues[i];
    if (q->waiting == 0 && q->open_counters == 0) continue;
    printf(" %s:%u waiting/%u open", q->prefix[0] ? q->prefix : q->service_id, q->waiting, q->open_counters);
    if (q->has_estimate) {
      char wait[64];
      mk_text_wait_range(q->p50_seconds, q->p90_seconds, wait, sizeof(wait));
      printf(" (%s)", wait);
    }
    any = 1;
  }
  if (!any) printf(" nobody waiting");
  printf("\n");
  fflush(stdout);
  w->seen++;
  return w->count > 0 && w->seen >= w->count;
}

int main(int argc, char **argv) {
  mk_config cfg;
  mk_config_defaults(&cfg);
  char err[700];

  /* Pass 1: the configuration file, so that the environment and options override it. */
  const char *config_path = getenv("MOTCUA_KIOSK_CONFIG");
  int explicit_config = config_path != NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--config") && i + 1 < argc) {
      config_path = argv[++i];
      explicit_config = 1;
    } else if (!strncmp(argv[i], "--config=", 9)) {
      config_path = argv[i] + 9;
      explicit_config = 1;
    }
  }
  if (!explicit_config && access("/etc/motcua-kiosk.conf", R_OK) == 0) config_path = "/etc/motcua-kiosk.conf";
  if (config_path && mk_config_load_file(&cfg, config_path, err, sizeof(err)) != MK_OK) return fail(MK_ERR_CONFIG, err);
  if (mk_config_load_env(&cfg, err, sizeof(err)) != MK_OK) return fail(MK_ERR_CONFIG, err);

  /* Pass 2: options. */
  const char *service = NULL, *code = NULL;
  int priority = MK_PRIORITY_NONE;
  long count = 0, duration_s = 0;
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    const char *key = setting_for(opt);
    if (key) {
      if (mk_config_set(&cfg, key, opt == OPT_TLS ? "yes" : optarg, err, sizeof(err)) != MK_OK)
        return fail(MK_ERR_CONFIG, err);
      continue;
    }
    switch (opt) {
    case OPT_CONFIG: break;
    case OPT_SERVICE: service = optarg; break;
    case OPT_CODE: code = optarg; break;
    case OPT_PRIORITY:
      priority = mk_priority_parse(optarg);
      if (priority < 0) {
        snprintf(err, sizeof(err), "unknown priority \"%s\" (none, elderly, disability, pregnant, child-under-6, "
                 "meritorious-service)", optarg);
        return fail(MK_ERR_CONFIG, err);
      }
      break;
    case OPT_COUNT: count = strtol(optarg, NULL, 10); break;
    case OPT_DURATION: duration_s = strtol(optarg, NULL, 10); break;
    case OPT_HELP: fputs(usage, stdout); return 0;
    default:
      snprintf(err, sizeof(err), "unknown or incomplete option \"%s\" (see --help)", argv[optind - 1]);
      return fail(MK_ERR_CONFIG, err);
    }
  }
  if (optind != argc - 1) {
    fputs(usage, stderr);
    return MK_ERR_CONFIG;
  }
  const char *command = argv[optind];
  static const char *const commands[] = {"services", "issue", "checkin", "watch", "status", "sync",
                                           "reprint"};
  int known = 0;
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) known |= !strcmp(command, commands[i]);
  if (!known) {
    snprintf(err, sizeof(err), "unknown command \"%s\" (services, issue, checkin, watch, status, sync, reprint)", command);
    return fail(MK_ERR_CONFIG, err);
  }

  mk_kiosk *k;
  int rc = mk_kiosk_init(&k, &cfg, err, sizeof(err));
  if (rc != MK_OK) return fail(rc, err);

  if (!strcmp(command, "services")) {
    mk_service *list;
    size_t n;
    rc = mk_kiosk_services(k, &list, &n);
    if (rc == MK_OK) {
      for (size_t i = 0; i < n; i++) {
        char wait[64];
        mk_text_wait_range(list[i].p50_seconds, list[i].p90_seconds, wait, sizeof(wait));
        printf("%s\t%s\t%u waiting\t%s\t%s\n", list[i].service_id, list[i].prefix, list[i].people_waiting, wait,
               list[i].name_vi);
      }
      free(list);
    }
  } else if (!strcmp(command, "issue")) {
    mk_ticket t;
    if (service == NULL) rc = MK_ERR_CONFIG, snprintf(err, sizeof(err), "issue needs --service ID");
    else {
      rc = mk_kiosk_issue(k, service, priority, &t);
      if (rc == MK_OK || (rc == MK_ERR_PRINTER && t.number[0])) print_ticket(&t);
    }
  } else if (!strcmp(command, "checkin")) {
    mk_ticket t;
    if (code == NULL) rc = MK_ERR_CONFIG, snprintf(err, sizeof(err), "checkin needs --code CODE");
    else {
      rc = mk_kiosk_checkin(k, code, &t);
      if (rc == MK_OK || (rc == MK_ERR_PRINTER && t.number[0])) print_ticket(&t);
    }
  } else if (!strcmp(command, "reprint")) {
    mk_ticket t;
    rc = mk_kiosk_reprint(k, &t);
    if (rc == MK_OK) print_ticket(&t);
  } else if (!strcmp(command, "status")) {
    mk_status s;
    rc = mk_kiosk_status(k, &s);
    if (rc == MK_OK) {
      printf("connection: %s\n", s.connection);
      if (s.lease_count == 0) printf("leases: none\n");
      for (size_t i = 0; i < s.lease_count; i++) {
        const mk_lease_status *l = &s.leases[i];
        printf("lease %s: %u left (%s to %s, %s)%s%s\n", l->service_id, l->left, l->next_number, l->last_number,
               l->local_date, l->usable ? "" : " unusable: ", l->usable ? "" : l->why);
      }
      printf("unsynced: %u\n", s.unsynced);
      if (s.rejected) printf("rejected by the server: %u (please see staff)\n", s.rejected);
      if (s.last_ticket[0]) printf("last ticket: %s\n", s.last_ticket);
    }
  } else if (!strcmp(command, "sync")) {
    mk_sync_result r;
    rc = mk_kiosk_sync(k, &r);
    if (rc == MK_OK) {
      printf("replayed: %u\nremaining: %u\nrejected: %u\nleases taken: %u\n", r.replayed, r.remaining, r.rejected,
             r.leases_taken);
      if (r.lease_note[0]) printf("lease note: %s\n", r.lease_note);
    }
  } else if (!strcmp(command, "watch")) {
    watch_state w = {count, 0};
    rc = mk_kiosk_watch(k, on_view, &w, duration_s > 0 ? duration_s * 1000 : 0);
  }
  if (rc != MK_OK) {
    fprintf(stderr, "motcua-kiosk: %s\n", mk_kiosk_error(k)[0] ? mk_kiosk_error(k) : err);
  }
  mk_kiosk_free(k);
  return rc;
}

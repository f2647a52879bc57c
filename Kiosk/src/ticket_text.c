#include "ticket_text.h"

#include <stdio.h>
#include <string.h>

#include "motcua-kiosk.h"

static uint32_t minutes(uint32_t s) { return (s + 30) / 60; }

void mk_text_wait_range(uint32_t p50_seconds, uint32_t p90_seconds, char *out, size_t outlen) {
  uint32_t lo = minutes(p50_seconds), hi = minutes(p90_seconds);
  if (hi < lo) hi = lo;
  if (hi == 0) snprintf(out, outlen, "dưới 1 phút");
  else if (lo == hi) snprintf(out, outlen, "khoảng %u phút", lo);
  else snprintf(out, outlen, "khoảng %u\xe2\x80\x93%u phút", lo, hi); /* U+2013 EN DASH */
}

/* Howard Hinnant's civil_from_days. */
static void civil(int64_t days, int *y, int *m, int *d) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

void mk_text_hanoi_date(int64_t unix_s, char *out, size_t outlen) {
  int y, m, d;
  civil(floor_div(unix_s + MK_HANOI_UTC_OFFSET_S, 86400), &y, &m, &d);
  snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

void mk_text_hanoi_time(int64_t unix_ms, char *out, size_t outlen) {
  int64_t s = floor_div(unix_ms, 1000) + MK_HANOI_UTC_OFFSET_S;
  int64_t day = floor_div(s, 86400), sod = s - day * 86400;
  int y, m, d;
  civil(day, &y, &m, &d);
  snprintf(out, outlen, "%02d:%02d %02d/%02d/%04d", (int)(sod / 3600), (int)(sod / 60 % 60), d, m, y);
}

void mk_text_hanoi_clock(int64_t unix_ms, char *out, size_t outlen) {
  int64_t s = floor_div(unix_ms, 1000) + MK_HANOI_UTC_OFFSET_S;
  int64_t sod = s - floor_div(s, 86400) * 86400;
  snprintf(out, outlen, "%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60));
}

void mk_text_appointment(int64_t start_ms, char *out, size_t outlen) {
  char hhmm[16];
  mk_text_hanoi_clock(start_ms, hhmm, sizeof(hhmm));
  snprintf(out, outlen, "Lịch hẹn / Appointment %s", hhmm);
}

void mk_text_km(double km, char *out, size_t outlen) {
  if (!(km > 0)) km = 0; /* also NaN */
  if (km > 100000) km = 100000;
  unsigned long tenths = (unsigned long)(km * 10 + 0.5);
  snprintf(out, outlen, "%lu,%lu", tenths / 10, tenths % 10);
}

void mk_text_suggestion(const mk_suggestion *s, char *out, size_t outlen) {
  char km[32], id_name[96];
  mk_text_km(s->distance_km, km, sizeof(km));
  const char *name = s->name;
  if (!name[0]) {
    snprintf(id_name, sizeof(id_name), "Chi nhánh %s", s->branch_id);
    name = id_name;
  }
  snprintf(out, outlen, "%s (%s km, ~%u phút đi đường) dự kiến chờ %u phút \xe2\x80\x94 tại đây %u phút.", name, km,
           s->travel_minutes, s->predicted_wait_minutes, s->wait_here_minutes); /* U+2014 EM DASH */
}

void mk_text_number(const char *prefix, uint32_t sequence, char *out, size_t outlen) {
  snprintf(out, outlen, "%s%03u", prefix, sequence);
}

void mk_text_tracking_url(const char *base, const char *ticket_id, const char *code, char *out, size_t outlen) {
  snprintf(out, outlen, "%s%cticket=%s&code=%s", base, strchr(base, '?') ? '&' : '?', ticket_id, code);
}

static const char *const vi[] = {"", "Người cao tuổi", "Người khuyết tật", "Phụ nữ mang thai",
                                 "Trẻ em dưới 6 tuổi", "Người có công với cách mạng"};
static const char *const names[] = {"none", "elderly", "disability", "pregnant", "child-under-6",
                                    "meritorious-service"};

const char *mk_text_priority_vi(int priority) { return priority >= 0 && priority <= 5 ? vi[priority] : ""; }

const char *mk_text_priority_name(int priority) {
  return priority >= 0 && priority <= 5 ? names[priority] : "none";
}

int mk_priority_parse(const char *name) {
  for (int i = 0; i <= 5; i++)
    if (strcmp(name, names[i]) == 0) return i;
  return -1;
}

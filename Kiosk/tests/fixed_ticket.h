/* The fixed ticket the rendering tests draw (and whose ESC/POS bytes are stored in tests/golden). */
#ifndef MK_FIXED_TICKET_H
#define MK_FIXED_TICKET_H

#include <string.h>

#include "motcua-kiosk.h"

static inline mk_ticket fixed_ticket(void) {
  mk_ticket t;
  memset(&t, 0, sizeof(t));
  strcpy(t.ticket_id, "tk_yuhzmhv6izkr5yvpivvm");
  strcpy(t.number, "A017");
  strcpy(t.tracking_code, "NS823XD6");
  strcpy(t.branch_id, "hn-hoan-kiem");
  strcpy(t.branch_name, "Chi nhánh Hoàn Kiếm");
  strcpy(t.service_id, "civil-birth-registration");
  strcpy(t.service_name, "Đăng ký khai sinh");
  t.priority = MK_PRIORITY_ELDERLY;
  t.people_ahead = 4;
  t.has_estimate = 1;
  t.p50_seconds = 720;
  t.p90_seconds = 1200;
  t.issued_at_ms = 1795773685809LL;
  strcpy(t.tracking_url, "https://motcua.hanoi.gov.vn/ve?ticket=tk_yuhzmhv6izkr5yvpivvm&code=NS823XD6");
  return t;
}

/* The fixed ticket as a checked-in booking's (appointment at 08:45 on 28/11/2026, Hanoi time). */
static inline mk_ticket fixed_appointment_ticket(void) {
  mk_ticket t = fixed_ticket();
  t.priority = MK_PRIORITY_NONE;
  t.appointment_start_ms = 1795830300000LL;
  strcpy(t.booking_code, "K7QX-M2PA");
  return t;
}

/* The fixed ticket at an overloaded branch, as tests/golden/issue_ticket_response_suggestion.txtpb answers it
 * (plus the branch name and tracking link the kiosk adds): Chi nhánh Ba Đình suggested, 3.53 km away. */
static inline mk_ticket fixed_suggestion_ticket(void) {
  mk_ticket t = fixed_ticket();
  t.people_ahead = 31;
  t.p50_seconds = 4200;
  t.p90_seconds = 5400;
  t.has_suggestion = 1;
  strcpy(t.suggestion.branch_id, "hn-ba-dinh");
  strcpy(t.suggestion.name, "Chi nhánh Ba Đình");
  strcpy(t.suggestion.address, "25 phố Liễu Giai (trụ sở UBND quận Ba Đình trước đây)");
  t.suggestion.distance_km = 3.53;
  t.suggestion.travel_minutes = 14;
  t.suggestion.predicted_wait_minutes = 15;
  t.suggestion.wait_here_minutes = 70;
  return t;
}

#endif

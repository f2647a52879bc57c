/* The words and numbers printed on a ticket, and Hanoi civil time (UTC+7 all year: Asia/Ho_Chi_Minh has no
 * daylight saving). Pure. */
#ifndef MK_TICKET_TEXT_H
#define MK_TICKET_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "motcua-kiosk.h"

#define MK_HANOI_UTC_OFFSET_S (7 * 3600)

/** "khoảng 12–20 phút" from p50/p90 seconds (rounded to minutes; "khoảng 5 phút" when equal,
 *  "dưới 1 phút" when both round to 0). */
void mk_text_wait_range(uint32_t p50_seconds, uint32_t p90_seconds, char *out, size_t outlen);

/** The Hanoi civil date "YYYY-MM-DD" of a Unix time. */
void mk_text_hanoi_date(int64_t unix_s, char *out, size_t outlen);

/** "HH:MM DD/MM/YYYY" in Hanoi time for a Unix time in milliseconds. */
void mk_text_hanoi_time(int64_t unix_ms, char *out, size_t outlen);

/** "HH:MM" in Hanoi time for a Unix time in milliseconds. */
void mk_text_hanoi_clock(int64_t unix_ms, char *out, size_t outlen);

/** The appointment line of a checked-in booking's ticket: "Lịch hẹn / Appointment HH:MM" (Hanoi time). */
void mk_text_appointment(int64_t start_ms, char *out, size_t outlen);

/** A distance with one decimal and a decimal comma, as written in Vietnamese: 3.53 → "3,5" (negative or not a
 *  number → "0,0"). */
void mk_text_km(double km, char *out, size_t outlen);

/** The suggestion's line: "<name> (3,5 km, ~14 phút đi đường) dự kiến chờ 15 phút — tại đây 70 phút." The
 *  name is printed as the server sends it (branch names start with "Chi nhánh"); "Chi nhánh <id>" if empty. */
void mk_text_suggestion(const mk_suggestion *s, char *out, size_t outlen);

/** What the ticket says under a suggestion: the ticket stays valid at this branch. */
#define MK_TEXT_SUGGESTION_VALID "Số thứ tự này vẫn có hiệu lực tại đây nếu bạn ở lại."

/** A ticket number: prefix + sequence zero-padded to at least 3 digits ("B007", "B1000"). */
void mk_text_number(const char *prefix, uint32_t sequence, char *out, size_t outlen);

/** The QR code's link: base + "?ticket=ID&code=CODE" ('&' instead of '?' when base has a query). */
void mk_text_tracking_url(const char *base, const char *ticket_id, const char *code, char *out, size_t outlen);

/** The Vietnamese label of a priority group ("" for none). */
const char *mk_text_priority_vi(int priority);

/** The command-line name of a priority group ("none", "elderly", ...). */
const char *mk_text_priority_name(int priority);

#endif

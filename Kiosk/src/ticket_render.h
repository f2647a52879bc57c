/* Draws a ticket as a 1-bit raster (FreeType, a font that covers Vietnamese such as DejaVu Sans): branch,
 * service, the number large, people ahead, the wait as "khoảng p50–p90 phút", issue time, a QR code with
 * the tracking link, OFFLINE / REPRINT banners, "Lịch hẹn / Appointment HH:MM" for a checked-in booking, and
 * under the wait, framed, the server's suggestion of a quicker branch nearby (never on an offline ticket). */
#ifndef MK_TICKET_RENDER_H
#define MK_TICKET_RENDER_H

#include <stddef.h>

#include "bitmap.h"
#include "motcua-kiosk.h"

#define MK_RENDER_DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define MK_RENDER_DEFAULT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef struct mk_render_options {
  int paper_mm;          /* 58 (384 dots) or 80 (576 dots) */
  const char *font;      /* NULL: MK_RENDER_DEFAULT_FONT */
  const char *font_bold; /* NULL: MK_RENDER_DEFAULT_FONT_BOLD */
} mk_render_options;

/* Error codes of mk_render_ticket(). */
enum {
  MK_RENDER_OK = 0,
  MK_RENDER_ERR_FONT = -1, /* FreeType cannot load a font */
  MK_RENDER_ERR_QR = -2,   /* the tracking link does not fit a QR code */
  MK_RENDER_ERR_NOMEM = -3
};

/** Dots across the paper: 384 for 58 mm, 576 for 80 mm. */
int mk_render_width(int paper_mm);

/** Renders t into out (free with mk_bitmap_free). Returns MK_RENDER_OK, MK_RENDER_ERR_FONT,
 *  MK_RENDER_ERR_QR or MK_RENDER_ERR_NOMEM; err names the problem. */
int mk_render_ticket(const mk_ticket *t, const mk_render_options *o, mk_bitmap *out, char *err, size_t errlen);

#endif

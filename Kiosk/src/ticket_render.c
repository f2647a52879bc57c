#include "ticket_render.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <stdio.h>
#include <string.h>

#include "qr.h"
#include "ticket_text.h"

#define CANVAS_HEIGHT 4000
#define MARGIN 8

typedef struct ctx {
  FT_Library lib;
  FT_Face regular, bold;
  mk_bitmap *img;
  int y;     /* the next free row */
  int width; /* of the paper */
  int inset; /* extra margin each side for text inside a frame */
} ctx;

int mk_render_width(int paper_mm) { return paper_mm >= 80 ? 576 : 384; }

/* Next code point of UTF-8 text; invalid bytes become U+FFFD. */
static unsigned long utf8_next(const char **s) {
  const unsigned char *p = (const unsigned char *)*s;
  unsigned long c = p[0];
  int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (n < 0) {
    *s += 1;
    return 0xFFFD;
  }
  c &= n == 0 ? 0x7F : n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07;
  for (int i = 1; i <= n; i++) {
    if ((p[i] & 0xC0) != 0x80) {
      *s += i;
      return 0xFFFD;
    }
    c = (c << 6) | (p[i] & 0x3F);
  }
  *s += n + 1;
  return c;
}

static int advance(FT_Face face, unsigned long cp) {
  if (FT_Load_Char(face, cp, FT_LOAD_DEFAULT) != 0) return 0;
  return (int)(face->glyph->advance.x >> 6);
}

static int text_width(FT_Face face, const char *s, size_t len) {
  const char *end = s + len;
  int w = 0;
  while (s < end && *s) w += advance(face, utf8_next(&s));
  return w;
}

/* Draws one line with its left edge at x and its top at top. */
static void draw_line(ctx *c, FT_Face face, const char *s, size_t len, int x, int top, int ink) {
  const char *end = s + len;
  int baseline = top + (int)(face->size->metrics.ascender >> 6);
  while (s < end && *s) {
    unsigned long cp = utf8_next(&s);
    if (FT_Load_Char(face, cp, FT_LOAD_RENDER) != 0) continue;
    FT_GlyphSlot g = face->glyph;
    const FT_Bitmap *bm = &g->bitmap;
    for (unsigned r = 0; r < bm->rows; r++) {
      for (unsigned col = 0; col < bm->width; col++) {
        int on;
        if (bm->pixel_mode == FT_PIXEL_MODE_MONO)
          on = (bm->buffer[r * (unsigned)bm->pitch + col / 8] >> (7 - col % 8)) & 1;
        else
          on = bm->buffer[r * (unsigned)bm->pitch + col] >= 110;
        if (on) mk_bitmap_set(c->img, x + g->bitmap_left + (int)col, baseline - g->bitmap_top + (int)r, ink);
      }
    }
    x += (int)(g->advance.x >> 6);
  }
}

/* Writes text centred, wrapped at spaces to the paper's width; moves c->y down. */
static void paragraph(ctx *c, FT_Face face, int px, const char *text, int ink) {
  FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px);
  int line_h = (int)(face->size->metrics.height >> 6);
  int avail = c->width - 2 * (MARGIN + c->inset);
  const char *p = text;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    /* Longest run of whole words that fits; a single word too long is cut where it overflows. */
    const char *end = p, *best = NULL;
    for (;;) {
      const char *q = end;
      while (*q == ' ') q++;
      while (*q && *q != ' ') q++;
      if (text_width(face, p, (size_t)(q - p)) > avail) break;
      best = end = q;
      if (!*q) break;
    }
    if (best == NULL) { /* cut the long word */
      const char *q = p;
      while (*q) {
        const char *r = q;
        utf8_next(&r);
        if (text_width(face, p, (size_t)(r - p)) > avail && q != p) break;
        q = r;
      }
      best = q;
    }
    int w = text_width(face, p, (size_t)(best - p));
    draw_line(c, face, p, (size_t)(best - p), (c->width - w) / 2, c->y, ink);
    c->y += line_h;
    p = best;
  }
}

/* A black band with white text. */
static void banner(ctx *c, FT_Face face, int px, const char *text) {
  FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px);
  int line_h = (int)(face->size->metrics.height >> 6);
  mk_bitmap_fill(c->img, MARGIN, c->y, c->width - 2 * MARGIN, line_h + 8, 1);
  c->y += 4;
  paragraph(c, face, px, text, 0);
  c->y += 4 + 6;
}

static void rule(ctx *c) {
  c->y += 6;
  for (int x = MARGIN; x < c->width - MARGIN; x += 1) mk_bitmap_set(c->img, x, c->y, (x / 4) % 2);
  c->y += 8;
}

/* A frame of the given thickness around a rectangle. */
static void frame(ctx *c, int x, int y, int w, int h, int t) {
  mk_bitmap_fill(c->img, x, y, w, t, 1);
  mk_bitmap_fill(c->img, x, y + h - t, w, t, 1);
  mk_bitmap_fill(c->img, x, y, t, h, 1);
  mk_bitmap_fill(c->img, x + w - t, y, t, h, 1);
}

/* The server's suggestion of a quicker branch nearby, framed: the branch with distance, travel time and both
 * waits, its address, and that this ticket stays valid here. */
static void draw_suggestion(ctx *c, const mk_suggestion *s, int big) {
  char line[700];
  c->y += 8;
  int top = c->y;
  c->inset = 10;
  c->y += 8;
  paragraph(c, c->bold, big ? 22 : 18, "Gợi ý: nơi gần đây nhanh hơn", 1);
  mk_text_suggestion(s, line, sizeof(line));
  paragraph(c, c->regular, big ? 22 : 18, line, 1);
  if (s->address[0]) {
    snprintf(line, sizeof(line), "Địa chỉ: %s", s->address);
    paragraph(c, c->regular, big ? 20 : 16, line, 1);
  }
  paragraph(c, c->regular, big ? 20 : 16, MK_TEXT_SUGGESTION_VALID, 1);
  c->y += 8;
  c->inset = 0;
  frame(c, MARGIN + 2, top, c->width - 2 * MARGIN - 4, c->y - top, 2);
  c->y += 8;
}

static int draw_qr(ctx *c, const char *text) {
  mk_qr q;
  if (mk_qr_encode(text, &q) != MK_QR_OK) return -1;
  int scale = (c->width * 55 / 100) / (q.width + 8);
  if (scale < 2) scale = 2;
  int size = (q.width + 8) * scale; /* 4-module quiet zone each side */
  int x0 = (c->width - size) / 2 + 4 * scale, y0 = c->y + 4 * scale;
  for (int y = 0; y < q.width; y++)
    for (int x = 0; x < q.width; x++)
      if (q.modules[y * q.width + x]) mk_bitmap_fill(c->img, x0 + x * scale, y0 + y * scale, scale, scale, 1);
  c->y += size;
  mk_qr_free(&q);
  return 0;
}

int mk_render_ticket(const mk_ticket *t, const mk_render_options *o, mk_bitmap *out, char *err, size_t errlen) {
  ctx c;
  memset(&c, 0, sizeof(c));
  memset(out, 0, sizeof(*out));
  const char *font = o && o->font && o->font[0] ? o->font : MK_RENDER_DEFAULT_FONT;
  const char *bold = o && o->font_bold && o->font_bold[0] ? o->font_bold : MK_RENDER_DEFAULT_FONT_BOLD;
  c.width = mk_render_width(o ? o->paper_mm : 58);
  int big = c.width >= 576;
  int rc = MK_RENDER_OK;
  if (FT_Init_FreeType(&c.lib) != 0) {
    snprintf(err, errlen, "cannot start FreeType");
    return MK_RENDER_ERR_FONT;
  }
  if (FT_New_Face(c.lib, font, 0, &c.regular) != 0) {
    snprintf(err, errlen, "cannot load the font %s", font);
    rc = MK_RENDER_ERR_FONT;
    goto done;
  }
  if (FT_New_Face(c.lib, bold, 0, &c.bold) != 0) {
    snprintf(err, errlen, "cannot load the font %s", bold);
    rc = MK_RENDER_ERR_FONT;
    goto done;
  }
  if (mk_bitmap_init(out, c.width, CANVAS_HEIGHT) != 0) {
    snprintf(err, errlen, "out of memory");
    rc = MK_RENDER_ERR_NOMEM;
    goto done;
  }
  c.img = out;
  c.y = MARGIN;
  char line[700];

  if (t->reprint) banner(&c, c.bold, big ? 28 : 22, "IN LẠI — REPRINT");
  paragraph(&c, c.bold, big ? 28 : 22, t->branch_name[0] ? t->branch_name : t->branch_id, 1);
  rule(&c);
  paragraph(&c, c.regular, big ? 24 : 20, "Số thứ tự của bạn", 1);
  paragraph(&c, c.bold, big ? 150 : 112, t->number, 1);
  paragraph(&c, c.bold, big ? 26 : 21, t->service_name[0] ? t->service_name : t->service_id, 1);
  if (t->priority > 0) {
    snprintf(line, sizeof(line), "Ưu tiên: %s", mk_text_priority_vi(t->priority));
    paragraph(&c, c.regular, big ? 24 : 19, line, 1);
  }
  if (t->appointment_start_ms) {
    mk_text_appointment(t->appointment_start_ms, line, sizeof(line));
    c.y += 4;
    paragraph(&c, c.bold, big ? 26 : 21, line, 1);
  }
  c.y += 6;
  if (t->offline) {
    banner(&c, c.bold, big ? 26 : 20, "NGOẠI TUYẾN — OFFLINE");
    paragraph(&c, c.regular, big ? 22 : 18, "Cấp khi mất kết nối máy chủ; chưa có thời gian chờ dự kiến.", 1);
  } else {
    snprintf(line, sizeof(line), "Số người chờ trước bạn: %u", t->people_ahead);
    paragraph(&c, c.regular, big ? 24 : 20, line, 1);
    if (t->has_estimate) {
      char wait[64];
      mk_text_wait_range(t->p50_seconds, t->p90_seconds, wait, sizeof(wait));
      paragraph(&c, c.regular, big ? 24 : 20, "Thời gian chờ dự kiến:", 1);
      paragraph(&c, c.bold, big ? 26 : 22, wait, 1);
    }
    if (t->has_suggestion) draw_suggestion(&c, &t->suggestion, big);
  }
  char when[40];
  mk_text_hanoi_time(t->issued_at_ms, when, sizeof(when));
  snprintf(line, sizeof(line), "Giờ lấy số: %s", when);
  paragraph(&c, c.regular, big ? 22 : 18, line, 1);
  rule(&c);
  if (t->tracking_url[0]) {
    if (draw_qr(&c, t->tracking_url) != 0) {
      snprintf(err, errlen, "the tracking link does not fit a QR code");
      rc = MK_RENDER_ERR_QR;
      goto done;
    }
  }
  snprintf(line, sizeof(line), "Mã tra cứu: %s", t->tracking_code);
  paragraph(&c, c.bold, big ? 24 : 20, line, 1);
  paragraph(&c, c.regular, big ? 18 : 15, "Quét mã QR để theo dõi lượt của bạn", 1);
  c.y += MARGIN;
  mk_bitmap_crop(out, c.y);
done:
  if (rc != MK_RENDER_OK) mk_bitmap_free(out);
  if (c.regular) FT_Done_Face(c.regular);
  if (c.bold) FT_Done_Face(c.bold);
  FT_Done_FreeType(c.lib);
  return rc;
}

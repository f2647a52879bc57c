/* Sends bytes to the ticket printer: a device (/dev/usb/lp0) or a file. */
#ifndef MK_PRINTER_H
#define MK_PRINTER_H

#include <stddef.h>
#include <stdint.h>

/* Error codes of mk_printer_write(). */
enum {
  MK_PRINTER_OK = 0,
  MK_PRINTER_ERR_MISSING = -1, /* no such device (or, under /dev, no such file: never created there) */
  MK_PRINTER_ERR_IO = -2       /* open, write or flush failed (permission, paper, disk full) */
};

/** Writes all of data to path: an existing device is opened for writing, a regular file is created or
 *  replaced (never under /dev/). Returns MK_PRINTER_OK, MK_PRINTER_ERR_MISSING or MK_PRINTER_ERR_IO; err
 *  names the problem in one line. */
int mk_printer_write(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen);

#endif

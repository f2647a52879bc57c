#include "printer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mk_printer_write(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen) {
  struct stat st;
  int exists = stat(path, &st) == 0;
  if (!exists && strncmp(path, "/dev/", 5) == 0) {
    snprintf(err, errlen, "printer %s is missing (no such device)", path);
    return MK_PRINTER_ERR_MISSING;
  }
  int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
  if (!exists || S_ISREG(st.st_mode)) flags |= O_CREAT | O_TRUNC;
  int fd = open(path, flags, 0644);
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "printer %s %s: %s", path,
             e == ENOENT || e == ENODEV || e == ENXIO ? "is missing" : "cannot be opened", strerror(e));
    return e == ENOENT || e == ENODEV || e == ENXIO ? MK_PRINTER_ERR_MISSING : MK_PRINTER_ERR_IO;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      snprintf(err, errlen, "printer %s failed: %s", path, strerror(errno));
      close(fd);
      return MK_PRINTER_ERR_IO;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
    snprintf(err, errlen, "printer %s failed: %s", path, strerror(errno));
    close(fd);
    return MK_PRINTER_ERR_IO;
  }
  if (close(fd) != 0) {
    snprintf(err, errlen, "printer %s failed: %s", path, strerror(errno));
    return MK_PRINTER_ERR_IO;
  }
  return MK_PRINTER_OK;
}

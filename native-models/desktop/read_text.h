// Reads a paste's text from stdin for the offer helpers, whole, up to a bound.
#ifndef VXD_DESKTOP_READ_TEXT_H
#define VXD_DESKTOP_READ_TEXT_H

#include <stdio.h>
#include <stdlib.h>

#define VXD_MAX_TEXT_BYTES (64u << 20)

// 0 on success (*out malloc'd, *len its size), -1 when out of memory or unreadable, -2 when
// longer than VXD_MAX_TEXT_BYTES.
static int vxd_read_text(FILE *in, unsigned char **out, size_t *len) {
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  if (!buf) return -1;
  for (;;) {
    if (n == cap) {
      if (cap >= VXD_MAX_TEXT_BYTES) { free(buf); return -2; }
      cap *= 2;
      unsigned char *grown = realloc(buf, cap);
      if (!grown) { free(buf); return -1; }
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, in);
    if (got == 0) break;
    n += got;
  }
  if (ferror(in)) { free(buf); return -1; }
  *out = buf;
  *len = n;
  return 0;
}

#endif

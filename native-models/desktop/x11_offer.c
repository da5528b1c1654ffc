// vxd-x11-offer: offers a paste's text on an X11 selection, as xclip would, with two things xclip
// cannot do: it offers more than one target, so the text carries KDE's hint that clipboard
// managers (Klipper, CopyQ) read as "do not record this", and it reports reads of the text alone,
// not of TARGETS or the hint, so a clipboard manager's look at the hint is not taken for the
// target app's paste.
//
//   vxd-x11-offer [-selection clipboard|primary] [-hint TARGET=VALUE]... < text
//
// stderr (where xclip -verbose reports too, so one reader serves both): "owning" once the
// selection is ours, then "served TARGET" after each transfer of the text. Exits 0 when another client takes the selection, 2 on bad usage, 3 when the display
// cannot be opened or the selection not taken, 4 when the text does not fit one transfer (the
// caller falls back to xclip, which does INCR).

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_text.h"

#define MAX_HINTS 8

typedef struct {
  Atom target;
  const char *value;
} Hint;

typedef struct {
  Display *dpy;
  Window win;
  Atom selection;
  Time owned_at;
  const unsigned char *text;
  size_t text_len;
  unsigned char *latin1;  // STRING is Latin-1 (ICCCM); characters beyond it become '?'
  size_t latin1_len;
  Hint hints[MAX_HINTS];
  int hint_count;
  Atom targets, timestamp, utf8, text_plain_utf8, text_plain, text_atom, multiple;
} Offer;

// A requestor that vanished mid-transfer gives BadWindow: not a reason to stop serving others.
static int ignore_x_error(Display *dpy, XErrorEvent *e) {
  (void)dpy;
  (void)e;
  return 0;
}

// UTF-8 to Latin-1; malformed bytes and code points above U+00FF become '?'.
static void to_latin1(Offer *o) {
  o->latin1 = malloc(o->text_len + 1);
  if (!o->latin1) return;  // STRING is then refused; UTF-8 targets still work
  size_t j = 0, i = 0;
  while (i < o->text_len) {
    unsigned char c = o->text[i];
    size_t extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 4;
    int ok = extra < 4 && i + extra < o->text_len;
    unsigned cp = extra == 0 ? c : (unsigned)(c & (0x3F >> extra));
    for (size_t k = 1; ok && k <= extra; k++) {
      if ((o->text[i + k] & 0xC0) != 0x80) ok = 0;
      else cp = (cp << 6) | (o->text[i + k] & 0x3F);
    }
    if (!ok) { o->latin1[j++] = '?'; i += 1; continue; }
    o->latin1[j++] = cp <= 0xFF ? (unsigned char)cp : '?';
    i += extra + 1;
  }
  o->latin1_len = j;
}

// The server's time now: ICCCM asks owners for a real timestamp, not CurrentTime.
static Time server_time(Offer *o) {
  Atom stamp = XInternAtom(o->dpy, "VXD_TIMESTAMP", False);
  XChangeProperty(o->dpy, o->win, stamp, XA_STRING, 8, PropModeAppend, NULL, 0);
  XEvent ev;
  do XWindowEvent(o->dpy, o->win, PropertyChangeMask, &ev);
  while (ev.xproperty.atom != stamp);
  return ev.xproperty.time;
}

static int is_text_target(const Offer *o, Atom t) {
  return t == o->utf8 || t == o->text_plain_utf8 || t == o->text_plain || t == o->text_atom;
}

// Answers one request; returns 1 when the text itself was transferred.
static int answer(Offer *o, const XSelectionRequestEvent *r) {
  XSelectionEvent reply;
  memset(&reply, 0, sizeof reply);
  reply.type = SelectionNotify;
  reply.display = r->display;
  reply.requestor = r->requestor;
  reply.selection = r->selection;
  reply.target = r->target;
  reply.time = r->time;
  reply.property = None;
  // Obsolete clients leave the property None: the target names it then.
  Atom prop = r->property != None ? r->property : r->target;
  int counted = 0;
  int before_us = r->time != CurrentTime && r->time < o->owned_at;
  if (r->selection == o->selection && !before_us) {
    if (r->target == o->targets) {
      Atom list[8 + MAX_HINTS];
      int n = 0;
      list[n++] = o->targets;
      list[n++] = o->timestamp;
      list[n++] = o->utf8;
      list[n++] = o->text_plain_utf8;
      list[n++] = o->text_atom;
      list[n++] = XA_STRING;
      for (int i = 0; i < o->hint_count; i++) list[n++] = o->hints[i].target;
      XChangeProperty(o->dpy, r->requestor, prop, XA_ATOM, 32, PropModeReplace, (unsigned char *)list, n);
      reply.property = prop;
    } else if (r->target == o->timestamp) {
      long t = (long)o->owned_at;
      XChangeProperty(o->dpy, r->requestor, prop, XA_INTEGER, 32, PropModeReplace, (unsigned char *)&t, 1);
      reply.property = prop;
    } else if (is_text_target(o, r->target)) {
      XChangeProperty(o->dpy, r->requestor, prop, o->utf8, 8, PropModeReplace, o->text, (int)o->text_len);
      reply.property = prop;
      counted = 1;
    } else if (r->target == XA_STRING && o->latin1) {
      XChangeProperty(o->dpy, r->requestor, prop, XA_STRING, 8, PropModeReplace, o->latin1, (int)o->latin1_len);
      reply.property = prop;
      counted = 1;
    } else {
      for (int i = 0; i < o->hint_count; i++) {
        if (r->target != o->hints[i].target) continue;
        XChangeProperty(o->dpy, r->requestor, prop, r->target, 8, PropModeReplace,
                        (const unsigned char *)o->hints[i].value, (int)strlen(o->hints[i].value));
        reply.property = prop;
      }
    }
  }
  XSendEvent(o->dpy, r->requestor, False, NoEventMask, (XEvent *)&reply);
  XFlush(o->dpy);
  return counted && reply.property != None;
}

static int usage(void) {
  fprintf(stderr, "usage: vxd-x11-offer [-selection clipboard|primary] [-hint TARGET=VALUE]... < text\n");
  return 2;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);  // a caller that went away must not end the offer mid-request
  Offer o;
  memset(&o, 0, sizeof o);
  const char *selection = "CLIPBOARD";
  const char *hint_args[MAX_HINTS];
  int hints = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-selection") == 0 && i + 1 < argc) {
      const char *s = argv[++i];
      if (strcmp(s, "clipboard") == 0) selection = "CLIPBOARD";
      else if (strcmp(s, "primary") == 0) selection = "PRIMARY";
      else return usage();
    } else if (strcmp(argv[i], "-hint") == 0 && i + 1 < argc) {
      if (hints == MAX_HINTS || !strchr(argv[i + 1], '=') || argv[i + 1][0] == '=') return usage();
      hint_args[hints++] = argv[++i];
    } else {
      return usage();
    }
  }

  unsigned char *text = NULL;
  int r = vxd_read_text(stdin, &text, &o.text_len);
  if (r == -2) { fprintf(stderr, "vxd-x11-offer: the text is larger than %u bytes\n", VXD_MAX_TEXT_BYTES); return 4; }
  if (r != 0) { fprintf(stderr, "vxd-x11-offer: cannot read the text\n"); return 2; }
  o.text = text;
  to_latin1(&o);

  o.dpy = XOpenDisplay(NULL);
  if (!o.dpy) { fprintf(stderr, "vxd-x11-offer: cannot open the display (is DISPLAY set?)\n"); return 3; }
  XSetErrorHandler(ignore_x_error);
  long max_request = XExtendedMaxRequestSize(o.dpy);
  if (max_request == 0) max_request = XMaxRequestSize(o.dpy);
  if (o.text_len + 256 > (size_t)max_request * 4) {
    fprintf(stderr, "vxd-x11-offer: the text does not fit one transfer (%zu bytes)\n", o.text_len);
    return 4;
  }
  o.selection = XInternAtom(o.dpy, selection, False);
  o.targets = XInternAtom(o.dpy, "TARGETS", False);
  o.timestamp = XInternAtom(o.dpy, "TIMESTAMP", False);
  o.utf8 = XInternAtom(o.dpy, "UTF8_STRING", False);
  o.text_plain_utf8 = XInternAtom(o.dpy, "text/plain;charset=utf-8", False);
  o.text_plain = XInternAtom(o.dpy, "text/plain", False);
  o.text_atom = XInternAtom(o.dpy, "TEXT", False);
  for (int i = 0; i < hints; i++) {
    const char *eq = strchr(hint_args[i], '=');
    char name[256];
    size_t len = (size_t)(eq - hint_args[i]);
    if (len >= sizeof name) return usage();
    memcpy(name, hint_args[i], len);
    name[len] = '\0';
    o.hints[o.hint_count].target = XInternAtom(o.dpy, name, False);
    o.hints[o.hint_count].value = eq + 1;
    o.hint_count++;
  }

  o.win = XCreateSimpleWindow(o.dpy, DefaultRootWindow(o.dpy), 0, 0, 1, 1, 0, 0, 0);
  XSelectInput(o.dpy, o.win, PropertyChangeMask);
  o.owned_at = server_time(&o);
  XSetSelectionOwner(o.dpy, o.selection, o.win, o.owned_at);
  if (XGetSelectionOwner(o.dpy, o.selection) != o.win) {
    fprintf(stderr, "vxd-x11-offer: could not take the %s selection\n", selection);
    return 3;
  }
  fprintf(stderr, "owning\n");

  for (;;) {
    XEvent ev;
    XNextEvent(o.dpy, &ev);
    if (ev.type == SelectionClear && ev.xselectionclear.selection == o.selection) break;
    if (ev.type != SelectionRequest) continue;
    if (answer(&o, &ev.xselectionrequest)) {
      char *name = XGetAtomName(o.dpy, ev.xselectionrequest.target);
      fprintf(stderr, "served %s\n", name ? name : "?");
      if (name) XFree(name);
    }
  }
  XCloseDisplay(o.dpy);
  free(text);
  free(o.latin1);
  return 0;
}

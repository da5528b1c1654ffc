// vxd-wl-offer: offers a paste's text on the Wayland clipboard through the data-control protocol
// (wlroots compositors such as sway, Hyprland; KDE), which needs neither a surface nor keyboard
// focus. What wl-copy cannot: it offers KDE's pass-through hint beside the text, so Klipper and
// `wl-paste --watch` managers leave it out of their history, and it reports each read of the
// text, so the paste's receipt is known instead of guessed. The twin of x11_offer.c.
//
//   vxd-wl-offer [-hint TYPE=VALUE]... < text
//
// stderr: "owning" once the selection is ours, then "served TYPE" after each transfer of the
// text. Exits 0 when another client takes the selection, 2 on bad usage, 3 when the compositor
// cannot be reached or has no data-control (GNOME: the caller falls back to wl-copy).

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>

#include "read_text.h"
#include "wlr-data-control-unstable-v1-client-protocol.h"

#define MAX_HINTS 8

static const char *const TEXT_TYPES[] = {"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT"};
#define TEXT_TYPE_COUNT (sizeof TEXT_TYPES / sizeof TEXT_TYPES[0])

typedef struct {
  char type[256];
  const char *value;
} Hint;

typedef struct {
  struct wl_seat *seat;
  struct zwlr_data_control_manager_v1 *manager;
  unsigned char *text;
  size_t text_len;
  Hint hints[MAX_HINTS];
  int hint_count;
  int done;
} Offer;

static void write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader went away: nothing to finish
    p += n;
    len -= (size_t)n;
  }
}

static void source_send(void *data, struct zwlr_data_control_source_v1 *source, const char *type, int32_t fd) {
  (void)source;
  Offer *o = data;
  int text = 0;
  for (size_t i = 0; i < TEXT_TYPE_COUNT; i++) text |= strcmp(type, TEXT_TYPES[i]) == 0;
  if (text) {
    write_all(fd, o->text, o->text_len);
  } else {
    for (int i = 0; i < o->hint_count; i++) {
      if (strcmp(type, o->hints[i].type) == 0) write_all(fd, o->hints[i].value, strlen(o->hints[i].value));
    }
  }
  close(fd);
  if (text) fprintf(stderr, "served %s\n", type);
}

static void source_cancelled(void *data, struct zwlr_data_control_source_v1 *source) {
  (void)source;
  ((Offer *)data)->done = 1;
}

static const struct zwlr_data_control_source_v1_listener source_listener = {source_send, source_cancelled};

// Offers made by others (the selection as it was): not ours to read, only to let go of.
static void device_data_offer(void *data, struct zwlr_data_control_device_v1 *device, struct zwlr_data_control_offer_v1 *offer) {
  (void)data;
  (void)device;
  (void)offer;
}
static void device_selection(void *data, struct zwlr_data_control_device_v1 *device, struct zwlr_data_control_offer_v1 *offer) {
  (void)data;
  (void)device;
  if (offer) zwlr_data_control_offer_v1_destroy(offer);
}
static void device_finished(void *data, struct zwlr_data_control_device_v1 *device) {
  (void)device;
  ((Offer *)data)->done = 1;
}
static void device_primary_selection(void *data, struct zwlr_data_control_device_v1 *device, struct zwlr_data_control_offer_v1 *offer) {
  device_selection(data, device, offer);
}

static const struct zwlr_data_control_device_v1_listener device_listener = {
    device_data_offer, device_selection, device_finished, device_primary_selection};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
  Offer *o = data;
  if (strcmp(interface, wl_seat_interface.name) == 0 && !o->seat) {
    o->seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
  } else if (strcmp(interface, zwlr_data_control_manager_v1_interface.name) == 0) {
    o->manager = wl_registry_bind(registry, name, &zwlr_data_control_manager_v1_interface, version < 2 ? version : 2);
  }
}
static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
  (void)data;
  (void)registry;
  (void)name;
}
static const struct wl_registry_listener registry_listener = {registry_global, registry_global_remove};

static int usage(void) {
  fprintf(stderr, "usage: vxd-wl-offer [-hint TYPE=VALUE]... < text\n");
  return 2;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);  // a reader that closes early must not end the offer
  Offer o;
  memset(&o, 0, sizeof o);
  for (int i = 1; i < argc; i++) {
    const char *eq = i + 1 < argc ? strchr(argv[i + 1], '=') : NULL;
    if (strcmp(argv[i], "-hint") != 0 || !eq || eq == argv[i + 1] || o.hint_count == MAX_HINTS) return usage();
    size_t len = (size_t)(eq - argv[i + 1]);
    if (len >= sizeof o.hints[0].type) return usage();
    memcpy(o.hints[o.hint_count].type, argv[i + 1], len);
    o.hints[o.hint_count].type[len] = '\0';
    o.hints[o.hint_count].value = eq + 1;
    o.hint_count++;
    i++;
  }
  if (vxd_read_text(stdin, &o.text, &o.text_len) != 0) { fprintf(stderr, "vxd-wl-offer: cannot read the text\n"); return 2; }

  struct wl_display *display = wl_display_connect(NULL);
  if (!display) { fprintf(stderr, "vxd-wl-offer: cannot reach the Wayland compositor (is WAYLAND_DISPLAY set?)\n"); return 3; }
  struct wl_registry *registry = wl_display_get_registry(display);
  wl_registry_add_listener(registry, &registry_listener, &o);
  wl_display_roundtrip(display);
  if (!o.seat || !o.manager) {
    fprintf(stderr, "vxd-wl-offer: the compositor has no %s\n", o.seat ? "data-control protocol" : "seat");
    return 3;
  }

  struct zwlr_data_control_source_v1 *source = zwlr_data_control_manager_v1_create_data_source(o.manager);
  zwlr_data_control_source_v1_add_listener(source, &source_listener, &o);
  for (size_t i = 0; i < TEXT_TYPE_COUNT; i++) zwlr_data_control_source_v1_offer(source, TEXT_TYPES[i]);
  for (int i = 0; i < o.hint_count; i++) zwlr_data_control_source_v1_offer(source, o.hints[i].type);
  struct zwlr_data_control_device_v1 *device = zwlr_data_control_manager_v1_get_data_device(o.manager, o.seat);
  zwlr_data_control_device_v1_add_listener(device, &device_listener, &o);
  zwlr_data_control_device_v1_set_selection(device, source);
  // Once the compositor has answered after set_selection, the selection is ours.
  if (wl_display_roundtrip(display) < 0) { fprintf(stderr, "vxd-wl-offer: the compositor closed the connection\n"); return 3; }
  if (o.done) { fprintf(stderr, "vxd-wl-offer: the selection was not taken\n"); return 3; }
  fprintf(stderr, "owning\n");

  while (!o.done && wl_display_dispatch(display) != -1) {
  }
  zwlr_data_control_source_v1_destroy(source);
  zwlr_data_control_device_v1_destroy(device);
  wl_display_disconnect(display);
  free(o.text);
  return 0;
}

/*
 * A stand-in for libpcaudio.so.0 in the espeak-ng bundle. libespeak-ng links it for sound-card
 * playback, which the data generator never uses (it synthesises with AUDIO_OUTPUT_SYNCHRONOUS into a
 * callback); the real library drags in ALSA, PulseAudio, X11 and codecs that the GPU machine lacks.
 * Every entry point reports "no device" so a playback request fails cleanly instead of crashing.
 */
#include <stddef.h>
#include <stdint.h>

struct audio_object;

struct audio_object *create_audio_device_object(const char *device, const char *application_name, const char *description) {
  (void)device; (void)application_name; (void)description;
  return NULL;
}
int audio_object_open(struct audio_object *o, int format, uint32_t rate, uint8_t channels) {
  (void)o; (void)format; (void)rate; (void)channels;
  return -1;
}
void audio_object_close(struct audio_object *o) { (void)o; }
void audio_object_destroy(struct audio_object *o) { (void)o; }
int audio_object_write(struct audio_object *o, const void *data, size_t bytes) { (void)o; (void)data; (void)bytes; return -1; }
int audio_object_drain(struct audio_object *o) { (void)o; return -1; }
int audio_object_flush(struct audio_object *o) { (void)o; return -1; }
const char *audio_object_strerror(struct audio_object *o, int error) { (void)o; (void)error; return "no audio device (pcaudio stub)"; }

/*
 * espeak_words: synthesize utterances with the espeak-ng library and report each word's start sample.
 *
 * Jobs come on stdin, one per line: voice \t rate_wpm \t pitch(0-100) \t range(0-100) \t text
 * For each job it writes to stdout a framed record:
 *   "UTT <n_samples> <n_words> <sample_rate>\n", then n_words lines "<text_position> <length> <sample>\n",
 *   then n_samples little-endian int16 samples.
 * A job that fails writes "ERR <message>\n" and the program goes on with the next line.
 * Word positions come from espeakEVENT_WORD events (`sample` counts samples from the start of the
 * synthesis call when the output is synchronous), which is what makes timings exact rather than guessed.
 */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 8192
#define MAX_WORDS 1024
#define MAX_SAMPLES (22050 * 120) /* two minutes per utterance is far beyond any job */

typedef struct { int text_position, length, sample; } Word;

static short *g_audio;
static int g_n_samples, g_n_words, g_overflow;
static Word g_words[MAX_WORDS];

static int on_synth(short *wav, int n, espeak_EVENT *events) {
  for (espeak_EVENT *e = events; e && e->type != espeakEVENT_LIST_TERMINATED; e++) {
    if (e->type != espeakEVENT_WORD) continue;
    if (g_n_words >= MAX_WORDS) { g_overflow = 1; continue; }
    g_words[g_n_words].text_position = e->text_position;
    g_words[g_n_words].length = e->length;
    g_words[g_n_words].sample = e->sample;
    g_n_words++;
  }
  if (wav && n > 0) {
    if (g_n_samples + n > MAX_SAMPLES) { g_overflow = 1; return 1; /* abort synthesis */ }
    memcpy(g_audio + g_n_samples, wav, (size_t)n * sizeof(short));
    g_n_samples += n;
  }
  return 0;
}

static int split_fields(char *line, char **fields, int n_fields) {
  for (int i = 0; i < n_fields - 1; i++) {
    fields[i] = line;
    char *tab = strchr(line, '\t');
    if (!tab) return 0;
    *tab = '\0';
    line = tab + 1;
  }
  fields[n_fields - 1] = line;
  return 1;
}

int main(int argc, char **argv) {
  const char *data_path = argc > 1 ? argv[1] : NULL; /* folder that holds espeak-ng-data, or NULL */
  int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0);
  if (rate <= 0) { fprintf(stderr, "espeak_Initialize failed (data path %s)\n", data_path ? data_path : "default"); return 2; }
  g_audio = malloc((size_t)MAX_SAMPLES * sizeof(short));
  if (!g_audio) { fprintf(stderr, "out of memory\n"); return 2; }
  espeak_SetSynthCallback(on_synth);
  static char line[MAX_LINE];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) continue;
    char *f[5];
    if (!split_fields(line, f, 5)) { printf("ERR malformed job line\n"); fflush(stdout); continue; }
    if (espeak_SetVoiceByName(f[0]) != EE_OK) { printf("ERR unknown voice %s\n", f[0]); fflush(stdout); continue; }
    espeak_SetParameter(espeakRATE, atoi(f[1]), 0);
    espeak_SetParameter(espeakPITCH, atoi(f[2]), 0);
    espeak_SetParameter(espeakRANGE, atoi(f[3]), 0);
    g_n_samples = g_n_words = g_overflow = 0;
    espeak_ERROR err = espeak_Synth(f[4], strlen(f[4]) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
    if (err == EE_OK) err = espeak_Synchronize();
    if (err != EE_OK || g_overflow) { printf("ERR synthesis failed (%d%s)\n", (int)err, g_overflow ? ", too long" : ""); fflush(stdout); continue; }
    printf("UTT %d %d %d\n", g_n_samples, g_n_words, rate);
    for (int i = 0; i < g_n_words; i++) printf("%d %d %d\n", g_words[i].text_position, g_words[i].length, g_words[i].sample);
    fflush(stdout);
    fwrite(g_audio, sizeof(short), (size_t)g_n_samples, stdout);
    fflush(stdout);
  }
  espeak_Terminate();
  free(g_audio);
  return 0;
}

/*
 * vxd.h — C API of the Voxtral Dictate speech engine.
 *
 * The engine loads a model.pte/model.ptd pair (docs/architecture.md "Model files") and turns
 * 16 kHz mono float audio into Voxtral Realtime token ids, streaming, exactly like the reference.
 *
 * Usage:
 *   vxd_model_params mp; vxd_model_default_params(&mp);
 *   mp.pte_path = "model.pte"; mp.backend = "cpu"; mp.dtype = "fp32";
 *   vxd_model* m = NULL;
 *   if (vxd_model_load(&mp, &m) != VXD_OK) fprintf(stderr, "%s\n", vxd_last_error());
 *   vxd_session_params sp; vxd_session_default_params(&sp);
 *   vxd_session* s = NULL; vxd_session_create(m, &sp, &s);
 *   vxd_session_push(s, pcm, n);                  // queue audio (cheap, no compute)
 *   int32_t ids[64]; size_t got;
 *   vxd_session_decode(s, ids, 64, &got);         // run every step the queued audio allows
 *   vxd_session_finish(s);                        // end of audio: right pad (spec §6)
 *   do vxd_session_decode(s, ids, 64, &got); while (got > 0);
 *   vxd_session_destroy(s); vxd_model_free(m);
 *
 * Threading contract:
 *   - A vxd_session must be used by one thread at a time (calls on one session are not synchronised).
 *   - Sessions of one model may be driven from different threads concurrently: the weights are
 *     read-only and every session owns its caches and scratch. Their steps are serialised on the
 *     model's compute pool (one step of one session at a time uses all the model's threads).
 *   - vxd_model_free must not be called while a session of that model exists.
 *   - vxd_last_error() is per calling thread.
 * No C++ exception crosses this API; every failure is a vxd_status plus vxd_last_error().
 */
#ifndef VXD_H
#define VXD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VXD_API __declspec(dllexport)
#else
#define VXD_API __attribute__((visibility("default")))
#endif

typedef enum vxd_status {
  VXD_OK = 0,
  VXD_ERR_INVALID_ARGUMENT = 1, /* null pointer, bad struct_size, bad option value */
  VXD_ERR_IO = 2,               /* file missing or unreadable */
  VXD_ERR_FORMAT = 3,           /* .pte/.ptd corrupt, mismatched or not ours */
  VXD_ERR_UNSUPPORTED = 4,      /* valid file but a dtype/quant/backend combination we cannot run */
  VXD_ERR_BACKEND_UNAVAILABLE = 5, /* e.g. cuda requested but no driver/GPU */
  VXD_ERR_OUT_OF_MEMORY = 6,    /* memory budget exceeded or allocation failed */
  VXD_ERR_STATE = 7,            /* call not allowed now (e.g. push after finish, capture disabled) */
  VXD_ERR_INTERNAL = 8
} vxd_status;

VXD_API const char* vxd_status_str(vxd_status status);
/* Message of the last failed call on this thread ("" if none). Valid until the next failing call. */
VXD_API const char* vxd_last_error(void);

typedef struct vxd_model vxd_model;
typedef struct vxd_session vxd_session;

/* Progress during load: fraction in [0,1] and a short stage name ("mapping", "weights", "ready"). */
typedef void (*vxd_progress_fn)(float fraction, const char* stage, void* user);

typedef struct vxd_model_params {
  size_t struct_size;          /* = sizeof(vxd_model_params); lets the struct grow compatibly */
  const char* pte_path;        /* required */
  const char* ptd_path;        /* NULL: model.ptd beside the .pte (same stem, .ptd) */
  const char* backend;         /* "cpu" (default) or "cuda" */
  const char* dtype;           /* activation dtype: "fp32" (default) or "bf16" */
  int32_t n_threads;           /* CPU compute threads; 0 = hardware concurrency */
  uint64_t memory_budget_bytes;/* refuse to load above this (weights + caches); 0 = 80 % of RAM on
                                  the CPU; a GPU is checked against its free memory as well */
  vxd_progress_fn progress;    /* optional */
  void* progress_user;
  /* A device backend's device: its id ("GPU-<uuid>", as vxd_backends_json lists it) or index
   * ("0"); NULL or "" = VXD_CUDA_DEVICE, else the first usable one. An absent or unusable device
   * is refused (VXD_ERR_BACKEND_UNAVAILABLE), never swapped for another. Ignored by the CPU. */
  const char* device;
} vxd_model_params;

VXD_API void vxd_model_default_params(vxd_model_params* params);
VXD_API vxd_status vxd_model_load(const vxd_model_params* params, vxd_model** out_model);
VXD_API void vxd_model_free(vxd_model* model);

/* Integer configuration value by constant-method name (e.g. "dim", "eos_id"). */
VXD_API vxd_status vxd_model_config_int(const vxd_model* model, const char* name, int64_t* out);
/* JSON object of the whole constant-method configuration plus "backend", "dtype", "weightBytes",
 * "cacheBytesPerSession". Owned by the model. */
VXD_API const char* vxd_model_info_json(const vxd_model* model);

/* Backends compiled in or loadable: a JSON array [{"id","available","name","reason"?,"devices"}],
 * devices = [{"id","index","name","memoryBytes","compute","usable","reason"?}] (a device backend's
 * GPUs, usable or not; [] for the CPU). */
VXD_API const char* vxd_backends_json(void);

/* Capture flags (parity tests; tiny models only). Layouts: see vxd_session_capture. */
enum {
  VXD_CAPTURE_MEL = 1u << 0,          /* [T_mel, n_mels], frame-major from padded frame 0 */
  VXD_CAPTURE_ENCODER = 1u << 1,      /* [T_enc, enc_dim], final-norm encoder output rows */
  VXD_CAPTURE_AUDIO_EMBEDS = 1u << 2, /* [n_audio, dim], adapter output rows */
  VXD_CAPTURE_LOGITS = 1u << 3        /* [n_steps, vocab], from the prefill's last position on */
};

typedef struct vxd_session_params {
  size_t struct_size;          /* = sizeof(vxd_session_params) */
  uint32_t capture_mask;       /* VXD_CAPTURE_* bits; refused when the arrays would be huge */
} vxd_session_params;

VXD_API void vxd_session_default_params(vxd_session_params* params);
VXD_API vxd_status vxd_session_create(vxd_model* model, const vxd_session_params* params, vxd_session** out);
VXD_API void vxd_session_destroy(vxd_session* session);

/* Queue n samples of 16 kHz mono audio (copied). No compute happens here. */
VXD_API vxd_status vxd_session_push(vxd_session* session, const float* pcm, size_t n);
/* Declare the end of the audio: pads the tail (multiple of 1280 + 17 x 1280 + 40 look-ahead). */
VXD_API vxd_status vxd_session_finish(vxd_session* session);
/* Run decode steps while queued audio allows, up to `capacity` tokens; writes the sampled ids
 * (pads included, EOS included) to out_ids and their count to *out_count. 0 tokens means "needs
 * more audio" or "done" (see vxd_session_stats.done). */
VXD_API vxd_status vxd_session_decode(vxd_session* session, int32_t* out_ids, size_t capacity, size_t* out_count);

typedef struct vxd_session_stats {
  size_t struct_size;
  int64_t steps;            /* decoder steps run (the prefill counts as one) */
  int64_t tokens;           /* tokens sampled */
  int64_t next_position;    /* decoder position of the next sampled token */
  double total_step_ms;     /* wall time spent in steps (prefill included) */
  double prefill_ms;
  int32_t eos;              /* 1 once EOS was sampled */
  int32_t done;             /* 1 when finished and nothing more will be produced */
  int64_t samples_pushed;   /* real samples received */
  /* Prompt tokens copied from the model's saved silent prefix instead of computed (the tokens
   * that hear only the stream's left pad of zeros are the same for every session). */
  int64_t reused_prefix_tokens;
} vxd_session_stats;

VXD_API vxd_status vxd_session_get_stats(const vxd_session* session, vxd_session_stats* out);

/* Captured array (flag = one VXD_CAPTURE_* bit). Pointer valid until the next call on the session. */
VXD_API vxd_status vxd_session_capture(const vxd_session* session, uint32_t flag, const float** data,
                                       size_t* rows, size_t* cols);

#ifdef __cplusplus
}
#endif
#endif /* VXD_H */

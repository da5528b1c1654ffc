// The C API (vxd.h): argument checks, model loading with the memory budget, and the boundary
// where vxd::Error and every other exception become a vxd_status + thread-local message.
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <new>
#include <sstream>
#include <string>

#include "../include/vxd.h"
#include "error.h"
#include "format/mapped_file.h"
#include "json_text.h"
#include "model/model.h"
#include "session/session.h"

struct vxd_model {
  vxd::Model m;
};
struct vxd_session {
  std::unique_ptr<vxd::Session> s;
};

namespace {

thread_local std::string g_last_error;

template <typename F>
vxd_status guarded(F&& f) {
  try {
    f();
    return VXD_OK;
  } catch (const vxd::Error& e) {
    g_last_error = e.what();
    return e.status();
  } catch (const std::bad_alloc&) {
    g_last_error = "out of memory";
    return VXD_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    g_last_error = std::string("internal error: ") + e.what();
    return VXD_ERR_INTERNAL;
  } catch (...) {
    g_last_error = "internal error";
    return VXD_ERR_INTERNAL;
  }
}

uint64_t physical_memory() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

std::string default_ptd_path(const std::string& pte) {
  std::string base = pte;
  size_t slash = base.find_last_of('/');
  size_t dot = base.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) base = base.substr(0, dot);
  return base + ".ptd";
}

// Room a device keeps beyond weights and caches: the kernels' scratch, captured graphs, the
// runtime's own allocations.
constexpr uint64_t kDeviceHeadroom = 256ull << 20;

std::string mib(uint64_t b) { return std::to_string((b + (1 << 19)) >> 20) + " MiB"; }

void load_model(const vxd_model_params& p, vxd::Model& m) {
  using namespace vxd;
  if (!p.pte_path || !*p.pte_path) fail(VXD_ERR_INVALID_ARGUMENT, "pte_path is required");
  const std::string backend = p.backend && *p.backend ? p.backend : "cpu";
  const std::string dtype = p.dtype && *p.dtype ? p.dtype : "fp32";
  if (dtype != "fp32" && dtype != "bf16") fail(VXD_ERR_INVALID_ARGUMENT, "unknown dtype '" + dtype + "' (expected fp32 or bf16)");
  auto progress = [&](float f, const char* stage) {
    if (p.progress) p.progress(f, stage, p.progress_user);
  };
  progress(0.0f, "reading");
  {
    MappedFile pte(p.pte_path);
    m.program = parse_pte(pte.data(), pte.size(), p.pte_path);
  }
  m.config = read_config(m.program, p.pte_path);
  const std::string ptd_path = p.ptd_path && *p.ptd_path ? p.ptd_path : default_ptd_path(p.pte_path);
  m.ptd = std::make_unique<PtdFile>(ptd_path);
  m.act_dtype = dtype == "bf16" ? DType::BF16 : DType::F32;
  m.dtype_name = dtype;
  // Validate every tensor and size the memory before allocating anything.
  m.weight_bytes = weight_bytes(*m.ptd, m.config);
  m.session_bytes = Workspace::bytes_needed(m.config, m.act_dtype, m.config.prompt_length());
  const std::string smaller = dtype == "fp32" ? " (try --dtype bf16 or a quantized pack)" : " (try a quantized pack)";
  // The silent prefix (src/model/silent_prefix.h) is kept once per model, beside the weights.
  const uint64_t need = m.weight_bytes + SilentPrefix::bytes_needed(m.config, m.act_dtype) + m.session_bytes;
  const auto needs = [&] { return "model needs " + mib(m.weight_bytes) + " of weights + " + mib(m.session_bytes) + " per session"; };
  // The host budget guards host memory: a device backend's weights live on its device.
  const uint64_t budget = p.memory_budget_bytes ? p.memory_budget_bytes : backend == "cpu" ? physical_memory() / 10 * 8 : 0;
  if (budget && need > budget) fail(VXD_ERR_OUT_OF_MEMORY, needs() + ", over the memory budget of " + mib(budget) + smaller);
  BackendOptions bo;
  bo.n_threads = p.n_threads;
  if (p.struct_size >= offsetof(vxd_model_params, device) + sizeof(p.device) && p.device) bo.device = p.device;
  m.backend = create_backend(backend, bo);
  if (const auto dev = m.backend->device_memory()) {
    // Checked up front: a device allocation failing halfway through the weights says far less.
    if (need + kDeviceHeadroom > dev->free_bytes)
      fail(VXD_ERR_OUT_OF_MEMORY, needs() + ", and " + dev->name + " has " + mib(dev->free_bytes) + " free" + smaller);
    m.device_id = dev->id;
    m.device_name = dev->name;
  }
  progress(0.02f, "weights");
  m.weights = load_weights(*m.ptd, m.config, *m.backend, [&](float f) { progress(0.02f + 0.88f * f, "weights"); });
  m.mel = std::make_unique<LogMel>(m.config.global_log_mel_max, static_cast<int>(m.config.num_mel_bins), static_cast<int>(m.config.window_size),
                                   static_cast<int>(m.config.hop_length), static_cast<int>(m.config.sample_rate));
  // The prompt's first tokens are the same for every session: computed now, so that even the
  // first dictation prefills only the rest (src/model/silent_prefix.h).
  progress(0.9f, "preparing");
  // (A throwaway session allocates a whole workspace: none where the prefix is off.)
  if (silent_prefix_enabled(*m.backend)) Session(m, 0).keep_silent_prefix();
  std::string cfg = config_json(m.program);
  std::ostringstream info;
  info << cfg.substr(0, cfg.size() - 1) << (cfg.size() > 2 ? "," : "") << "\"backend\":\"" << m.backend->id() << "\",\"dtype\":\""
       << dtype << "\",\"weightBytes\":" << m.weight_bytes << ",\"cacheBytesPerSession\":" << m.session_bytes;
  if (!m.device_id.empty()) {
    info << ",\"deviceId\":";
    write_json_string(info, m.device_id);
    info << ",\"deviceName\":";
    write_json_string(info, m.device_name);
  }
  info << "}";
  m.info_json = info.str();
  progress(1.0f, "ready");
}

}  // namespace

extern "C" {

const char* vxd_status_str(vxd_status s) {
  switch (s) {
    case VXD_OK: return "ok";
    case VXD_ERR_INVALID_ARGUMENT: return "invalid argument";
    case VXD_ERR_IO: return "i/o error";
    case VXD_ERR_FORMAT: return "bad model file";
    case VXD_ERR_UNSUPPORTED: return "unsupported";
    case VXD_ERR_BACKEND_UNAVAILABLE: return "backend unavailable";
    case VXD_ERR_OUT_OF_MEMORY: return "out of memory";
    case VXD_ERR_STATE: return "invalid state";
    case VXD_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

const char* vxd_last_error(void) { return g_last_error.c_str(); }

void vxd_model_default_params(vxd_model_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof(*p));
  p->struct_size = sizeof(*p);
  p->backend = "cpu";
  p->dtype = "fp32";
}

vxd_status vxd_model_load(const vxd_model_params* params, vxd_model** out) {
  return guarded([&] {
    // A caller built against the header before `device` passes the shorter struct; it is read
    // only as far as struct_size says.
    if (!params || !out || params->struct_size < offsetof(vxd_model_params, device))
      vxd::fail(VXD_ERR_INVALID_ARGUMENT, "vxd_model_load: null argument or old vxd_model_params");
    *out = nullptr;
    auto model = std::make_unique<vxd_model>();
    load_model(*params, model->m);
    *out = model.release();
  });
}

void vxd_model_free(vxd_model* model) { delete model; }

vxd_status vxd_model_config_int(const vxd_model* model, const char* name, int64_t* out) {
  return guarded([&] {
    if (!model || !name || !out) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null argument");
    auto it = model->m.program.constants.find(name);
    if (it == model->m.program.constants.end() || !std::holds_alternative<int64_t>(it->second))
      vxd::fail(VXD_ERR_INVALID_ARGUMENT, std::string("no integer configuration value ") + name);
    *out = std::get<int64_t>(it->second);
  });
}

const char* vxd_model_info_json(const vxd_model* model) { return model ? model->m.info_json.c_str() : "{}"; }

const char* vxd_backends_json(void) {
  thread_local std::string json;
  std::ostringstream o;
  o << "[";
  bool first = true;
  for (const auto& b : vxd::list_backends()) {
    o << (first ? "" : ",") << "{\"id\":";
    vxd::write_json_string(o, b.id);
    o << ",\"available\":" << (b.available ? "true" : "false") << ",\"name\":";
    vxd::write_json_string(o, b.name);
    if (!b.reason.empty()) {
      o << ",\"reason\":";
      vxd::write_json_string(o, b.reason);
    }
    o << ",\"devices\":[";
    for (size_t i = 0; i < b.devices.size(); ++i) {
      const auto& d = b.devices[i];
      o << (i ? "," : "") << "{\"id\":";
      vxd::write_json_string(o, d.id);
      o << ",\"index\":" << d.index << ",\"name\":";
      vxd::write_json_string(o, d.name);
      o << ",\"memoryBytes\":" << d.memory_bytes << ",\"compute\":";
      vxd::write_json_string(o, d.compute);
      o << ",\"usable\":" << (d.usable ? "true" : "false");
      if (!d.reason.empty()) {
        o << ",\"reason\":";
        vxd::write_json_string(o, d.reason);
      }
      o << "}";
    }
    o << "]}";
    first = false;
  }
  o << "]";
  json = o.str();
  return json.c_str();
}

void vxd_session_default_params(vxd_session_params* p) {
  if (!p) return;
  std::memset(p, 0, sizeof(*p));
  p->struct_size = sizeof(*p);
}

vxd_status vxd_session_create(vxd_model* model, const vxd_session_params* params, vxd_session** out) {
  return guarded([&] {
    if (!model || !out || (params && params->struct_size < sizeof(vxd_session_params)))
      vxd::fail(VXD_ERR_INVALID_ARGUMENT, "vxd_session_create: null argument or old vxd_session_params");
    *out = nullptr;
    uint32_t mask = params ? params->capture_mask : 0;
    const vxd::ModelConfig& c = model->m.config;
    // Captures are for parity tests of small models; refuse where they would be huge.
    if (mask & ~0xFu) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "unknown capture flags");
    if ((mask & VXD_CAPTURE_LOGITS) && c.vocab_size > 65536)
      vxd::fail(VXD_ERR_INVALID_ARGUMENT, "logit capture is for small models only (vocab " + std::to_string(c.vocab_size) + " > 65536)");
    if ((mask & (VXD_CAPTURE_ENCODER | VXD_CAPTURE_AUDIO_EMBEDS)) && (c.dim > 4096 || c.enc_dim > 4096))
      vxd::fail(VXD_ERR_INVALID_ARGUMENT, "activation capture is for small models only");
    auto s = std::make_unique<vxd_session>();
    s->s = std::make_unique<vxd::Session>(model->m, mask);
    *out = s.release();
  });
}

void vxd_session_destroy(vxd_session* s) { delete s; }

vxd_status vxd_session_push(vxd_session* s, const float* pcm, size_t n) {
  return guarded([&] {
    if (!s || (!pcm && n)) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null argument");
    s->s->push(pcm, n);
  });
}

vxd_status vxd_session_finish(vxd_session* s) {
  return guarded([&] {
    if (!s) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null session");
    s->s->finish();
  });
}

vxd_status vxd_session_decode(vxd_session* s, int32_t* out, size_t capacity, size_t* count) {
  return guarded([&] {
    if (!s || !count || (!out && capacity)) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null argument");
    *count = 0;
    *count = s->s->decode(out, capacity);
  });
}

vxd_status vxd_session_get_stats(const vxd_session* s, vxd_session_stats* st) {
  return guarded([&] {
    if (!s || !st || st->struct_size < sizeof(vxd_session_stats)) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null argument or old stats struct");
    const vxd::Session& x = *s->s;
    st->steps = x.steps();
    st->tokens = x.tokens();
    st->next_position = x.next_position();
    st->total_step_ms = x.total_ms();
    st->prefill_ms = x.prefill_ms();
    st->eos = x.eos();
    st->done = x.done();
    st->samples_pushed = x.samples_pushed();
    st->reused_prefix_tokens = x.reused_prefix_tokens();
  });
}

vxd_status vxd_session_capture(const vxd_session* s, uint32_t flag, const float** data, size_t* rows, size_t* cols) {
  return guarded([&] {
    if (!s || !data || !rows || !cols) vxd::fail(VXD_ERR_INVALID_ARGUMENT, "null argument");
    const vxd::Captures& c = s->s->captures();
    if (!(c.mask & flag)) vxd::fail(VXD_ERR_STATE, "this session was not created with that capture");
    const vxd::ModelConfig& cfg = s->s->config();
    const std::vector<float>* v = nullptr;
    int64_t width = 0;
    switch (flag) {
      case VXD_CAPTURE_MEL: v = &c.mel; width = cfg.num_mel_bins; break;
      case VXD_CAPTURE_ENCODER: v = &c.encoder; width = cfg.enc_dim; break;
      case VXD_CAPTURE_AUDIO_EMBEDS: v = &c.audio_embeds; width = cfg.dim; break;
      case VXD_CAPTURE_LOGITS: v = &c.logits; width = cfg.vocab_size; break;
      default: vxd::fail(VXD_ERR_INVALID_ARGUMENT, "capture flag must be exactly one VXD_CAPTURE_* bit");
    }
    *data = v->data();
    *cols = static_cast<size_t>(width);
    *rows = v->size() / static_cast<size_t>(width);
  });
}

}  // extern "C"

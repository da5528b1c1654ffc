#include "silent_prefix.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace vxd {
namespace {
size_t elem_bytes(DType t) { return t == DType::BF16 ? 2 : 4; }
}  // namespace

bool silent_prefix_enabled(const Backend& backend) {
  const char* v = std::getenv("VXD_SILENT_PREFIX");
  if (v && *v) return std::strcmp(v, "0") != 0;
  return std::strcmp(backend.id(), "cpu") == 0;
}

int64_t SilentPrefix::tokens(const ModelConfig& c) {
  const int64_t spt = c.samples_per_token();
  if (spt <= 0) return 0;
  // Largest P with spt·P + look_ahead <= spt·n_left_pad; the prompt's last token always stays.
  const int64_t p = (spt * c.n_left_pad_tokens - c.look_ahead_samples()) / spt;
  return p > 0 ? std::min(p, c.prompt_length() - 1) : 0;
}

uint64_t SilentPrefix::bytes_needed(const ModelConfig& c, DType act) {
  const int64_t p = tokens(c);
  if (p == 0) return 0;
  const uint64_t a = elem_bytes(act);
  const uint64_t enc_kv = static_cast<uint64_t>(2 * c.enc_n_layers * p * c.enc_frames_per_token() * c.enc_n_heads * c.enc_head_dim);
  const uint64_t dec_kv = static_cast<uint64_t>(2 * c.n_layers * p * c.n_kv_heads * c.head_dim);
  return 2 * static_cast<uint64_t>(c.num_mel_bins) * 4 + static_cast<uint64_t>(c.enc_dim) * a + (enc_kv + dec_kv) * a;
}

SilentPrefix::SilentPrefix(Backend& backend, const ModelConfig& c)
    : be_(backend), tokens_(silent_prefix_enabled(backend) ? tokens(c) : 0), enc_rows_(tokens_ * c.enc_frames_per_token()) {}

SilentPrefix::~SilentPrefix() { release(); }

void SilentPrefix::release() {
  for (Buffer& b : buffers_) be_.free(b);
  buffers_.clear();
  kept_.clear();
  ready_ = false;
}

// What the tokens after the prefix read of it: the conv stem's carried rows (2 mel frames, 1
// conv1 frame) and every layer's keys and values so far. A workspace's rings hold more slots
// than a prompt has positions, so this early a position's slot is the position itself.
std::vector<Act> SilentPrefix::rows_of(const Workspace& ws) const {
  std::vector<Act> rows{ws.mel_in.rows_view(0, 2), ws.conv1_out.rows_view(0, 1)};
  for (const KVCache& kv : ws.enc_cache) {
    rows.push_back(kv.k.rows_view(0, enc_rows_));
    rows.push_back(kv.v.rows_view(0, enc_rows_));
  }
  for (const KVCache& kv : ws.dec_cache) {
    rows.push_back(kv.k.rows_view(0, tokens_));
    rows.push_back(kv.v.rows_view(0, tokens_));
  }
  return rows;
}

bool SilentPrefix::save(const Workspace& ws) {
  if (ready_ || tokens_ == 0) return ready_;
  const std::vector<Act> rows = rows_of(ws);
  try {
    for (const Act& r : rows) {
      Buffer b = be_.alloc(static_cast<size_t>(r.rows * r.cols) * elem_bytes(r.dtype));
      buffers_.push_back(b);
      Act kept = r;
      kept.data = b.ptr;
      kept.stride = r.cols;
      kept_.push_back(kept);
    }
  } catch (const std::exception&) {
    release();  // a later session computes its prefix itself, as without the snapshot
    return false;
  }
  for (size_t i = 0; i < rows.size(); ++i) be_.copy(rows[i], kept_[i]);
  ready_ = true;
  return true;
}

void SilentPrefix::restore(Workspace& ws) const {
  std::vector<Act> rows = rows_of(ws);
  for (size_t i = 0; i < rows.size(); ++i) be_.copy(kept_[i], rows[i]);
}

}  // namespace vxd

// backend.h — the kernel interface the model code calls. One implementation per backend
// (kernels/cpu/, kernels/cuda/); model code (src/model/) never branches on the backend.
//
// Rules that let a GPU backend keep everything on the device and replay a whole streaming step
// as one captured graph:
//  - Weights, activations, caches and token ids live in backend memory (Buffer / Act / Weight
//    pointers are device pointers; model code never dereferences them).
//  - Values that change between otherwise identical steps (positions, ring slots, valid-key
//    counts) are never kernel arguments. They live in the backend-owned step-params array
//    (StepParam slots) that the host updates with set_step_param() before run_step(); ops name
//    the slot. Ring slots and valid-key counts are derived from positions inside the kernels.
//  - Shapes (row counts) are host arguments: each distinct shape is a distinct recorded step.
//  - Only token ids come back to the host (argmax runs on the device).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device_choice.h"
#include "error.h"

namespace vxd {

enum class DType : uint8_t {
  F32,   // float32
  BF16,  // bfloat16 (upper half of a float32)
  Q8,    // int8 values, fp16 scale per `group` consecutive inputs
  Q4,    // two 4-bit values per byte (low nibble = even column, value = nibble - 8), fp16 scales
  I32,
};

const char* dtype_name(DType t);

// Slots of the step-params array (int64 each).
enum StepParam : int {
  kEncoderPos = 0,  // absolute encoder frame of row 0 of the current encoder call
  kDecoderPos = 1,  // absolute decoder position of row 0 of the current decoder call
  kStepParamCount
};

// Raw backend memory.
struct Buffer {
  void* ptr = nullptr;
  size_t bytes = 0;
};

// Activation matrix [rows, cols] (row-major, `stride` elements between rows) in F32 or BF16.
struct Act {
  void* data = nullptr;
  DType dtype = DType::F32;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t stride = 0;
  // View of `n` rows starting at row `r0`.
  Act rows_view(int64_t r0, int64_t n) const;
  // View of `n` columns starting at column `c0` (same rows).
  Act cols_view(int64_t c0, int64_t n) const;
  // Same memory seen as [rows*cols/new_cols, new_cols] (contiguous only).
  Act reshaped(int64_t new_cols) const;
};

// A linear weight [n, k] (y = x . W^T). Q8/Q4 carry fp16 scales [n, k/group].
struct Weight {
  DType dtype = DType::F32;
  int64_t n = 0;
  int64_t k = 0;
  const void* data = nullptr;
  const uint16_t* scales = nullptr;
  int32_t group = 0;
  // data is in the backend's own layout for this dtype (the CUDA backend's tiled q4, v23), not the file's.
  bool tiled = false;
};

// Ring KV cache of one attention layer: `ring` rows of `kv_dim` for K and for V.
// Position p lives at row p mod ring. ring >= window + (max rows written per call) - 1, so a
// batch write never evicts a key that a query of the same batch still needs.
struct KVCache {
  Act k;
  Act v;
  int64_t ring = 0;
};

struct AttentionShape {
  int n_heads = 0;
  int n_kv_heads = 0;   // GQA: query head h uses kv head h / (n_heads / n_kv_heads)
  int head_dim = 0;
  int64_t window = 0;   // key j visible to query p iff p - window < j <= p
};

// Host-side tensor handed to upload_weight (points into the mapped .ptd).
struct HostWeight {
  DType dtype = DType::F32;
  int64_t n = 0, k = 0;
  const void* data = nullptr;
  size_t data_bytes = 0;
  const uint16_t* scales = nullptr;  // fp16
  size_t scales_bytes = 0;
  int32_t group = 0;
};

// RMSNorm applied to a fused matmul's input (see Backend::matmul_multi). `weight` null: none.
struct NormSpec {
  const float* weight = nullptr;
  float eps = 0.0f;
  const float* ada = nullptr;  // time conditioning: * (1 + ada)
  // Where the default composition writes the normalised x (same shape as x). A fused backend
  // normalises inside the matmul and may leave it untouched, so callers must not read it.
  Act normed;
};

// One output of a fused matmul: y = x . W^T (+ bias[n]) (+ residual); residual may alias y.
struct MatmulOut {
  Weight w;
  const float* bias = nullptr;
  const Act* residual = nullptr;
  Act y;
};

// RoPE of a fused attention prologue (Backend::qkv_rope_write): q has n_heads heads, k and v
// n_kv_heads, all of head_dim; interleaved pairs (2i, 2i + 1), as Backend::rope.
struct RopeSpec {
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;
  double theta = 0.0;
};

// A device backend's memory, as the load's budget check needs it.
struct DeviceMemory {
  std::string id, name;
  uint64_t free_bytes = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* id() const = 0;

  // ---- memory (all may throw vxd::Error with kOutOfMemory) ----
  virtual Buffer alloc(size_t bytes) = 0;
  virtual void free(Buffer& buf) = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  // Makes a weight usable by the kernels. CPU: zero-copy view of the mapping; GPU: copies.
  virtual Weight upload_weight(const HostWeight& w) = 0;
  // A 1-D float32 vector (norm weights, biases, ada scales).
  virtual const float* upload_vector(const float* host, size_t n) = 0;
  // Bytes the backend will hold for this weight (for the memory budget).
  virtual size_t weight_footprint(const HostWeight& w) const = 0;
  // The device whose memory holds the weights and caches; nullopt when it is the host's.
  virtual std::optional<DeviceMemory> device_memory() const { return std::nullopt; }

  // ---- steps ----
  virtual void set_step_param(StepParam slot, int64_t value) = 0;
  // Runs `record`, which only enqueues backend ops. A GPU backend may capture it under `key` on
  // first use and replay the capture afterwards (the params array is re-uploaded first).
  virtual void run_step(const std::string& key, const std::function<void()>& record) = 0;
  virtual void synchronize() = 0;

  // ---- ops ----
  // y = x . W^T (+ bias[n]) (+ residual). residual may alias y.
  virtual void matmul(const Act& x, const Weight& w, const float* bias, const Act* residual, Act& y) = 0;
  // y = x * rsqrt(mean(x^2) + eps) * weight (* (1 + ada) if ada). fp32 math. y may alias x.
  virtual void rmsnorm(const Act& x, const float* weight, float eps, const float* ada, Act& y) = 0;
  // In-place RoPE on interleaved pairs (2i, 2i+1) of every head; row r has position P + r,
  // P = step param `pos`. Angles in double so positions may grow without bound.
  virtual void rope(Act& x, int n_heads, int head_dim, double theta, StepParam pos) = 0;
  // Writes K/V rows of positions P..P+rows-1 into the ring.
  virtual void kv_write(const Act& k, const Act& v, KVCache& cache, StepParam pos) = 0;
  // out[r] = softmax(q[r] . K^T / sqrt(hd)) . V over the visible keys of position P + r.
  virtual void attention(const Act& q, const KVCache& cache, const AttentionShape& shape, StepParam pos,
                         Act& out) = 0;
  // Causal conv1d as im2col: x holds (kernel - stride) carried rows, then the new rows.
  // cols[j][c*kernel + t] = x[j*stride + t][c], j < cols.rows. Matches a [out, in, kernel] weight.
  virtual void im2col(const Act& x, int kernel, int stride, Act& cols) = 0;
  virtual void copy(const Act& src, Act& dst) = 0;  // same shape; dtype conversion allowed
  virtual void gelu(Act& x) = 0;                    // exact erf GELU, in place
  virtual void silu_mul(const Act& gate, const Act& up, Act& out) = 0;  // out = silu(gate) * up
  // out[r] = table[ids[r]] (+ add[r]); ids is an I32 device array; bad ids give a zero row.
  virtual void embed(const Weight& table, const int32_t* ids, const Act* add, Act& out) = 0;
  // out_id[0] = argmax of row 0 of x (first maximum wins).
  virtual void argmax(const Act& x, int32_t* out_id) = 0;

  // ---- fused ops ----
  // Each has a default composed of the ops above (inline below), so a backend that does not
  // override it computes exactly what the unfused sequence computes. An override (CUDA) runs it
  // as one kernel; intermediates may then stay in fp32 instead of being rounded to the
  // activation dtype. Outputs must not alias x.
  //
  // The rows of several weights that share x (q/k/v), optionally after RMSNorm of x:
  // outs[i].y = norm(x) . W_i^T (+ bias) (+ residual), 1 <= n_outs <= kMaxMatmulOuts.
  static constexpr int kMaxMatmulOuts = 3;
  virtual void matmul_multi(const Act& x, const NormSpec* norm, const MatmulOut* outs, int n_outs);
  // Gated FFN input half: out = silu(h . W1^T) * (h . W3^T), h = norm(x) (or x when norm is null).
  // `up` is scratch of out's shape for the default composition (it may be left untouched).
  virtual void gated_ffn(const Act& x, const NormSpec* norm, const Weight& w1, const Weight& w3, Act& up, Act& out);
  // rope(q, n_heads), rope(k, n_kv_heads) (both in place, same theta and position) and
  // kv_write(k, v, cache): the attention prologue.
  virtual void rope_kv_write(Act& q, Act& k, const Act& v, int n_heads, int n_kv_heads, int head_dim, double theta,
                             KVCache& cache, StepParam pos);
  // The whole attention prologue: matmul_multi(x, norm, qkv, 3) into q, k, v, then
  // rope_kv_write(q, k, v, ...). A fused backend rotates q and k in the matmul's epilogue and
  // writes k and v to the ring from there (the k and v outputs still receive their values).
  virtual void qkv_rope_write(const Act& x, const NormSpec* norm, const MatmulOut qkv[3], const RopeSpec& rope, KVCache& cache,
                              StepParam pos);
};

// ---- default fused ops: the unfused sequence (a backend that keeps these is bit-identical) ----

inline void Backend::matmul_multi(const Act& x, const NormSpec* norm, const MatmulOut* outs, int n_outs) {
  if (n_outs < 1 || n_outs > kMaxMatmulOuts) fail(VXD_ERR_INTERNAL, "matmul_multi: bad number of outputs");
  Act in = x;
  if (norm && norm->weight) {
    Act normed = norm->normed;
    rmsnorm(x, norm->weight, norm->eps, norm->ada, normed);
    in = normed;
  }
  for (int i = 0; i < n_outs; ++i) {
    Act y = outs[i].y;
    matmul(in, outs[i].w, outs[i].bias, outs[i].residual, y);
  }
}

inline void Backend::gated_ffn(const Act& x, const NormSpec* norm, const Weight& w1, const Weight& w3, Act& up, Act& out) {
  const MatmulOut o[2] = {{w1, nullptr, nullptr, out}, {w3, nullptr, nullptr, up}};
  matmul_multi(x, norm, o, 2);
  silu_mul(out, up, out);
}

inline void Backend::rope_kv_write(Act& q, Act& k, const Act& v, int n_heads, int n_kv_heads, int head_dim, double theta,
                                   KVCache& cache, StepParam pos) {
  rope(q, n_heads, head_dim, theta, pos);
  rope(k, n_kv_heads, head_dim, theta, pos);
  kv_write(k, v, cache, pos);
}

inline void Backend::qkv_rope_write(const Act& x, const NormSpec* norm, const MatmulOut qkv[3], const RopeSpec& rope, KVCache& cache,
                                    StepParam pos) {
  matmul_multi(x, norm, qkv, 3);
  Act q = qkv[0].y, k = qkv[1].y;
  rope_kv_write(q, k, qkv[2].y, rope.n_heads, rope.n_kv_heads, rope.head_dim, rope.theta, cache, pos);
}

struct BackendOptions {
  int n_threads = 0;
  // A device backend's device: its id or index (device_choice.h); empty = the backend's default.
  std::string device;
};

// Backend registry: CPU is always compiled in; others register a factory (compiled in or
// dlopen'd) and say whether they can run here.
struct BackendInfo {
  std::string id;
  std::string name;
  bool available = false;
  std::string reason;               // why not available
  std::vector<DeviceInfo> devices;  // a device backend's devices, usable or not; empty for the CPU
};
struct BackendEntry {
  const char* id;
  BackendInfo (*probe)();
  std::unique_ptr<Backend> (*create)(const BackendOptions&);
};
// Called by a backend (at static-init time when compiled in, or by the loader after dlopen).
void register_backend(const BackendEntry& entry);
std::unique_ptr<Backend> create_backend(const std::string& id, const BackendOptions& options);
std::vector<BackendInfo> list_backends();

}  // namespace vxd

// The CUDA backend: device-resident weights and activations on one stream, step params in device
// memory (so captured graphs replay at new positions), and one CUDA graph per step key.
#pragma once

#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../../src/backend.h"
#include "profile.h"
#include "step_fingerprint.h"
#include "step_trace.cuh"

namespace vxd::cuda {

// The A/B switches (docs/cuda-notes.md): on unless the environment sets NAME=0.
inline bool switch_on(const char* name) {
  const char* v = std::getenv(name);
  return !(v && std::strcmp(v, "0") == 0);
}

// argmax (elementwise.cu): blocks of kArgmaxThreads, each with a contiguous share of the row, and
// their partials (v27).
constexpr int kArgmaxBlocks = 64, kArgmaxThreads = 256;
struct ArgmaxScratch {
  float v[kArgmaxBlocks];
  int64_t i[kArgmaxBlocks];
  unsigned ticket;  // blocks done; the last one wraps it back to 0
};

// What the matmul launcher needs to size its grids (set once per backend).
struct MatmulContext {
  cudaStream_t stream = nullptr;
  int sm_count = 0;
  size_t smem_limit = 48 * 1024;  // dynamic shared memory one block may use
  size_t smem_per_sm = 0;
  bool pdl = false;      // programmatic dependent launch of every GEMV (compute capability 9.0+, VXD_CUDA_PDL=1)
  bool pdl_mma = false;  // ... of the tensor-core GEMVs and of attention (9.0+, on unless VXD_CUDA_PDL=0)
  bool gated_six = true;  // M = 1 gated FFN with 3 + 3 rows per warp where that fits one round (VXD_CUDA_GATED6=0: off)
  bool mma = true;  // q4 weights with bf16 activations on the tensor cores (gemv_mma.cu; VXD_CUDA_MMA=0: off)
  bool tiled = true;  // q4 weights are repacked at upload into the tensor-core GEMV's tiled layout (v23; VXD_CUDA_TILED=0: not)
  bool round8 = true;  // the 4-warp gated tensor-core GEMV (decoder w1/w3) loads 8 chunks per round (v19; VXD_CUDA_ROUND8=0: 4)
  bool rope_early = true;  // the tensor-core GEMV's RoPE angles and ring slots computed before its wait (v30; VXD_CUDA_ROPE_EARLY=0: in the epilogue)
  StepTrace* trace = nullptr;  // the backend's step timeline (VXD_CUDA_TRACE=1, step_trace.cuh)
};
MatmulContext configure_matmul(cudaStream_t stream, int device);
// Occupancy and shared-memory limits of the fused GEMVs (gemv_multi.cu); called by configure_matmul.
void configure_gemv_multi(const MatmulContext& ctx);
// The tensor-core GEMV's tiled q4 layout (q4_tiles.h, v23): which weights take it (whole 16-row
// tiles, k a multiple of 128), and the repack, on the device, of n x k codes in the file's layout
// at src into dst (n k / 2 bytes each).
bool q4_tileable(DType dtype, int64_t n, int64_t k);
void tile_q4(const void* src, void* dst, int64_t n, int64_t k, cudaStream_t stream);
// Occupancy of the attention kernels (attention.cu), measured once when a backend starts.
void configure_attention();

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const BackendOptions& options);
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;
  const char* id() const override { return "cuda"; }

  Buffer alloc(size_t bytes) override;
  void free(Buffer& buf) override;
  void upload(void* dst, const void* src, size_t bytes) override;
  void download(void* dst, const void* src, size_t bytes) override;
  Weight upload_weight(const HostWeight& w) override;
  const float* upload_vector(const float* host, size_t n) override;
  size_t weight_footprint(const HostWeight& w) const override;
  std::optional<DeviceMemory> device_memory() const override;

  void set_step_param(StepParam slot, int64_t value) override;
  void run_step(const std::string& key, const std::function<void()>& record) override;
  void synchronize() override;

  void matmul(const Act& x, const Weight& w, const float* bias, const Act* residual, Act& y) override;
  void rmsnorm(const Act& x, const float* weight, float eps, const float* ada, Act& y) override;
  void rope(Act& x, int n_heads, int head_dim, double theta, StepParam pos) override;
  void kv_write(const Act& k, const Act& v, KVCache& cache, StepParam pos) override;
  void attention(const Act& q, const KVCache& cache, const AttentionShape& shape, StepParam pos, Act& out) override;
  void im2col(const Act& x, int kernel, int stride, Act& cols) override;
  void copy(const Act& src, Act& dst) override;
  void gelu(Act& x) override;
  void silu_mul(const Act& gate, const Act& up, Act& out) override;
  void embed(const Weight& table, const int32_t* ids, const Act* add, Act& out) override;
  void argmax(const Act& x, int32_t* out_id) override;
  // Fused ops (one kernel each where the shapes allow, else the composed default).
  void matmul_multi(const Act& x, const NormSpec* norm, const MatmulOut* outs, int n_outs) override;
  void gated_ffn(const Act& x, const NormSpec* norm, const Weight& w1, const Weight& w3, Act& up, Act& out) override;
  void rope_kv_write(Act& q, Act& k, const Act& v, int n_heads, int n_kv_heads, int head_dim, double theta, KVCache& cache,
                     StepParam pos) override;
  void qkv_rope_write(const Act& x, const NormSpec* norm, const MatmulOut qkv[3], const RopeSpec& rope, KVCache& cache,
                      StepParam pos) override;

  // Graph captures so far (a replay whose buffers changed records anew).
  size_t captures() const { return captures_; }

 private:
  // Device pointer of a step-param slot; uploads pending host values first when not capturing.
  const int64_t* param_ptr(StepParam slot);
  void flush_params();
  bool capturing() const;
  // record() with the step trace's slots handed out (eager or into a capture).
  void record_step(const std::function<void()>& record);
  // Makes device_ current on the calling thread: sessions are created, stepped and destroyed on
  // threads other than the one that created the backend, and a thread's current device defaults
  // to 0 (allocations there, launches into stream_ of another device fail).
  void bind_device() const;
  void* device_alloc(size_t bytes);  // tracked; freed with the backend
  // Every op starts with note(): it adds the op and its arguments to the step fingerprint and
  // returns true during a dry run (the op then returns without launching anything).
  template <class... T>
  bool note(int op, const T&... args) {
    fingerprint_.add(op);
    (fingerprint_.add(args), ...);
    return dry_run_;
  }
  bool profiling() const { return profiler_.enabled() && !dry_run_; }
  // Brackets one op with profiling events when VXD_CUDA_PROFILE=1 (eager execution only).
  struct ProfileScope {
    CudaBackend& b;
    std::string name;
    bool on;
    ProfileScope(CudaBackend& backend, std::string n);
    ~ProfileScope();
  };

  int device_ = 0;
  DeviceInfo device_info_;  // the GPU chosen at construction (device_choice.h)
  int sm_count_ = 0;
  cudaStream_t stream_ = nullptr;
  int64_t* d_params_ = nullptr;
  int64_t params_[kStepParamCount] = {};
  bool params_dirty_ = true;
  float* d_attn_scratch_ = nullptr;  // split-K partials of attention
  ArgmaxScratch* d_argmax_ = nullptr;  // argmax's per-block partials and ticket (zeroed once; the kernel leaves the ticket at 0)
  size_t attn_scratch_floats_ = 0;
  std::vector<void*> owned_;  // weights and vectors
  MatmulContext matmul_ctx_;
  StepTrace trace_;  // VXD_CUDA_TRACE=1 (step_trace.cuh)
  OpProfiler profiler_{false};
  struct Captured {
    cudaGraphExec_t exec = nullptr;
    uint64_t fingerprint = 0;
  };
  std::map<std::string, Captured> graphs_;
  StepFingerprint fingerprint_;
  bool dry_run_ = false;
  size_t captures_ = 0;
  bool use_graphs_ = true;
  // Held by run_step, alloc, free, upload, upload_weight, upload_vector, download and synchronize. A session's workspace is allocated and freed on the thread
  // that creates or destroys it, outside the model's compute lock, while another session of the
  // model may be capturing its step on stream_: the allocation's memset would be recorded into
  // that graph (and replayed on memory this session later frees) or device_alloc would see the
  // capture and refuse, and free's stream synchronize would invalidate the capture. Recursive so
  // that an allocation inside record() still reaches device_alloc's error instead of deadlocking.
  mutable std::recursive_mutex stream_mu_;
  // v4 attention: merge reading splits in parallel (VXD_FUSED=0: the v3 merge, to compare) and
  // an upper bound on splits per query (VXD_CUDA_ATTN_MAX_SPLITS, default: no extra bound).
  bool attn_parallel_merge_ = true;
  // qkv_rope_write in one kernel (RoPE + ring write in the q/k/v epilogue); VXD_CUDA_QKV_ROPE=0:
  // the composed default (matmul_multi, then rope_kv_write), to compare.
  bool qkv_rope_epilogue_ = true;
  int64_t attn_max_splits_ = 1 << 30;
  // Attention splits sized to one resident wave (VXD_CUDA_ATTN_WAVE=0: 8 blocks per SM, v4).
  bool attn_one_wave_ = true;
  // Tensor-core attention for bf16 caches (v15; VXD_CUDA_ATTN_MMA=0: the fp32 kernel, to compare).
  bool attn_mma_ = true;
  // ... its splits one thread block cluster, merged in the kernel (v17; VXD_CUDA_ATTN_CLUSTER=0: a merge kernel).
  bool attn_cluster_ = true;
  // ... its first key tile loaded before waiting for the previous kernel (v24; VXD_CUDA_ATTN_EARLY=0: after).
  bool attn_early_kv_ = true;
};

const BackendEntry& cuda_backend_entry();

}  // namespace vxd::cuda

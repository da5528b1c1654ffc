// CUDA backend: device memory, step params, graph capture/replay, probing and registration.
// Ops live in one file per family (matmul.cu, attention.cu, norm_rope.cu, elementwise.cu).
#include "cuda_backend.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common.cuh"

namespace vxd::cuda {
namespace {

// Attention split-K partials: up to this many (row, head, split) triples of head_dim <= 256.
constexpr size_t kMaxAttnPartials = 16384;
constexpr size_t kMaxAttnHeadDim = 256;

// nvidia-smi -L's form of the UUID, GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: what settings keep.
std::string uuid_string(const cudaUUID_t& u) {
  static const char hex[] = "0123456789abcdef";
  std::string s = "GPU-";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    const auto b = static_cast<unsigned char>(u.bytes[i]);
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

// Every GPU the runtime sees, usable or not; `error` says why there are none when the driver
// itself cannot be reached.
std::vector<DeviceInfo> list_gpus(std::string& error) {
  std::vector<DeviceInfo> out;
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    error = std::string("no usable NVIDIA driver or GPU (") + cudaGetErrorString(err) + ")";
    return out;
  }
  if (count == 0) error = "no NVIDIA GPU found";
  for (int i = 0; i < count; ++i) {
    DeviceInfo d;
    d.index = i;
    cudaDeviceProp prop{};
    err = cudaGetDeviceProperties(&prop, i);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      d.id = "GPU#" + std::to_string(i);
      d.name = "GPU " + std::to_string(i);
      d.reason = std::string("cannot query the GPU (") + cudaGetErrorString(err) + ")";
      out.push_back(std::move(d));
      continue;
    }
    d.id = uuid_string(prop.uuid);
    d.name = prop.name;
    d.memory_bytes = prop.totalGlobalMem;
    d.compute = std::to_string(prop.major) + "." + std::to_string(prop.minor);
    d.usable = prop.major >= 8;
    if (!d.usable) d.reason = "compute capability " + d.compute + "; the CUDA backend needs 8.0 (Ampere) or newer";
    out.push_back(std::move(d));
  }
  return out;
}

// The GPU a backend created with `options` runs on: the option, else VXD_CUDA_DEVICE, else the
// first usable one (device_choice.h).
std::string wanted_device(const BackendOptions& options) {
  if (!options.device.empty()) return options.device;
  const char* env = std::getenv("VXD_CUDA_DEVICE");
  return env ? env : "";
}

size_t weight_data_bytes(const HostWeight& w) {
  const size_t nk = static_cast<size_t>(w.n) * static_cast<size_t>(w.k);
  switch (w.dtype) {
    case DType::F32: return nk * 4;
    case DType::BF16: return nk * 2;
    case DType::Q8: return nk;
    case DType::Q4: return nk / 2;
    default: return 0;
  }
}

bool quantized(DType t) { return t == DType::Q8 || t == DType::Q4; }

void validate(const HostWeight& w) {
  if (w.n <= 0 || w.k <= 0 || !w.data) fail(VXD_ERR_FORMAT, "weight with empty shape or no data");
  if (w.dtype != DType::F32 && w.dtype != DType::BF16 && !quantized(w.dtype))
    fail(VXD_ERR_UNSUPPORTED, std::string("weight dtype ") + dtype_name(w.dtype) + " is not supported by the CUDA backend");
  if (w.dtype == DType::Q4 && w.k % 2) fail(VXD_ERR_FORMAT, "q4 weight with an odd input dimension");
  if (w.data_bytes != weight_data_bytes(w)) fail(VXD_ERR_FORMAT, "weight data size does not match its shape and dtype");
  if (quantized(w.dtype)) {
    if (w.group <= 0 || w.k % w.group || !w.scales) fail(VXD_ERR_FORMAT, "quantized weight without valid group scales");
    if (w.scales_bytes != static_cast<size_t>(w.n) * static_cast<size_t>(w.k / w.group) * 2)
      fail(VXD_ERR_FORMAT, "quantized weight scales size does not match its shape");
  }
}

size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

}  // namespace

CudaBackend::CudaBackend(const BackendOptions& options) {
  // Switches first: a bad value fails before anything is allocated.
  attn_parallel_merge_ = switch_on("VXD_FUSED");
  qkv_rope_epilogue_ = switch_on("VXD_CUDA_QKV_ROPE");
  attn_one_wave_ = attn_parallel_merge_ && switch_on("VXD_CUDA_ATTN_WAVE");  // VXD_FUSED=0 keeps v3's splits
  attn_mma_ = switch_on("VXD_CUDA_ATTN_MMA");
  attn_cluster_ = switch_on("VXD_CUDA_ATTN_CLUSTER");
  attn_early_kv_ = switch_on("VXD_CUDA_ATTN_EARLY");
  if (const char* cap = std::getenv("VXD_CUDA_ATTN_MAX_SPLITS")) {
    // strtoll: defined on overflow (clamps) and rejects trailing junk, unlike atoll.
    char* end = nullptr;
    errno = 0;
    attn_max_splits_ = std::strtoll(cap, &end, 10);
    if (end == cap || *end || errno || attn_max_splits_ < 1) fail(VXD_ERR_INVALID_ARGUMENT, "VXD_CUDA_ATTN_MAX_SPLITS must be a positive integer");
  }
  {
    std::string error;
    const std::vector<DeviceInfo> gpus = list_gpus(error);
    if (gpus.empty()) fail(VXD_ERR_BACKEND_UNAVAILABLE, error);
    device_ = choose_device(gpus, wanted_device(options), "GPU");
    for (const auto& g : gpus)
      if (g.index == device_) device_info_ = g;
  }
  // The first call that starts a context on the GPU: with its memory taken by other programs it is
  // what fails (measured on the H100 with under ~450 MiB free), so say so in those words.
  if (const cudaError_t err = cudaSetDevice(device_); err != cudaSuccess) {
    (void)cudaGetLastError();
    const bool full = err == cudaErrorMemoryAllocation;
    fail(full ? VXD_ERR_OUT_OF_MEMORY : VXD_ERR_BACKEND_UNAVAILABLE,
         "cannot start CUDA on " + device_info_.name + ": " + cudaGetErrorString(err) + (full ? " (other programs hold its memory)" : ""));
  }
  check(cudaDeviceGetAttribute(&sm_count_, cudaDevAttrMultiProcessorCount, device_), "cudaDeviceGetAttribute");
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  try {
    matmul_ctx_ = configure_matmul(stream_, device_);
    configure_attention();
    check(cudaMalloc(&d_params_, sizeof(params_)), "cudaMalloc(step params)");
    attn_scratch_floats_ = kMaxAttnPartials * (kMaxAttnHeadDim + 2);
    check(cudaMalloc(&d_attn_scratch_, attn_scratch_floats_ * sizeof(float)), "cudaMalloc(attention scratch)");
    check(cudaMalloc(&d_argmax_, sizeof(ArgmaxScratch)), "cudaMalloc(argmax scratch)");
    check(cudaMemset(d_argmax_, 0, sizeof(ArgmaxScratch)), "cudaMemset(argmax scratch)");
    const char* trace = std::getenv("VXD_CUDA_TRACE");
    trace_.init(trace && std::strcmp(trace, "1") == 0);
    matmul_ctx_.trace = &trace_;
  } catch (...) {
    // A constructor that throws gets no destructor call: release what was made so far.
    trace_.release();
    cudaFree(d_argmax_);
    cudaFree(d_attn_scratch_);
    cudaFree(d_params_);
    cudaStreamDestroy(stream_);
    throw;
  }
  const char* profile = std::getenv("VXD_CUDA_PROFILE");
  profiler_.set_enabled(profile && std::strcmp(profile, "1") == 0);
  use_graphs_ = switch_on("VXD_CUDA_GRAPHS");
}

CudaBackend::~CudaBackend() {
  // Destructors must not throw: errors here are ignored (the context is torn down anyway).
  cudaSetDevice(device_);
  cudaStreamSynchronize(stream_);
  if (profiler_.enabled()) profiler_.report();
  for (auto& g : graphs_) cudaGraphExecDestroy(g.second.exec);
  for (void* p : owned_) cudaFree(p);
  trace_.print(stderr);
  trace_.release();
  cudaFree(d_argmax_);
  cudaFree(d_attn_scratch_);
  cudaFree(d_params_);
  cudaStreamDestroy(stream_);
}

void CudaBackend::bind_device() const { check(cudaSetDevice(device_), "cudaSetDevice"); }

bool CudaBackend::capturing() const {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  cudaStreamIsCapturing(stream_, &status);
  return status != cudaStreamCaptureStatusNone;
}

void* CudaBackend::device_alloc(size_t bytes) {
  if (capturing()) fail(VXD_ERR_STATE, "CUDA backend: allocation inside a captured step");
  void* p = nullptr;
  check(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc");
  return p;
}

Buffer CudaBackend::alloc(size_t bytes) {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // see stream_mu_
  bind_device();
  Buffer b;
  b.ptr = device_alloc(bytes);
  cudaError_t err = cudaMemsetAsync(b.ptr, 0, bytes ? bytes : 1, stream_);
  if (err != cudaSuccess) {
    cudaFree(b.ptr);
    check(err, "cudaMemset");
  }
  b.bytes = bytes;
  return b;
}

void CudaBackend::free(Buffer& buf) {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // see stream_mu_
  if (buf.ptr) {
    bind_device();
    cudaStreamSynchronize(stream_);  // kernels in flight may still use it
    check(cudaFree(buf.ptr), "cudaFree");
  }
  buf = Buffer{};
}

void CudaBackend::upload(void* dst, const void* src, size_t bytes) {
  // Pageable source: the call returns once the bytes are staged, so the caller may reuse src.
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // a copy must not land in another thread's capture
  bind_device();
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "upload");
}

void CudaBackend::download(void* dst, const void* src, size_t bytes) {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // see stream_mu_
  bind_device();
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "download");
  check(cudaStreamSynchronize(stream_), "download (synchronize)");
}

Weight CudaBackend::upload_weight(const HostWeight& w) {
  validate(w);
  // The repack launches a kernel and synchronizes the stream: like upload(), never inside another
  // thread's capture, and on the backend's device.
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);
  bind_device();
  Weight out;
  out.dtype = w.dtype;
  out.n = w.n;
  out.k = w.k;
  out.group = w.group;
  void* data = device_alloc(w.data_bytes);
  owned_.push_back(data);
  // q4 in the tensor-core GEMV's tiled layout (v23): uploaded to a staging buffer and repacked on
  // the GPU into its only copy. Without room for the staging buffer the weight keeps the file's
  // layout (every path reads both), so the repack never makes a load fail.
  void* staging = nullptr;
  if (matmul_ctx_.tiled && q4_tileable(w.dtype, w.n, w.k) && cudaMalloc(&staging, w.data_bytes) != cudaSuccess) {
    (void)cudaGetLastError();  // no room for the staging buffer is not an error
    staging = nullptr;
  }
  if (staging) {
    struct FreeStaging {
      void* p;
      ~FreeStaging() { cudaFree(p); }  // after the synchronize below, or on its error
    } free_staging{staging};
    check(cudaMemcpyAsync(staging, w.data, w.data_bytes, cudaMemcpyHostToDevice, stream_), "upload weight");
    tile_q4(staging, data, w.n, w.k, stream_);
    check(cudaStreamSynchronize(stream_), "upload weight (repack)");
    out.tiled = true;
  } else {
    check(cudaMemcpyAsync(data, w.data, w.data_bytes, cudaMemcpyHostToDevice, stream_), "upload weight");
  }
  out.data = data;
  if (quantized(w.dtype)) {
    void* scales = device_alloc(w.scales_bytes);
    owned_.push_back(scales);
    check(cudaMemcpyAsync(scales, w.scales, w.scales_bytes, cudaMemcpyHostToDevice, stream_), "upload scales");
    out.scales = static_cast<const uint16_t*>(scales);
  }
  return out;
}

const float* CudaBackend::upload_vector(const float* host, size_t n) {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // see upload_weight
  bind_device();
  void* p = device_alloc(n * sizeof(float));
  owned_.push_back(p);
  check(cudaMemcpyAsync(p, host, n * sizeof(float), cudaMemcpyHostToDevice, stream_), "upload vector");
  return static_cast<const float*>(p);
}

size_t CudaBackend::weight_footprint(const HostWeight& w) const {
  return round_up(weight_data_bytes(w), 256) + (quantized(w.dtype) ? round_up(w.scales_bytes, 256) : 0);
}

std::optional<DeviceMemory> CudaBackend::device_memory() const {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);
  bind_device();
  size_t free_bytes = 0, total = 0;
  check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
  return DeviceMemory{device_info_.id, device_info_.name, free_bytes};
}

void CudaBackend::set_step_param(StepParam slot, int64_t value) {
  if (slot < 0 || slot >= kStepParamCount) fail(VXD_ERR_INTERNAL, "bad step param slot");
  params_[slot] = value;
  params_dirty_ = true;
}

void CudaBackend::flush_params() {
  if (!params_dirty_) return;
  check(cudaMemcpyAsync(d_params_, params_, sizeof(params_), cudaMemcpyHostToDevice, stream_), "upload step params");
  params_dirty_ = false;
}

const int64_t* CudaBackend::param_ptr(StepParam slot) {
  if (slot < 0 || slot >= kStepParamCount) fail(VXD_ERR_INTERNAL, "bad step param slot");
  if (!capturing()) flush_params();
  return d_params_ + slot;
}

void CudaBackend::run_step(const std::string& key, const std::function<void()>& record) {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // see stream_mu_
  bind_device();
  flush_params();
  if (!use_graphs_) {
    record_step(record);
    return;
  }
  auto it = graphs_.find(key);
  if (it != graphs_.end()) {
    // Dry run: the same ops on the same buffers replay the capture; anything else records anew.
    fingerprint_.reset();
    dry_run_ = true;
    try {
      record();
    } catch (...) {
      dry_run_ = false;
      throw;
    }
    dry_run_ = false;
    if (fingerprint_.value() == it->second.fingerprint) {
      flush_params();  // in case record() itself set step params
      check(cudaGraphLaunch(it->second.exec, stream_), "launch graph");
      return;
    }
    cudaStreamSynchronize(stream_);  // its last replay may still be running
    cudaGraphExecDestroy(it->second.exec);
    graphs_.erase(it);
  }
  fingerprint_.reset();
  check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "begin graph capture");
  try {
    record_step(record);
  } catch (...) {
    cudaGraph_t broken = nullptr;
    cudaStreamEndCapture(stream_, &broken);
    if (broken) cudaGraphDestroy(broken);
    (void)cudaGetLastError();
    throw;
  }
  const uint64_t fingerprint = fingerprint_.value();
  cudaGraph_t graph = nullptr;
  check(cudaStreamEndCapture(stream_, &graph), "end graph capture");
  cudaGraphExec_t exec = nullptr;
  cudaError_t err = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  check(err, "instantiate graph");
  ++captures_;
  graphs_[key] = Captured{exec, fingerprint};
  flush_params();
  check(cudaGraphLaunch(exec, stream_), "launch graph");
}

void CudaBackend::record_step(const std::function<void()>& record) {
  trace_.begin_step(stream_);
  struct End {
    StepTrace& t;
    ~End() { t.end_step(); }
  } end{trace_};
  record();
}

CudaBackend::ProfileScope::ProfileScope(CudaBackend& backend, std::string n)
    : b(backend), name(std::move(n)), on(backend.profiling() && !backend.capturing()) {
  if (on) b.profiler_.begin(b.stream_);
}

CudaBackend::ProfileScope::~ProfileScope() {
  if (on) b.profiler_.end(b.stream_, std::move(name));
}

void CudaBackend::synchronize() {
  std::lock_guard<std::recursive_mutex> lock(stream_mu_);  // a sync inside another thread's capture breaks it
  bind_device();
  check(cudaStreamSynchronize(stream_), "synchronize");
}

namespace {

// Available when the default GPU (VXD_CUDA_DEVICE, else the first usable one) can run; every GPU
// is listed, so a settings page can offer the others.
BackendInfo probe_cuda() {
  BackendInfo info;
  info.id = "cuda";
  info.name = "NVIDIA CUDA";
  std::string error;
  info.devices = list_gpus(error);
  if (info.devices.empty()) {
    info.reason = error;
    return info;
  }
  try {
    const int dev = choose_device(info.devices, wanted_device(BackendOptions{}), "GPU");
    const DeviceInfo& d = info.devices[static_cast<size_t>(dev)];
    info.name = "NVIDIA CUDA (" + d.name + ", " + std::to_string(d.memory_bytes >> 30) + " GiB)";
    info.available = true;
  } catch (const Error& e) {
    info.reason = e.what();
  }
  return info;
}

std::unique_ptr<Backend> create_cuda(const BackendOptions& options) { return std::make_unique<CudaBackend>(options); }

// Compiled in: register at static-init time (the target links these objects directly).
[[maybe_unused]] const bool registered = [] {
  register_backend(cuda_backend_entry());
  return true;
}();

}  // namespace

const BackendEntry& cuda_backend_entry() {
  static const BackendEntry entry{"cuda", probe_cuda, create_cuda};
  return entry;
}

}  // namespace vxd::cuda

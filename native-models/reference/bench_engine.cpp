// Streaming-step benchmark at the full Voxtral Realtime 4B shape with random weights, on the GPU
// machine: the step of tools/cuda/full_step.h (one 8-frame mel chunk through the encoder and
// adapter plus one decoder token, LM head and argmax) captured as one CUDA graph and replayed with
// new step params; ms per step at chosen decoder positions, the bytes floor from the copy
// bandwidth measured in the same run, load time, VRAM, prefill and the real-time factor.
// --parity N runs the 39-token prefill and N steps on the CPU backend too, from the same
// weights, and compares token ids and logits.
//
//   bench_engine [--dtypes bf16,4w] [--positions 100,2000,8000] [--iters 50] [--rtf-seconds 60]
//                [--parity N] [--json FILE]
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "backend.h"
#include "error.h"
#include "full_step.h"
#include "host_tensors.h"

using namespace vxd;
using namespace vxd::tools;
using namespace vxd::tools::full;

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "CUDA %s: %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

double copy_bandwidth() {
  const size_t bytes = size_t(2) << 30;
  void *a = nullptr, *c = nullptr;
  check_cuda(cudaMalloc(&a, bytes), "malloc");
  check_cuda(cudaMalloc(&c, bytes), "malloc");
  check_cuda(cudaMemset(a, 1, bytes), "memset");
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0), cudaEventCreate(&e1);
  std::vector<float> ms;
  for (int i = 0; i < 12; ++i) {
    cudaEventRecord(e0);
    cudaMemcpyAsync(c, a, bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(e1);
    check_cuda(cudaEventSynchronize(e1), "copy");
    float t = 0;
    cudaEventElapsedTime(&t, e0, e1);
    if (i >= 2) ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  cudaFree(a), cudaFree(c);
  return 2.0 * bytes / (ms[ms.size() / 2] * 1e-3);  // bytes read + written per second
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

double rel_err(const std::vector<float>& a, const std::vector<float>& ref) {
  double n = 0, d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) return INFINITY;
    n += (double(a[i]) - ref[i]) * (double(a[i]) - ref[i]);
    d += double(ref[i]) * ref[i];
  }
  return std::sqrt(n / d);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> dtypes{"bf16", "4w"};
  std::vector<int64_t> positions{100, 2000, 8000};
  int iters = 50, parity = 0;
  double rtf_seconds = 60;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--dtypes") dtypes = split(next());
    else if (a == "--positions") {
      positions.clear();
      for (auto& p : split(next())) positions.push_back(std::atoll(p.c_str()));
    } else if (a == "--iters") iters = std::max(1, std::atoi(next().c_str()));
    else if (a == "--rtf-seconds") rtf_seconds = std::atof(next().c_str());
    else if (a == "--parity") parity = std::atoi(next().c_str());
    else if (a == "--json") json_path = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  for (const auto& bi : list_backends())
    std::printf("backend %s: %s %s %s\n", bi.id.c_str(), bi.available ? "available" : "unavailable", bi.name.c_str(), bi.reason.c_str());

  std::printf("filling random weight pools...\n");
  fflush(stdout);
  Pools pools;
  const double bw = copy_bandwidth();
  std::printf("device copy bandwidth (read+write): %.0f GB/s\n", bw / 1e9);
  std::string json = "{\"copy_bw_GBps\":" + std::to_string(bw / 1e9) + ",\"runs\":[";
  int failures = 0;

  for (size_t di = 0; di < dtypes.size(); ++di) {
    const bool q4 = dtypes[di] == "4w";
    try {
      size_t free0 = 0, total = 0;
      auto gpu = create_backend("cuda", BackendOptions{});
      check_cuda(cudaMemGetInfo(&free0, &total), "meminfo");
      double t0 = now_s();
      Model m(*gpu, pools, q4);
      gpu->synchronize();
      const double load_s = now_s() - t0;
      State s(*gpu, kPrompt, pools);
      gpu->synchronize();
      size_t free1 = 0;
      check_cuda(cudaMemGetInfo(&free1, &total), "meminfo");
      const double vram_gb = double(free0 - free1) / 1e9;
      Session ses(*gpu, m, s, "bench");
      ses.prefill();  // capture
      gpu->synchronize();
      t0 = now_s();
      ses.prefill();  // replay
      gpu->synchronize();
      const double prefill_ms = (now_s() - t0) * 1e3;
      std::printf("\n[%s] weights %.2f GB read per step, load (upload from host memory) %.2f s, VRAM %.2f GB, prefill %.2f ms\n",
                  dtypes[di].c_str(), m.step_weight_bytes / 1e9, load_s, vram_gb, prefill_ms);
      std::printf("%-6s %8s %12s %12s %10s %9s %7s\n", "dtype", "pos", "ms/step", "latency ms", "floor ms", "x floor", "GB/s");
      json += std::string(di ? "," : "") + "{\"dtype\":\"" + dtypes[di] + "\",\"load_s\":" + std::to_string(load_s) +
              ",\"vram_GB\":" + std::to_string(vram_gb) + ",\"prefill_ms\":" + std::to_string(prefill_ms) +
              ",\"weight_GB\":" + std::to_string(m.step_weight_bytes / 1e9) + ",\"steps\":[";
      for (size_t pi = 0; pi < positions.size(); ++pi) {
        const int64_t P = positions[pi];
        ses.next_token = P;
        for (int w = 0; w < 5; ++w) ses.step();
        gpu->synchronize();
        // Throughput: steps back to back (host enqueue overlaps the GPU), as in streaming catch-up.
        ses.next_token = P;
        t0 = now_s();
        for (int it = 0; it < iters; ++it) ses.step();
        gpu->synchronize();
        const double ms = (now_s() - t0) * 1e3 / iters;
        // Latency: one step alone, synchronized (what one 80 ms chunk costs when it arrives).
        std::vector<double> lat;
        ses.next_token = P;
        for (int it = 0; it < iters; ++it) {
          t0 = now_s();
          ses.step();
          gpu->synchronize();
          lat.push_back((now_s() - t0) * 1e3);
        }
        // KV rows the step reads: decoder keys visible at P, encoder keys visible to its 4 frames.
        const double kv = double(s.kv_bytes_per_dec_pos) * double(std::min<int64_t>(P + 1, kWindow)) +
                          double(s.kv_bytes_per_enc_pos) * double(std::min<int64_t>(kDown * P + kDown, kEncWindow));
        const double bytes = double(m.step_weight_bytes) + kv;
        const double floor_ms = bytes / bw * 1e3;
        const double lat_ms = median(lat);
        std::printf("%-6s %8lld %12.3f %12.3f %10.3f %9.2f %7.0f\n", dtypes[di].c_str(), (long long)P, ms, lat_ms, floor_ms,
                    ms / floor_ms, bytes / (ms * 1e-3) / 1e9);
        json += std::string(pi ? "," : "") + "{\"pos\":" + std::to_string(P) + ",\"ms_per_step\":" + std::to_string(ms) +
                ",\"latency_ms\":" + std::to_string(lat_ms) + ",\"bytes\":" + std::to_string(bytes) +
                ",\"floor_ms\":" + std::to_string(floor_ms) + "}";
      }
      json += "]";
      if (rtf_seconds > 0) {
        const int64_t n_steps = static_cast<int64_t>(rtf_seconds * 12.5);
        t0 = now_s();
        ses.prefill();
        for (int64_t i = 0; i < n_steps; ++i) ses.step();
        const int32_t last = ses.token();
        const double secs = now_s() - t0;
        std::printf("[%s] %.0f s of audio: prefill + %lld steps in %.3f s, RTF %.4f (%.0fx real time), last token %d\n",
                    dtypes[di].c_str(), rtf_seconds, (long long)n_steps, secs, secs / rtf_seconds, rtf_seconds / secs, last);
        json += ",\"rtf_audio_s\":" + std::to_string(rtf_seconds) + ",\"rtf\":" + std::to_string(secs / rtf_seconds);
      }
      if (parity > 0) {
        // Same weights and inputs on the CPU backend (zero-copy views of the pools).
        auto cpu = create_backend("cpu", BackendOptions{});
        Model mc(*cpu, pools, q4);
        State sc(*cpu, kPrompt, pools);
        Session cs(*cpu, mc, sc, "parity");
        State sg(*gpu, kPrompt, pools);
        Session gs(*gpu, m, sg, "parity");
        int same = 0;
        double worst = 0;
        std::string seq_c, seq_g;
        for (int i = 0; i <= parity; ++i) {
          t0 = now_s();
          if (i == 0) cs.prefill(), gs.prefill();
          else cs.step(), gs.step();
          gpu->synchronize();
          const int32_t tc = cs.token(), tg = gs.token();
          worst = std::max(worst, rel_err(gs.logits(), cs.logits()));
          same += tc == tg;
          seq_c += std::to_string(tc) + " ", seq_g += std::to_string(tg) + " ";
        }
        std::printf("[%s] parity vs CPU, prefill + %d steps: %d/%d ids equal, worst logits rel err %.3e\n  cpu: %s\n  gpu: %s\n",
                    dtypes[di].c_str(), parity, same, parity + 1, worst, seq_c.c_str(), seq_g.c_str());
        json += ",\"parity_equal\":" + std::to_string(same) + ",\"parity_total\":" + std::to_string(parity + 1) +
                ",\"parity_logits_rel\":" + std::to_string(worst);
        if (same != parity + 1 || !(worst < 2e-2)) ++failures;
      }
      json += "}";
    } catch (const Error& e) {
      std::printf("[%s] error: %s\n", dtypes[di].c_str(), e.what());
      ++failures;
    }
  }
  json += "]}";
  std::printf("%s\n", json.c_str());
  if (!json_path.empty())
    if (FILE* f = std::fopen(json_path.c_str(), "w")) std::fputs(json.c_str(), f), std::fclose(f);
  return failures ? 1 : 0;
}

// vxd-selftest: checks the CPU kernels against plain float64 loops on random inputs, for every
// instruction set this machine runs, and dumps log-mel frames for comparison with numpy.
//   vxd-selftest kernels          -> JSON {"checks":[{"name","isa","maxErr","tol"}...]}
//   vxd-selftest mel IN.f32 OUT.f32  (IN: padded 16 kHz samples; OUT: [T, 128] frames, T = N/160)
//   vxd-selftest pickdevice WANT [ID:USABLE:NAME]...  -> JSON {"index"} or {"error"} (device_choice.h;
//                                   WANT "" = the default; devices get indices 0, 1, ... in order)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "../kernels/cpu/cpu_backend.h"
#include "../kernels/cpu/numeric.h"
#include "../kernels/cuda/q4_tiles.h"
#include "device_choice.h"
#include "json_text.h"
#include "mel.h"

using namespace vxd;
using namespace vxd::cpu;

namespace {

std::mt19937 rng(1234);
std::vector<float> randn(size_t n, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

struct Report {
  std::string out = "{\"checks\":[";
  bool first = true;
  void add(const std::string& name, const std::string& isa, double err, double tol) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s{\"name\":\"%s\",\"isa\":\"%s\",\"maxErr\":%.3g,\"tol\":%.3g}", first ? "" : ",", name.c_str(),
                  isa.c_str(), err, tol);
    out += buf;
    first = false;
  }
};

double rel_err(const std::vector<double>& ref, const std::vector<float>& got) {
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num = std::max(num, std::fabs(ref[i] - got[i]));
    den = std::max(den, std::fabs(ref[i]));
  }
  return num / std::max(den, 1e-30);
}

Act act_of(std::vector<float>& v, int64_t rows, int64_t cols) { return Act{v.data(), DType::F32, rows, cols, cols}; }

// Quantizes w [n,k] like the packer: symmetric per group, fp16 scales.
void quantize(const std::vector<float>& w, int64_t n, int64_t k, int64_t g, int bits, std::vector<uint8_t>& q, std::vector<uint16_t>& s,
              std::vector<double>& deq) {
  const int qmax = bits == 8 ? 127 : 7;
  q.assign(bits == 8 ? n * k : n * k / 2, 0);
  s.resize(n * k / g);
  deq.resize(n * k);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g0 = 0; g0 < k; g0 += g) {
      float amax = 0;
      for (int64_t i = g0; i < g0 + g; ++i) amax = std::max(amax, std::fabs(w[r * k + i]));
      // fp16 scale via a round trip through the converter under test's inverse (exact for these values)
      float scale = amax / qmax;
      uint16_t h;
      {  // float -> fp16 (normal range only; scales here are ~1e-2)
        uint32_t u;
        std::memcpy(&u, &scale, 4);
        int e = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
        h = static_cast<uint16_t>((u >> 16 & 0x8000) | (e << 10) | ((u >> 13) & 0x3ff));
      }
      s[r * (k / g) + g0 / g] = h;
      const float sf = f16_to_f32(h);
      for (int64_t i = g0; i < g0 + g; ++i) {
        int v = static_cast<int>(std::lround(w[r * k + i] / sf));
        v = std::max(bits == 8 ? -127 : -8, std::min(qmax, v));
        deq[r * k + i] = static_cast<double>(v) * sf;
        if (bits == 8) q[r * k + i] = static_cast<uint8_t>(static_cast<int8_t>(v));
        else q[(r * k + i) / 2] |= static_cast<uint8_t>((v + 8) << ((i % 2) * 4));
      }
    }
}

void check_matmul(CpuBackend& be, Report& rep, const std::string& isa) {
  for (int64_t m : {1, 3, 7}) {
    const int64_t n = 37, k = 256, g = 32;
    std::vector<float> x = randn(m * k), w = randn(n * k, 0.05f), bias = randn(n), res = randn(m * n);
    // f32 and bf16 weights
    for (int variant = 0; variant < 4; ++variant) {
      std::vector<double> wd(n * k);
      Weight W;
      W.n = n;
      W.k = k;
      std::vector<uint16_t> wb;
      std::vector<uint8_t> q;
      std::vector<uint16_t> sc;
      const char* name = "";
      if (variant == 0) {
        for (int64_t i = 0; i < n * k; ++i) wd[i] = w[i];
        W.dtype = DType::F32;
        W.data = w.data();
        name = "matmul_f32";
      } else if (variant == 1) {
        wb.resize(n * k);
        for (int64_t i = 0; i < n * k; ++i) {
          wb[i] = f32_to_bf16(w[i]);
          wd[i] = bf16_to_f32(wb[i]);
        }
        W.dtype = DType::BF16;
        W.data = wb.data();
        name = "matmul_bf16";
      } else {
        quantize(w, n, k, g, variant == 2 ? 8 : 4, q, sc, wd);
        W.dtype = variant == 2 ? DType::Q8 : DType::Q4;
        W.data = q.data();
        W.scales = sc.data();
        W.group = static_cast<int32_t>(g);
        name = variant == 2 ? "matmul_q8" : "matmul_q4";
      }
      std::vector<double> ref(m * n);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < n; ++c) {
          double s = bias[c] + res[r * n + c];
          for (int64_t i = 0; i < k; ++i) s += static_cast<double>(x[r * k + i]) * wd[c * k + i];
          ref[r * n + c] = s;
        }
      std::vector<float> y(m * n);
      Act X = act_of(x, m, k), Y = act_of(y, m, n), R = act_of(res, m, n);
      be.matmul(X, W, bias.data(), &R, Y);
      rep.add(std::string(name) + "_m" + std::to_string(m), isa, rel_err(ref, y), 1e-5);
    }
  }
}

void check_norm_rope_attention(CpuBackend& be, Report& rep, const std::string& isa) {
  // rmsnorm with ada
  {
    const int64_t rows = 3, cols = 96;
    std::vector<float> x = randn(rows * cols), w = randn(cols), ada = randn(cols, 0.1f), y(rows * cols);
    std::vector<double> ref(rows * cols);
    for (int64_t r = 0; r < rows; ++r) {
      double ss = 0;
      for (int64_t i = 0; i < cols; ++i) ss += double(x[r * cols + i]) * x[r * cols + i];
      double inv = 1.0 / std::sqrt(ss / cols + 1e-5);
      for (int64_t i = 0; i < cols; ++i) ref[r * cols + i] = x[r * cols + i] * inv * w[i] * (1.0 + ada[i]);
    }
    Act X = act_of(x, rows, cols), Y = act_of(y, rows, cols);
    be.rmsnorm(X, w.data(), 1e-5f, ada.data(), Y);
    rep.add("rmsnorm_ada", isa, rel_err(ref, y), 1e-6);
  }
  // rope at a large position (interleaved pairs)
  {
    const int heads = 2, hd = 8;
    const int64_t rows = 2, pos = 123456789;
    std::vector<float> x = randn(rows * heads * hd);
    std::vector<double> ref(x.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int h = 0; h < heads; ++h)
        for (int i = 0; i < hd / 2; ++i) {
          long double ang = (long double)(pos + r) * std::pow(1e6L, -2.0L * i / hd);
          double c = std::cos((double)std::fmod(ang, 2 * M_PIl)), s = std::sin((double)std::fmod(ang, 2 * M_PIl));
          size_t o = r * heads * hd + h * hd + 2 * i;
          ref[o] = x[o] * c - x[o + 1] * s;
          ref[o + 1] = x[o] * s + x[o + 1] * c;
        }
    Act X = act_of(x, rows, heads * hd);
    be.set_step_param(kDecoderPos, pos);
    be.rope(X, heads, hd, 1e6, kDecoderPos);
    rep.add("rope_large_position", isa, rel_err(ref, x), 1e-5);
  }
  // attention over a wrapped ring with GQA and a sliding window, batch of 3 queries
  {
    const int nh = 4, nkv = 2, hd = 16;
    const int64_t window = 5, rows = 3, ring = window + rows, p0 = 40;
    std::vector<float> kc(ring * nkv * hd, 0.f), vc(ring * nkv * hd, 0.f);
    KVCache cache{act_of(kc, ring, nkv * hd), act_of(vc, ring, nkv * hd), ring};
    // history: positions 0..p0+rows-1 written step by step
    std::vector<std::vector<float>> K, V;
    for (int64_t p = 0; p < p0 + rows; ++p) {
      K.push_back(randn(nkv * hd));
      V.push_back(randn(nkv * hd));
    }
    for (int64_t p = 0; p < p0; ++p) {
      Act k1 = act_of(K[p], 1, nkv * hd), v1 = act_of(V[p], 1, nkv * hd);
      be.set_step_param(kDecoderPos, p);
      be.kv_write(k1, v1, cache, kDecoderPos);
    }
    std::vector<float> kb, vb;
    for (int64_t r = 0; r < rows; ++r) {
      kb.insert(kb.end(), K[p0 + r].begin(), K[p0 + r].end());
      vb.insert(vb.end(), V[p0 + r].begin(), V[p0 + r].end());
    }
    be.set_step_param(kDecoderPos, p0);
    Act kB = act_of(kb, rows, nkv * hd), vB = act_of(vb, rows, nkv * hd);
    be.kv_write(kB, vB, cache, kDecoderPos);
    std::vector<float> q = randn(rows * nh * hd), out(rows * nh * hd);
    std::vector<double> ref(out.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int h = 0; h < nh; ++h) {
        const int g = h / (nh / nkv);
        const int64_t p = p0 + r;
        std::vector<double> sc;
        double mx = -1e300;
        for (int64_t j = p - window + 1; j <= p; ++j) {
          double s = 0;
          for (int i = 0; i < hd; ++i) s += double(q[r * nh * hd + h * hd + i]) * K[j][g * hd + i];
          s /= std::sqrt(double(hd));
          sc.push_back(s);
          mx = std::max(mx, s);
        }
        double sum = 0;
        for (auto& s : sc) sum += (s = std::exp(s - mx));
        for (int i = 0; i < hd; ++i) {
          double acc = 0;
          for (int64_t j = p - window + 1, t = 0; j <= p; ++j, ++t) acc += sc[t] / sum * V[j][g * hd + i];
          ref[r * nh * hd + h * hd + i] = acc;
        }
      }
    Act Q = act_of(q, rows, nh * hd), O = act_of(out, rows, nh * hd);
    be.attention(Q, cache, AttentionShape{nh, nkv, hd, window}, kDecoderPos, O);
    rep.add("attention_ring_gqa_window", isa, rel_err(ref, out), 1e-5);
  }
  // im2col (stride 2) + bf16 activation round trip
  {
    const int64_t rows_in = 9, c = 3;
    std::vector<float> x = randn(rows_in * c), cols(4 * c * 3);
    Act X = act_of(x, rows_in, c), C = act_of(cols, 4, c * 3);
    be.im2col(X, 3, 2, C);
    std::vector<double> ref(cols.size());
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int t = 0; t < 3; ++t) ref[j * c * 3 + ch * 3 + t] = x[(j * 2 + t) * c + ch];
    rep.add("im2col_stride2", isa, rel_err(ref, cols), 0);
    std::vector<uint16_t> b(x.size());
    Act B{b.data(), DType::BF16, rows_in, c, c};
    std::vector<float> back(x.size());
    Act Back = act_of(back, rows_in, c);
    be.copy(X, B);
    be.copy(B, Back);
    std::vector<double> xr(x.begin(), x.end());
    rep.add("bf16_activation_round_trip", isa, rel_err(xr, back), 4e-3);
  }
}

int run_kernels() {
  Report rep;
  for (const char* isa : {"scalar", "avx2", "avx512", "neon"}) {
    const DotKernels* k = !std::strcmp(isa, "scalar") ? &dot_kernels_scalar()
                          : !std::strcmp(isa, "avx2") ? dot_kernels_avx2()
                          : !std::strcmp(isa, "avx512") ? dot_kernels_avx512()
                                                        : dot_kernels_neon();
    if (!k) continue;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!std::strcmp(isa, "avx2") && !__builtin_cpu_supports("avx2")) continue;
    if (!std::strcmp(isa, "avx512") && !__builtin_cpu_supports("avx512bw")) continue;
#endif
    CpuBackend be(BackendOptions{2}, k);
    std::vector<float> x = randn(100), w = randn(100);
    std::vector<double> ref{0};
    for (int i = 0; i < 100; ++i) ref[0] += double(x[i]) * w[i];
    std::vector<float> got{k->f32(x.data(), w.data(), 100)};
    rep.add("dot_f32", isa, rel_err(ref, got), 1e-6);
    check_matmul(be, rep, isa);
    check_norm_rope_attention(be, rep, isa);
  }
  std::printf("%s]}\n", rep.out.c_str());
  return 0;
}

int run_mel(const char* in, const char* out) {
  std::ifstream f(in, std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> audio(b.size() / 4);
  std::memcpy(audio.data(), b.data(), audio.size() * 4);
  LogMel mel(1.5);
  const int64_t frames = static_cast<int64_t>(audio.size()) / 160;
  std::vector<float> o(frames * 128);
  mel.frames(audio.data(), 0, static_cast<int64_t>(audio.size()), 0, frames, o.data());
  std::ofstream w(out, std::ios::binary);
  w.write(reinterpret_cast<const char*>(o.data()), static_cast<std::streamsize>(o.size() * 4));
  return 0;
}

// The CUDA backend's tiled q4 layout (kernels/cuda/q4_tiles.h), index math only, for n x k
// weights: every word of the file's layout lands in exactly one slot ("bijective"), and the slot
// the GEMV computes for lane (g, t4), half i, tile t and quad q holds word t4 of chunks 4q..4q+3
// of row 16t + g + 8i, where the untiled GEMV reads them, and the next quad's slot is kQ4QuadSlots
// on ("lanesRead": mismatches, 0 is right); q4_tiled_word, which the row-reading paths use, is
// q4_tile_source's inverse ("inverse": mismatches, 0 is right).
// Prints {"shapes": [{"n", "k", "bijective", "lanesRead", "inverse"}...]}.
int run_q4tiles() {
  using namespace vxd::cuda;
  const int64_t shapes[][2] = {{16, 128}, {48, 128}, {96, 256}, {512, 1280}, {2048, 1280}, {3072, 4096}, {1280, 5120}, {64, 9216}};
  std::string out = "{\"shapes\":[";
  for (const auto& s : shapes) {
    const int64_t n = s[0], k = s[1], quads = k / kQ4QuadCols, words = n * k / 8;
    std::vector<uint8_t> hits(static_cast<size_t>(words), 0);
    for (int64_t o = 0; o < words / 4; ++o)
      for (int j = 0; j < 4; ++j) {
        const int64_t w = q4_tile_source(o, j, k);
        if (w >= 0 && w < words && hits[static_cast<size_t>(w)] < 255) ++hits[static_cast<size_t>(w)];
      }
    bool bijective = true;
    for (uint8_t h : hits) bijective = bijective && h == 1;
    int64_t wrong = 0;
    for (int64_t t = 0; t < n / kQ4TileRows; ++t)
      for (int64_t q = 0; q < quads; ++q)
        for (int i = 0; i < 2; ++i)
          for (int lane = 0; lane < 32; ++lane)
            for (int j = 0; j < 4; ++j) {
              const int64_t row = kQ4TileRows * t + lane / 4 + 8 * i, chunk = 4 * q + j;
              wrong += q4_tile_source(q4_tile_slot(t, q, i, lane, quads), j, k) != row * (k / 8) + 4 * chunk + lane % 4;
            }
    // The GEMV steps its slot pointers by kQ4QuadSlots per quad.
    for (int64_t t = 0; t < n / kQ4TileRows; ++t)
      for (int64_t q = 0; q + 1 < quads; ++q)
        for (int i = 0; i < 2; ++i)
          for (int lane = 0; lane < 32; ++lane) wrong += q4_tile_slot(t, q + 1, i, lane, quads) - q4_tile_slot(t, q, i, lane, quads) != kQ4QuadSlots;
    int64_t not_inverse = 0;
    for (int64_t row = 0; row < n; ++row)
      for (int64_t w = 0; w < k / 8; ++w) {
        const int64_t at = q4_tiled_word(row, w, k);
        not_inverse += at < 0 || at >= words || q4_tile_source(at / 4, static_cast<int>(at % 4), k) != row * (k / 8) + w;
      }
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s{\"n\":%lld,\"k\":%lld,\"bijective\":%s,\"lanesRead\":%lld,\"inverse\":%lld}",
                  out.back() == '[' ? "" : ",", static_cast<long long>(n), static_cast<long long>(k), bijective ? "true" : "false",
                  static_cast<long long>(wrong), static_cast<long long>(not_inverse));
    out += buf;
  }
  std::printf("%s]}\n", out.c_str());
  return 0;
}

// Device choice without a GPU: the devices come from the command line.
int run_pickdevice(int argc, char** argv) {
  std::vector<DeviceInfo> devices;
  for (int i = 3; i < argc; ++i) {
    const std::string spec = argv[i];
    const size_t a = spec.find(':'), b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos) {
      std::fprintf(stderr, "device spec must be ID:USABLE:NAME, got %s\n", argv[i]);
      return 2;
    }
    DeviceInfo d;
    d.id = spec.substr(0, a);
    d.usable = spec.substr(a + 1, b - a - 1) == "1";
    d.name = spec.substr(b + 1);
    d.index = static_cast<int>(devices.size());
    if (!d.usable) d.reason = "compute capability 7.5; needs 8.0";
    devices.push_back(d);
  }
  try {
    std::printf("{\"index\":%d}\n", choose_device(devices, argv[2], "GPU"));
  } catch (const Error& e) {
    std::cout << "{\"error\":";
    write_json_string(std::cout, e.what());
    std::cout << "}" << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && !std::strcmp(argv[1], "pickdevice")) return run_pickdevice(argc, argv);
  if (argc >= 2 && !std::strcmp(argv[1], "kernels")) return run_kernels();
  if (argc >= 2 && !std::strcmp(argv[1], "q4tiles")) return run_q4tiles();
  if (argc >= 4 && !std::strcmp(argv[1], "mel")) return run_mel(argv[2], argv[3]);
  std::fprintf(stderr, "usage: vxd-selftest kernels | q4tiles | mel IN.f32 OUT.f32 | pickdevice WANT [ID:USABLE:NAME]...\n");
  return 2;
}

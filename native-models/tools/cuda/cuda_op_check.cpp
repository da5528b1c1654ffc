// Per-op checks of the CUDA backend against the CPU backend (the numerical reference): fresh
// random inputs every run (seed printed), outputs poisoned with NaN first, error measured as
// ||gpu - cpu|| / ||cpu|| against a bound per output dtype; NaN never passes. Also checks graph
// capture/replay at changing positions and that bad input is refused with a clear error.
//   cuda_op_check [seed]      exit status 0 = all passed, 1 = a check failed, 2 = no usable GPU
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "backend.h"
#include "error.h"
#include "host_tensors.h"

using namespace vxd;
using namespace vxd::tools;

namespace {

int g_failed = 0, g_passed = 0;
Rng* g_rng = nullptr;

double rel_error(const std::vector<float>& got, const std::vector<float>& ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    const double d = static_cast<double>(got[i]) - ref[i];
    num += d * d;
    den += static_cast<double>(ref[i]) * ref[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

double bound_for(DType out) { return out == DType::BF16 ? 1e-2 : 2e-5; }

void report(const std::string& name, double err, double bound) {
  const bool ok = err <= bound;
  (ok ? g_passed : g_failed)++;
  std::printf("%s %-64s rel=%.3e bound=%.0e\n", ok ? "ok  " : "FAIL", name.c_str(), err, bound);
}

// The same matrix on both backends.
struct Twin {
  DevMatrix cpu, gpu;
  Twin(Backend& c, Backend& g, int64_t rows, int64_t cols, DType dt, int64_t stride = 0)
      : cpu(c, rows, cols, dt, stride), gpu(g, rows, cols, dt, stride) {}
  void fill(float scale) {
    auto v = random_values(static_cast<size_t>(cpu.act.rows * cpu.act.cols), scale, *g_rng);
    cpu.write(v);
    gpu.write(v);
  }
  void poison() { cpu.poison(), gpu.poison(); }
  void compare(const std::string& name, double bound) { report(name, rel_error(gpu.read(), cpu.read()), bound); }
};

struct Vec {  // a float vector uploaded to both backends
  const float* cpu;
  const float* gpu;
  Vec(Backend& c, Backend& g, size_t n, float scale, float offset = 0.0f) {
    auto v = random_values(n, scale, *g_rng);
    for (auto& x : v) x += offset;
    cpu = c.upload_vector(v.data(), n);
    gpu = g.upload_vector(v.data(), n);
  }
};

void both(Backend& c, Backend& g, const std::function<void(Backend&, bool)>& op) {
  op(c, false);
  op(g, true);
  g.synchronize();
}

void check_matmul(Backend& c, Backend& g) {
  struct Shape {
    int64_t n, k;
    int32_t group;
  };
  const Shape shapes[] = {{96, 256, 32}, {200, 1280, 32}, {64, 48, 16}, {33, 40, 8}, {130, 512, 128}};
  const DType wts[] = {DType::F32, DType::BF16, DType::Q8, DType::Q4};
  const int64_t ms[] = {1, 2, 3, 4, 7, 8, 9, 39, 70, 300};  // 300: the tiled GEMM
  int variant = 0;
  for (const auto& s : shapes)
    for (DType wt : wts) {
      OwnedWeight host = random_weight(wt, s.n, s.k, s.group, 0.05f, *g_rng);
      const Weight wc = c.upload_weight(host.view()), wg = g.upload_weight(host.view());
      Vec bias(c, g, static_cast<size_t>(s.n), 0.1f);
      for (int64_t m : ms) {
        ++variant;
        const DType xdt = variant % 2 ? DType::BF16 : DType::F32;
        const DType ydt = variant % 3 ? DType::F32 : DType::BF16;
        const bool use_bias = variant % 4 != 0, use_res = variant % 5 < 3;
        // Odd strides exercise the unaligned (generic) paths.
        const int64_t xstride = variant % 7 == 0 ? s.k + 3 : 0;
        Twin x(c, g, m, s.k, xdt, xstride), y(c, g, m, s.n, ydt);
        x.fill(1.0f);
        if (use_res) y.fill(0.5f);  // residual aliases y
        else y.poison();
        both(c, g, [&](Backend& b, bool gpu) {
          b.matmul(gpu ? x.gpu.act : x.cpu.act, gpu ? wg : wc, use_bias ? (gpu ? bias.gpu : bias.cpu) : nullptr,
                   use_res ? (gpu ? &y.gpu.act : &y.cpu.act) : nullptr, gpu ? y.gpu.act : y.cpu.act);
        });
        char name[160];
        std::snprintf(name, sizeof name, "matmul w=%s x=%s y=%s M=%lld N=%lld K=%lld G=%d%s%s%s", dtype_name(wt), dtype_name(xdt),
                      dtype_name(ydt), (long long)m, (long long)s.n, (long long)s.k, s.group, use_bias ? " +bias" : "",
                      use_res ? " +res" : "", xstride ? " strided" : "");
        y.compare(name, bound_for(ydt) * (ydt == DType::F32 && xdt == DType::BF16 ? 1 : 1));
      }
    }
}

void check_norm_rope(Backend& c, Backend& g) {
  for (DType dt : {DType::F32, DType::BF16})
    for (bool ada : {false, true}) {
      Twin x(c, g, 5, 1280, dt), y(c, g, 5, 1280, dt);
      x.fill(2.0f);
      y.poison();
      Vec w(c, g, 1280, 0.5f, 1.0f), a(c, g, 1280, 0.3f);
      both(c, g, [&](Backend& b, bool gpu) {
        b.rmsnorm(gpu ? x.gpu.act : x.cpu.act, gpu ? w.gpu : w.cpu, 1e-5f, ada ? (gpu ? a.gpu : a.cpu) : nullptr,
                  gpu ? y.gpu.act : y.cpu.act);
      });
      y.compare(std::string("rmsnorm ") + dtype_name(dt) + (ada ? " ada" : ""), bound_for(dt));
      both(c, g, [&](Backend& b, bool gpu) {  // in place
        b.rmsnorm(gpu ? x.gpu.act : x.cpu.act, gpu ? w.gpu : w.cpu, 1e-5f, nullptr, gpu ? x.gpu.act : x.cpu.act);
      });
      x.compare(std::string("rmsnorm in place ") + dtype_name(dt), bound_for(dt));
    }
  for (int64_t pos : {0LL, 7LL, 123456789LL})
    for (int hd : {64, 128, 16}) {
      const int heads = 2048 / hd / (hd == 16 ? 4 : 1);
      Twin x(c, g, 4, static_cast<int64_t>(heads) * hd, DType::F32);
      x.fill(1.0f);
      c.set_step_param(kEncoderPos, pos);
      g.set_step_param(kEncoderPos, pos);
      both(c, g, [&](Backend& b, bool gpu) { b.rope(gpu ? x.gpu.act : x.cpu.act, heads, hd, 1e6, kEncoderPos); });
      x.compare("rope hd=" + std::to_string(hd) + " pos=" + std::to_string(pos), 1e-5);
    }
}

struct AttnCase {
  int n_heads, n_kv, hd;
  int64_t window, rows, positions;
  DType kv_dtype;
};

void check_attention(Backend& c, Backend& g) {
  const AttnCase cases[] = {
      {32, 8, 128, 64, 1, 300, DType::BF16},  {32, 8, 128, 2000, 1, 2100, DType::BF16}, {32, 32, 64, 50, 4, 240, DType::F32},
      {4, 2, 16, 8, 1, 40, DType::F32},      {8, 1, 256, 30, 3, 99, DType::BF16},    {6, 3, 40, 700, 4, 160, DType::F32},
  };
  for (const auto& t : cases) {
    const int64_t kv_dim = static_cast<int64_t>(t.n_kv) * t.hd, q_dim = static_cast<int64_t>(t.n_heads) * t.hd;
    const int64_t ring = t.window + t.rows - 1 + 5;
    Twin kc(c, g, ring, kv_dim, t.kv_dtype), vc(c, g, ring, kv_dim, t.kv_dtype);
    KVCache cc{kc.cpu.act, vc.cpu.act, ring}, cg{kc.gpu.act, vc.gpu.act, ring};
    AttentionShape shape{t.n_heads, t.n_kv, t.hd, t.window};
    double worst = 0;
    int checks = 0;
    for (int64_t p = 0; p + t.rows <= t.positions; p += t.rows) {
      Twin k(c, g, t.rows, kv_dim, DType::F32), v(c, g, t.rows, kv_dim, DType::F32);
      k.fill(1.0f), v.fill(1.0f);
      c.set_step_param(kDecoderPos, p);
      g.set_step_param(kDecoderPos, p);
      both(c, g, [&](Backend& b, bool gpu) {
        b.kv_write(gpu ? k.gpu.act : k.cpu.act, gpu ? v.gpu.act : v.cpu.act, gpu ? cg : cc, kDecoderPos);
      });
      // Attend at a spread of positions (all of them for short runs).
      if (t.positions > 400 && (p / t.rows) % 97 != 0 && p + 2 * t.rows <= t.positions) continue;
      Twin q(c, g, t.rows, q_dim, DType::BF16), o(c, g, t.rows, q_dim, DType::F32);
      q.fill(1.0f);
      o.poison();
      both(c, g, [&](Backend& b, bool gpu) {
        b.attention(gpu ? q.gpu.act : q.cpu.act, gpu ? cg : cc, shape, kDecoderPos, gpu ? o.gpu.act : o.cpu.act);
      });
      worst = std::max(worst, rel_error(o.gpu.read(), o.cpu.read()));
      ++checks;
    }
    char name[160];
    std::snprintf(name, sizeof name, "attention H=%d KV=%d hd=%d window=%lld rows=%lld kv=%s (%d positions, worst)", t.n_heads,
                  t.n_kv, t.hd, (long long)t.window, (long long)t.rows, dtype_name(t.kv_dtype), checks);
    report(name, worst, 1e-4);
  }
}

void check_elementwise(Backend& c, Backend& g) {
  for (int stride : {1, 2}) {
    Twin x(c, g, 2 + 8, 128, DType::F32), cols(c, g, (8 - 1) / stride + 1 - (stride == 2 ? 0 : 0), 128 * 3, DType::BF16);
    x.fill(1.0f);
    cols.poison();
    both(c, g, [&](Backend& b, bool gpu) { b.im2col(gpu ? x.gpu.act : x.cpu.act, 3, stride, gpu ? cols.gpu.act : cols.cpu.act); });
    cols.compare("im2col stride=" + std::to_string(stride), 1e-2);
  }
  {
    Twin a(c, g, 10, 1280, DType::F32), b2(c, g, 10, 1280, DType::BF16);
    a.fill(1.0f);
    b2.poison();
    both(c, g, [&](Backend& b, bool gpu) { b.copy(gpu ? a.gpu.act : a.cpu.act, gpu ? b2.gpu.act : b2.cpu.act); });
    b2.compare("copy f32->bf16", 1e-2);
    // Overlapping: rows 2..9 move to rows 0..7 (the conv carry), and back.
    both(c, g, [&](Backend& b, bool gpu) {
      Act& full = gpu ? a.gpu.act : a.cpu.act;
      Act dst = full.rows_view(0, 8);
      b.copy(full.rows_view(2, 8), dst);
    });
    a.compare("copy overlapping (towards start)", 1e-6);
    // Towards the end the CPU backend copies rows in ascending order (it only promises the
    // carry direction), so the reference here is memmove semantics computed on the host.
    std::vector<float> before = a.gpu.read(), expect = before;
    for (int64_t r = 0; r < 9; ++r)
      for (int64_t col = 0; col < 1280; ++col) expect[static_cast<size_t>((r + 1) * 1280 + col)] = before[static_cast<size_t>(r * 1280 + col)];
    {
      Act dst = a.gpu.act.rows_view(1, 9);
      g.copy(a.gpu.act.rows_view(0, 9), dst);
    }
    report("copy overlapping (towards end, memmove semantics)", rel_error(a.gpu.read(), expect), 1e-6);
  }
  for (DType dt : {DType::F32, DType::BF16}) {
    Twin x(c, g, 3, 5120, dt), u(c, g, 3, 5120, dt), o(c, g, 3, 5120, dt);
    x.fill(4.0f), u.fill(2.0f);
    o.poison();
    both(c, g, [&](Backend& b, bool gpu) { b.silu_mul(gpu ? x.gpu.act : x.cpu.act, gpu ? u.gpu.act : u.cpu.act, gpu ? o.gpu.act : o.cpu.act); });
    o.compare(std::string("silu_mul ") + dtype_name(dt), bound_for(dt));
    both(c, g, [&](Backend& b, bool gpu) { b.gelu(gpu ? x.gpu.act : x.cpu.act); });
    x.compare(std::string("gelu ") + dtype_name(dt), bound_for(dt));
  }
  for (DType wt : {DType::F32, DType::BF16, DType::Q8, DType::Q4}) {
    OwnedWeight host = random_weight(wt, 300, 256, 32, 0.5f, *g_rng);
    const Weight tc = c.upload_weight(host.view()), tg = g.upload_weight(host.view());
    const int32_t ids_host[5] = {0, 299, -1, 300, 17};  // two bad ids give zero rows
    Buffer idc = c.alloc(sizeof ids_host), idg = g.alloc(sizeof ids_host);
    c.upload(idc.ptr, ids_host, sizeof ids_host);
    g.upload(idg.ptr, ids_host, sizeof ids_host);
    Twin add(c, g, 5, 256, DType::F32), out(c, g, 5, 256, DType::BF16);
    add.fill(0.1f);
    out.poison();
    both(c, g, [&](Backend& b, bool gpu) {
      b.embed(gpu ? tg : tc, static_cast<const int32_t*>(gpu ? idg.ptr : idc.ptr), gpu ? &add.gpu.act : &add.cpu.act,
              gpu ? out.gpu.act : out.cpu.act);
    });
    out.compare(std::string("embed table=") + dtype_name(wt) + " (bad ids -> zero rows)", 1e-2);
    c.free(idc), g.free(idg);
  }
  for (DType dt : {DType::F32, DType::BF16}) {
    // Ties: the first maximum must win.
    DevMatrix x(g, 1, 131072, dt);
    auto v = random_values(131072, 1.0f, *g_rng);
    const int64_t a = static_cast<int64_t>(g_rng->next() % 60000) + 1000, b = a + 50000;
    v[a] = v[b] = 3.0f;
    x.write(v);
    Buffer id = g.alloc(4);
    g.argmax(x.act, static_cast<int32_t*>(id.ptr));
    int32_t got = -1;
    g.download(&got, id.ptr, 4);
    report(std::string("argmax ") + dtype_name(dt) + " first of tied maxima (" + std::to_string(got) + " vs " + std::to_string(a) + ")",
           got == a ? 0.0 : 1.0, 0.0);
    g.free(id);
  }
}

// A captured step (rope + kv_write + attention + matmul + argmax) replayed at new positions
// must equal eager CPU execution at every one of them.
void check_graph_replay(Backend& c, Backend& g) {
  const int heads = 8, kv = 2, hd = 64, window = 20;
  const int64_t ring = window + 8, qd = heads * hd, kvd = kv * hd;
  Twin kc(c, g, ring, kvd, DType::BF16), vc(c, g, ring, kvd, DType::BF16);
  KVCache cc{kc.cpu.act, vc.cpu.act, ring}, cg{kc.gpu.act, vc.gpu.act, ring};
  OwnedWeight host = random_weight(DType::Q4, 1000, qd, 32, 0.05f, *g_rng);
  const Weight wc = c.upload_weight(host.view()), wg = g.upload_weight(host.view());
  Buffer idc = c.alloc(4), idg = g.alloc(4);
  double worst = 0;
  int mismatched_ids = 0;
  for (int64_t p = 0; p < 60; ++p) {
    Twin q(c, g, 1, qd, DType::F32), k(c, g, 1, kvd, DType::F32), v(c, g, 1, kvd, DType::F32), o(c, g, 1, qd, DType::BF16),
        logits(c, g, 1, 1000, DType::F32);
    q.fill(1.0f), k.fill(1.0f), v.fill(1.0f);
    c.set_step_param(kDecoderPos, p);
    g.set_step_param(kDecoderPos, p);
    // Buffers differ per iteration, so the key names this iteration's buffers only for p < 2;
    // later ones record anew under distinct keys except every 3rd, which replays key "fixed".
    auto step = [&](Backend& b, bool gpu) {
      Act qa = gpu ? q.gpu.act : q.cpu.act;
      Act ka = gpu ? k.gpu.act : k.cpu.act;
      b.rope(qa, heads, hd, 1e6, kDecoderPos);
      b.rope(ka, kv, hd, 1e6, kDecoderPos);
      b.kv_write(ka, gpu ? v.gpu.act : v.cpu.act, gpu ? cg : cc, kDecoderPos);
      b.attention(qa, gpu ? cg : cc, AttentionShape{heads, kv, hd, window}, kDecoderPos, gpu ? o.gpu.act : o.cpu.act);
      b.matmul(gpu ? o.gpu.act : o.cpu.act, gpu ? wg : wc, nullptr, nullptr, gpu ? logits.gpu.act : logits.cpu.act);
      b.argmax(gpu ? logits.gpu.act : logits.cpu.act, static_cast<int32_t*>(gpu ? idg.ptr : idc.ptr));
    };
    c.run_step("s", [&] { step(c, false); });
    g.run_step("s" + std::to_string(p), [&] { step(g, true); });
    g.synchronize();
    worst = std::max(worst, rel_error(logits.gpu.read(), logits.cpu.read()));
    int32_t a = 0, b2 = 0;
    c.download(&a, idc.ptr, 4);
    g.download(&b2, idg.ptr, 4);
    mismatched_ids += a != b2;
  }
  report("captured steps, 60 positions through a wrapping ring (worst logits)", worst, 1e-2);
  report("captured steps: argmax ids equal to CPU (mismatches)", mismatched_ids, 0);
  c.free(idc), g.free(idg);
}

// The same graph replayed: persistent buffers, positions changed only through step params.
void check_replay_same_graph(Backend& c, Backend& g) {
  const int heads = 4, kv = 4, hd = 32, window = 16;
  const int64_t ring = window + 3, qd = heads * hd;
  Twin kc(c, g, ring, qd, DType::F32), vc(c, g, ring, qd, DType::F32);
  KVCache cc{kc.cpu.act, vc.cpu.act, ring}, cg{kc.gpu.act, vc.gpu.act, ring};
  Twin q(c, g, 4, qd, DType::F32), k(c, g, 4, qd, DType::F32), v(c, g, 4, qd, DType::F32), o(c, g, 4, qd, DType::F32);
  double worst = 0;
  for (int64_t p = 0; p < 80; p += 4) {
    q.fill(1.0f), k.fill(1.0f), v.fill(1.0f);
    c.set_step_param(kEncoderPos, p);
    g.set_step_param(kEncoderPos, p);
    auto step = [&](Backend& b, bool gpu) {
      b.rope(gpu ? k.gpu.act : k.cpu.act, heads, hd, 1e6, kEncoderPos);
      b.kv_write(gpu ? k.gpu.act : k.cpu.act, gpu ? v.gpu.act : v.cpu.act, gpu ? cg : cc, kEncoderPos);
      b.attention(gpu ? q.gpu.act : q.cpu.act, gpu ? cg : cc, AttentionShape{heads, kv, hd, window}, kEncoderPos,
                  gpu ? o.gpu.act : o.cpu.act);
    };
    c.run_step("enc", [&] { step(c, false); });
    g.run_step("enc", [&] { step(g, true); });
    g.synchronize();
    worst = std::max(worst, rel_error(o.gpu.read(), o.cpu.read()));
  }
  report("one captured graph replayed at 20 positions (encoder-like, 4 rows)", worst, 1e-4);
}

void check_bad_input(Backend& g) {
  OwnedWeight w = random_weight(DType::Q4, 16, 64, 32, 0.1f, *g_rng);
  HostWeight hw = w.view();
  hw.data_bytes -= 1;
  bool refused = false;
  try {
    g.upload_weight(hw);
  } catch (const Error& e) {
    refused = e.status() == VXD_ERR_FORMAT;
    std::printf("     (refused as expected: %s)\n", e.what());
  }
  report("upload_weight refuses a truncated q4 tensor", refused ? 0 : 1, 0);
  hw = w.view();
  hw.group = 48;  // does not divide k
  refused = false;
  try {
    g.upload_weight(hw);
  } catch (const Error& e) {
    refused = e.status() == VXD_ERR_FORMAT;
  }
  report("upload_weight refuses a group that does not divide k", refused ? 0 : 1, 0);
  DevMatrix x(g, 1, 63, DType::F32), y(g, 1, 16, DType::F32);
  const Weight ok = g.upload_weight(w.view());
  refused = false;
  try {
    g.matmul(x.act, ok, nullptr, nullptr, y.act);
  } catch (const Error&) {
    refused = true;
  }
  report("matmul refuses mismatched shapes", refused ? 0 : 1, 0);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10)
                                 : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("cuda_op_check seed=%llu\n", (unsigned long long)seed);
  for (const auto& b : list_backends())
    std::printf("backend %s: %s %s %s\n", b.id.c_str(), b.available ? "available" : "unavailable", b.name.c_str(), b.reason.c_str());
  Rng rng(seed);
  g_rng = &rng;
  std::unique_ptr<Backend> cpu, gpu;
  try {
    cpu = create_backend("cpu", BackendOptions{});
    gpu = create_backend("cuda", BackendOptions{});
  } catch (const Error& e) {
    std::printf("no CUDA backend: %s\n", e.what());
    return 2;
  }
  try {
    check_matmul(*cpu, *gpu);
    check_norm_rope(*cpu, *gpu);
    check_attention(*cpu, *gpu);
    check_elementwise(*cpu, *gpu);
    check_graph_replay(*cpu, *gpu);
    check_replay_same_graph(*cpu, *gpu);
    check_bad_input(*gpu);
  } catch (const Error& e) {
    std::printf("FAIL unexpected error: %s\n", e.what());
    ++g_failed;
  }
  std::printf("cuda_op_check: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}

// One streaming step of the full Voxtral Realtime 4B shape (spec §1, §4-6), issued through the
// Backend interface in the model's op order, with random weights: the conv stem, 32 encoder
// layers (ring KV, window 750), downsample + adapter, one decoder token (GQA ring KV, window
// 8192, time-conditioned FFN norm), tied LM head and argmax on the device, the sampled id fed
// back on the device. Used by reference/bench_engine.cpp on any backend (CUDA, and the CPU
// backend as its parity reference).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend.h"
#include "host_tensors.h"

namespace vxd::tools::full {

// ---- the full configuration (spec §1) ----
constexpr int64_t kMel = 128, kEncDim = 1280, kEncLayers = 32, kEncHeads = 32, kEncHd = 64, kEncHidden = 5120, kEncWindow = 750;
constexpr int64_t kDim = 3072, kLayers = 26, kHeads = 32, kKv = 8, kHd = 128, kHidden = 9216, kVocab = 131072, kWindow = 8192;
constexpr int64_t kDown = 4, kPrompt = 39, kGroup = 32;
constexpr double kTheta = 1e6;
constexpr float kEps = 1e-5f;

// Random host tensors that every weight is uploaded from (the values need only be sensible).
struct Pools {
  std::vector<uint16_t> bf16;                  // uniform +-0.02
  std::vector<uint8_t> bytes;                  // random codes
  std::vector<uint16_t> scales_q8, scales_q4;  // fp16
  std::vector<float> ones;                     // norm weights ~1, biases small
  Pools() {
    bf16.resize(static_cast<size_t>(kVocab * kDim));
    bytes.resize(static_cast<size_t>(kVocab * kDim));
    scales_q8.resize(static_cast<size_t>(kVocab * kDim / kGroup));
    scales_q4.resize(scales_q8.size());
    const int nt = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
    std::vector<std::thread> threads;
    for (int t = 0; t < nt; ++t)
      threads.emplace_back([this, t, nt] {
        Rng rng(1234 + t);
        auto lo = [&](size_t n) { return n * t / nt; };
        auto hi = [&](size_t n) { return n * (t + 1) / nt; };
        for (size_t i = lo(bf16.size()); i < hi(bf16.size()); ++i) bf16[i] = f32_to_bf16(0.02f * rng.sym());
        for (size_t i = lo(bytes.size()); i < hi(bytes.size()); ++i) bytes[i] = static_cast<uint8_t>(rng.next() >> 56) | 1;  // never 0x80
        for (size_t i = lo(scales_q8.size()); i < hi(scales_q8.size()); ++i) {
          scales_q8[i] = f32_to_f16(0.02f / 127 * (0.5f + rng.uniform()));
          scales_q4[i] = f32_to_f16(0.02f / 7 * (0.5f + rng.uniform()));
        }
      });
    for (auto& th : threads) th.join();
    Rng rng(99);
    ones.resize(static_cast<size_t>(kHidden * 2));
    for (auto& v : ones) v = 1.0f + 0.1f * rng.sym();
  }
};

struct Model {
  Backend& b;
  const Pools& pools;
  DType lin;      // linear weights: BF16 or Q4
  DType emb;      // embedding / LM head: BF16 or Q8
  size_t step_weight_bytes = 0;

  Weight weight(DType dt, int64_t n, int64_t k, bool counted = true) {
    HostWeight w;
    w.dtype = dt;
    w.n = n;
    w.k = k;
    const size_t nk = static_cast<size_t>(n * k);
    if (dt == DType::BF16) {
      w.data = pools.bf16.data(), w.data_bytes = nk * 2;
    } else {
      w.data = pools.bytes.data(), w.data_bytes = dt == DType::Q8 ? nk : nk / 2;
      w.group = kGroup;
      w.scales = dt == DType::Q8 ? pools.scales_q8.data() : pools.scales_q4.data();
      w.scales_bytes = static_cast<size_t>(n * (k / kGroup)) * 2;
    }
    if (counted) step_weight_bytes += w.data_bytes + w.scales_bytes;
    return b.upload_weight(w);
  }
  const float* vec(int64_t n, bool bias) {
    std::vector<float> v(pools.ones.begin(), pools.ones.begin() + n);
    if (bias)
      for (auto& x : v) x = (x - 1.0f) * 0.5f;
    return b.upload_vector(v.data(), static_cast<size_t>(n));
  }

  struct EncLayer {
    const float *attn_norm, *bq, *bv, *bo, *ffn_norm, *b2;
    Weight wq, wk, wv, wo, w1, w2, w3;
  };
  struct DecLayer {
    const float *attn_norm, *ffn_norm, *ada;
    Weight wq, wk, wv, wo, w1, w2, w3;
  };
  Weight conv1, conv2, ad_in, ad_out, tok;
  const float *conv1_b, *conv2_b, *enc_norm, *dec_norm;
  std::vector<EncLayer> enc;
  std::vector<DecLayer> dec;

  Model(Backend& backend, const Pools& p, bool q4) : b(backend), pools(p), lin(q4 ? DType::Q4 : DType::BF16), emb(q4 ? DType::Q8 : DType::BF16) {
    conv1 = weight(DType::BF16, kEncDim, kMel * 3), conv1_b = vec(kEncDim, true);
    conv2 = weight(DType::BF16, kEncDim, kEncDim * 3), conv2_b = vec(kEncDim, true);
    for (int i = 0; i < kEncLayers; ++i) {
      EncLayer l;
      l.attn_norm = vec(kEncDim, false), l.ffn_norm = vec(kEncDim, false);
      l.bq = vec(kEncHeads * kEncHd, true), l.bv = vec(kEncHeads * kEncHd, true), l.bo = vec(kEncDim, true), l.b2 = vec(kEncDim, true);
      l.wq = weight(lin, kEncHeads * kEncHd, kEncDim), l.wk = weight(lin, kEncHeads * kEncHd, kEncDim);
      l.wv = weight(lin, kEncHeads * kEncHd, kEncDim), l.wo = weight(lin, kEncDim, kEncHeads * kEncHd);
      l.w1 = weight(lin, kEncHidden, kEncDim), l.w2 = weight(lin, kEncDim, kEncHidden), l.w3 = weight(lin, kEncHidden, kEncDim);
      enc.push_back(l);
    }
    enc_norm = vec(kEncDim, false);
    ad_in = weight(lin, kDim, kEncDim * kDown), ad_out = weight(lin, kDim, kDim);
    tok = weight(emb, kVocab, kDim);  // read whole by the LM head
    for (int i = 0; i < kLayers; ++i) {
      DecLayer l;
      l.attn_norm = vec(kDim, false), l.ffn_norm = vec(kDim, false), l.ada = vec(kDim, true);
      l.wq = weight(lin, kHeads * kHd, kDim), l.wk = weight(lin, kKv * kHd, kDim), l.wv = weight(lin, kKv * kHd, kDim);
      l.wo = weight(lin, kDim, kHeads * kHd);
      l.w1 = weight(lin, kHidden, kDim), l.w2 = weight(lin, kDim, kHidden), l.w3 = weight(lin, kHidden, kDim);
      dec.push_back(l);
    }
    dec_norm = vec(kDim, false);
  }
};

// Activations and caches for up to `max_tokens` tokens per call.
struct State {
  Backend& b;
  std::vector<Buffer> bufs;
  Act mel, cols1, x2, cols2, eh, ea, eq, ek, ev, eo, eg, eu, enc_out, ad1, audio, dh, da, dq, dk, dv, dout, dg, du, logits;
  int32_t* ids = nullptr;
  std::vector<KVCache> enc_kv, dec_kv;
  size_t kv_bytes_per_dec_pos = 0, kv_bytes_per_enc_pos = 0;

  Act make(int64_t rows, int64_t cols, DType dt) {
    Buffer buf = b.alloc(static_cast<size_t>(rows * cols) * (dt == DType::BF16 ? 2 : 4));
    bufs.push_back(buf);
    Act a;
    a.data = buf.ptr, a.dtype = dt, a.rows = rows, a.cols = cols, a.stride = cols;
    return a;
  }
  State(Backend& backend, int64_t max_tokens, const Pools& pools) : b(backend) {
    const int64_t T = max_tokens, R = kDown * T, F = 8 * T;
    mel = make(2 + F, kMel, DType::F32), cols1 = make(F, kMel * 3, DType::BF16), x2 = make(1 + F, kEncDim, DType::BF16);
    cols2 = make(R, kEncDim * 3, DType::BF16), eh = make(R, kEncDim, DType::F32), ea = make(R, kEncDim, DType::BF16);
    eq = make(R, kEncHeads * kEncHd, DType::BF16), ek = make(R, kEncHeads * kEncHd, DType::BF16);
    ev = make(R, kEncHeads * kEncHd, DType::BF16), eo = make(R, kEncHeads * kEncHd, DType::BF16);
    eg = make(R, kEncHidden, DType::BF16), eu = make(R, kEncHidden, DType::BF16), enc_out = make(R, kEncDim, DType::BF16);
    ad1 = make(T, kDim, DType::BF16), audio = make(T, kDim, DType::F32), dh = make(T, kDim, DType::F32);
    da = make(T, kDim, DType::BF16), dq = make(T, kHeads * kHd, DType::BF16), dk = make(T, kKv * kHd, DType::BF16);
    dv = make(T, kKv * kHd, DType::BF16), dout = make(T, kHeads * kHd, DType::BF16);
    dg = make(T, kHidden, DType::BF16), du = make(T, kHidden, DType::BF16), logits = make(1, kVocab, DType::F32);
    Buffer idb = b.alloc(static_cast<size_t>(T) * 4);
    bufs.push_back(idb);
    ids = static_cast<int32_t*>(idb.ptr);
    // Ring caches (bf16) hold random values everywhere, so no read ever sees zeros.
    const int64_t enc_ring = kEncWindow + R - 1, dec_ring = kWindow + T - 1;
    for (int i = 0; i < kEncLayers; ++i) enc_kv.push_back(cache(enc_ring, kEncHeads * kEncHd, pools));
    for (int i = 0; i < kLayers; ++i) dec_kv.push_back(cache(dec_ring, kKv * kHd, pools));
    kv_bytes_per_dec_pos = static_cast<size_t>(kLayers * kKv * kHd * 2 * 2);
    kv_bytes_per_enc_pos = static_cast<size_t>(kEncLayers * kEncHeads * kEncHd * 2 * 2);
  }
  KVCache cache(int64_t ring, int64_t dim, const Pools& pools) {
    KVCache c;
    c.k = make(ring, dim, DType::BF16), c.v = make(ring, dim, DType::BF16), c.ring = ring;
    b.upload(c.k.data, pools.bf16.data(), static_cast<size_t>(ring * dim * 2));
    b.upload(c.v.data, pools.bf16.data() + 1000, static_cast<size_t>(ring * dim * 2));
    return c;
  }
  ~State() {
    for (auto& buf : bufs) b.free(buf);
  }
};

// Records one call of T tokens: encoder chunk(s) + adapter + decoder rows + LM head on the last row.
inline void record_tokens(Backend& b, Model& m, State& s, int64_t T) {
  const int64_t R = kDown * T, F = 8 * T;
  Act mel_all = s.mel.rows_view(0, 2 + F), cols1 = s.cols1.rows_view(0, F), x2_new = s.x2.rows_view(1, F);
  b.im2col(mel_all, 3, 1, cols1);
  b.matmul(cols1, m.conv1, m.conv1_b, nullptr, x2_new);
  b.gelu(x2_new);
  Act cols2 = s.cols2.rows_view(0, R), eh = s.eh.rows_view(0, R);
  b.im2col(s.x2.rows_view(0, 1 + F), 3, 2, cols2);
  b.matmul(cols2, m.conv2, m.conv2_b, nullptr, eh);
  b.gelu(eh);
  // Conv carries for the next call: the last 2 mel rows and the last conv1 row.
  Act mel_carry = s.mel.rows_view(0, 2), x2_carry = s.x2.rows_view(0, 1);
  b.copy(s.mel.rows_view(F, 2), mel_carry);
  b.copy(s.x2.rows_view(F, 1), x2_carry);

  Act ea = s.ea.rows_view(0, R), eq = s.eq.rows_view(0, R), ek = s.ek.rows_view(0, R), ev = s.ev.rows_view(0, R);
  Act eo = s.eo.rows_view(0, R), eg = s.eg.rows_view(0, R), eu = s.eu.rows_view(0, R);
  for (int i = 0; i < kEncLayers; ++i) {
    const auto& l = m.enc[i];
    b.rmsnorm(eh, l.attn_norm, kEps, nullptr, ea);
    b.matmul(ea, l.wq, l.bq, nullptr, eq);
    b.matmul(ea, l.wk, nullptr, nullptr, ek);
    b.matmul(ea, l.wv, l.bv, nullptr, ev);
    b.rope(eq, kEncHeads, kEncHd, kTheta, kEncoderPos);
    b.rope(ek, kEncHeads, kEncHd, kTheta, kEncoderPos);
    b.kv_write(ek, ev, s.enc_kv[i], kEncoderPos);
    b.attention(eq, s.enc_kv[i], AttentionShape{kEncHeads, kEncHeads, kEncHd, kEncWindow}, kEncoderPos, eo);
    b.matmul(eo, l.wo, l.bo, &eh, eh);
    b.rmsnorm(eh, l.ffn_norm, kEps, nullptr, ea);
    b.matmul(ea, l.w1, nullptr, nullptr, eg);
    b.matmul(ea, l.w3, nullptr, nullptr, eu);
    b.silu_mul(eg, eu, eg);
    b.matmul(eg, l.w2, l.b2, &eh, eh);
  }
  Act enc_out = s.enc_out.rows_view(0, R);
  b.rmsnorm(eh, m.enc_norm, kEps, nullptr, enc_out);
  Act down = enc_out.reshaped(kEncDim * kDown), ad1 = s.ad1.rows_view(0, T), audio = s.audio.rows_view(0, T);
  b.matmul(down, m.ad_in, nullptr, nullptr, ad1);
  b.gelu(ad1);
  b.matmul(ad1, m.ad_out, nullptr, nullptr, audio);

  Act dh = s.dh.rows_view(0, T), da = s.da.rows_view(0, T), dq = s.dq.rows_view(0, T), dk = s.dk.rows_view(0, T);
  Act dv = s.dv.rows_view(0, T), dout = s.dout.rows_view(0, T), dg = s.dg.rows_view(0, T), du = s.du.rows_view(0, T);
  b.embed(m.tok, s.ids, &audio, dh);
  for (int i = 0; i < kLayers; ++i) {
    const auto& l = m.dec[i];
    b.rmsnorm(dh, l.attn_norm, kEps, nullptr, da);
    b.matmul(da, l.wq, nullptr, nullptr, dq);
    b.matmul(da, l.wk, nullptr, nullptr, dk);
    b.matmul(da, l.wv, nullptr, nullptr, dv);
    b.rope(dq, kHeads, kHd, kTheta, kDecoderPos);
    b.rope(dk, kKv, kHd, kTheta, kDecoderPos);
    b.kv_write(dk, dv, s.dec_kv[i], kDecoderPos);
    b.attention(dq, s.dec_kv[i], AttentionShape{kHeads, kKv, kHd, kWindow}, kDecoderPos, dout);
    b.matmul(dout, l.wo, nullptr, &dh, dh);
    b.rmsnorm(dh, l.ffn_norm, kEps, l.ada, da);
    b.matmul(da, l.w1, nullptr, nullptr, dg);
    b.matmul(da, l.w3, nullptr, nullptr, du);
    b.silu_mul(dg, du, dg);
    b.matmul(dg, l.w2, nullptr, &dh, dh);
  }
  Act last = dh.rows_view(T - 1, 1), last_n = da.rows_view(T - 1, 1);
  b.rmsnorm(last, m.dec_norm, kEps, nullptr, last_n);
  b.matmul(last_n, m.tok, nullptr, nullptr, s.logits);
  b.argmax(s.logits, s.ids);  // fed back as the next step's token
}

// A session: prefill (39 tokens) then one token per step; mel chunks are deterministic per step.
struct Session {
  Backend& b;
  Model& m;
  State& s;
  std::string tag;         // graph keys are per buffer set: one tag per session
  int64_t next_token = 0;  // decoder position of the next step
  Session(Backend& be, Model& mo, State& st, std::string t) : b(be), m(mo), s(st), tag(std::move(t)) {}

  void upload_mel(int64_t first_token, int64_t T) {
    std::vector<float> mel(static_cast<size_t>(8 * T * kMel));
    for (int64_t t = 0; t < T; ++t) {
      Rng rng(static_cast<uint64_t>(first_token + t) + 777);
      for (int64_t i = 0; i < 8 * kMel; ++i) mel[static_cast<size_t>(t * 8 * kMel + i)] = 0.8f * rng.sym() - 0.2f;
    }
    b.upload(s.mel.rows_view(2, 8 * T).data, mel.data(), mel.size() * 4);
  }
  void prefill() {
    std::vector<int32_t> prompt(kPrompt, 32);
    prompt[0] = 1;
    b.upload(s.ids, prompt.data(), prompt.size() * 4);
    upload_mel(0, kPrompt);
    b.set_step_param(kEncoderPos, 0);
    b.set_step_param(kDecoderPos, 0);
    b.run_step(tag + "/prefill", [&] { record_tokens(b, m, s, kPrompt); });
    next_token = kPrompt;
  }
  void step() {
    upload_mel(next_token, 1);
    b.set_step_param(kEncoderPos, kDown * next_token);
    b.set_step_param(kDecoderPos, next_token);
    b.run_step(tag + "/step", [&] { record_tokens(b, m, s, 1); });
    ++next_token;
  }
  int32_t token() {
    int32_t id = 0;
    b.download(&id, s.ids, 4);
    return id;
  }
  std::vector<float> logits() {
    std::vector<float> v(static_cast<size_t>(kVocab));
    b.download(v.data(), s.logits.data, v.size() * 4);
    return v;
  }
};

}  // namespace vxd::tools::full

"""HF transformers side of the GPU streaming benchmark (full 4B config, random bf16 weights, sdpa).

    python3 native-models/reference/bench_hf.py [--positions 100 2000 8000] [--iters 30] [--json OUT.json]

One streaming step = one 8-frame mel chunk through the audio encoder with its caches (conv padding
cache + encoder KV cache, window full) + one decoder token at decoder position P with a KV cache
holding P positions. It is timed as HF runs it in streaming: ONE top-level forward call with
`past_key_values`, `encoder_past_key_values` and `padding_cache` (spec §8 "Streaming check"); the
encoder chunk and the decoder token are also timed on their own. CUDA events, warm-up, median.

Floor: bytes one step must read (all weights once, the tied LM head included, plus the decoder KV
for P positions and the encoder KV for its 750-frame window) / device copy bandwidth measured here
(bytes read + written). Also: build time, VRAM, and the real-time factor of HF generate() on 60 s.
Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hf_fixtures import hf_config, submodule  # noqa: E402
from mistral_format import params_json  # noqa: E402
from protocol import MEL_FRAMES_PER_TOKEN, N_DELAY_TOKENS, PROMPT, n_audio_positions, pad_offline  # noqa: E402

FULL = {  # spec §1
    "encoder": {"dim": 1280, "n_layers": 32, "n_heads": 32, "head_dim": 64, "hidden_dim": 5120, "sliding_window": 750},
    "decoder": {
        "dim": 3072, "n_layers": 26, "n_heads": 32, "n_kv_heads": 8, "head_dim": 128, "hidden_dim": 9216,
        "vocab_size": 131072, "sliding_window": 8192,
    },
}
DEVICE = torch.device("cuda")
BF16 = torch.bfloat16


def log(msg: str) -> None:
    print(msg, flush=True)


def cuda_median_ms(fn, iters: int, warmup: int = 5, after=None) -> float:
    """Median of per-call CUDA-event times; `after` (untimed) restores state between calls."""
    for _ in range(warmup):
        fn()
        if after:
            after()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
        if after:
            after()
    return statistics.median(times)


def copy_bandwidth_gbs() -> float:
    n_bytes = 2 << 30
    src = torch.empty(n_bytes // 2, dtype=BF16, device=DEVICE).normal_()
    dst = torch.empty_like(src)
    ms = cuda_median_ms(lambda: dst.copy_(src), iters=20)
    del src, dst
    torch.cuda.empty_cache()
    return 2 * n_bytes / (ms * 1e-3) / 1e9


def build_model():
    from transformers import VoxtralRealtimeForConditionalGeneration

    config = hf_config(params_json(FULL))
    try:
        config._attn_implementation = "sdpa"
    except Exception as exc:
        log(f"note: could not preset sdpa on the config: {exc}")
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    previous = torch.get_default_dtype()
    torch.set_default_dtype(BF16)
    try:
        with torch.device(DEVICE):
            model = VoxtralRealtimeForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(previous)
    model = model.eval()  # params were created in bf16; buffers keep the dtype HF gives them
    randomize(model)
    dtypes = {p.dtype for p in model.parameters()}
    if dtypes != {BF16}:
        raise RuntimeError(f"parameters are {dtypes}, expected bf16 only")
    if hasattr(model, "set_attn_implementation"):
        try:
            model.set_attn_implementation("sdpa")
        except Exception as exc:
            log(f"note: set_attn_implementation('sdpa') failed: {exc}")
    torch.cuda.synchronize()
    return model, time.perf_counter() - t0


@torch.no_grad()
def randomize(model) -> None:
    """Seeded random weights on the device (never time uninitialised memory): matrices N(0, 1/fan_in),
    norm weights 1, biases 0."""
    generator = torch.Generator(device=DEVICE).manual_seed(0)
    for name, p in model.named_parameters():
        if p.ndim >= 2:
            p.normal_(0.0, p[0].numel() ** -0.5, generator=generator)
        elif name.endswith("bias"):
            p.zero_()
        else:
            p.fill_(1.0)


def weight_bytes(model) -> int:
    seen, total = set(), 0
    for p in model.parameters():  # parameters() yields a tied tensor once
        if p.data_ptr() not in seen:
            seen.add(p.data_ptr())
            total += p.numel() * p.element_size()
    return total


def t_cond_for(model) -> torch.Tensor:
    te = submodule(model, "time_embedding")
    return te(torch.full((1,), float(N_DELAY_TOKENS), device=DEVICE, dtype=BF16))[None]


def decoder_call(model):
    """language_model(...) for one chunk of input embeddings; only the last position's logits if supported."""
    lm = submodule(model, "language_model")
    extra = {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(lm.forward).parameters else {}
    t_cond = t_cond_for(model)

    def call(x, cache):
        return lm(inputs_embeds=x, past_key_values=cache, use_cache=True, t_cond=t_cond, **extra).past_key_values

    return call


@torch.no_grad()
def prefill_decoder(model, positions: int):
    """Decoder KV cache holding `positions` positions (random input embeddings, chunked prefill)."""
    call = decoder_call(model)
    hidden = model.config.text_config.hidden_size
    cache, chunk = None, 2048
    for start in range(0, positions, chunk):
        n = min(chunk, positions - start)
        cache = call(torch.randn(1, n, hidden, device=DEVICE, dtype=BF16), cache)
    if cache.get_seq_length() != positions:
        raise RuntimeError(f"decoder cache holds {cache.get_seq_length()} positions, expected {positions}")
    return cache


@torch.no_grad()
def prefill_encoder(model, n_tokens: int):
    mel = torch.randn(1, 128, n_tokens * MEL_FRAMES_PER_TOKEN, device=DEVICE, dtype=BF16) * 0.5
    out = model.get_audio_features(input_features=mel, use_cache=True)
    return out.past_key_values, out.padding_cache


def crop_to(cache, length: int):
    def restore():
        try:
            cache.crop(length)
        except Exception:  # some cache layers cannot crop; then the cache grows by one per call
            pass

    return restore


@torch.no_grad()
def time_position(model, position: int, iters: int) -> dict:
    torch.cuda.reset_peak_memory_stats()
    dec_cache = prefill_decoder(model, position)
    enc_cache, padding_cache = prefill_encoder(model, 200)  # 800 encoder frames: the 750 window is full
    token = torch.tensor([[1000 + position % 1000]], device=DEVICE)
    chunk = torch.randn(1, 128, MEL_FRAMES_PER_TOKEN, device=DEVICE, dtype=BF16) * 0.5
    call = decoder_call(model)
    x = torch.randn(1, 1, model.config.text_config.hidden_size, device=DEVICE, dtype=BF16)

    def full_step():
        model(
            input_ids=token, input_features=chunk, past_key_values=dec_cache,
            encoder_past_key_values=enc_cache, padding_cache=padding_cache,
            use_cache=True, num_delay_tokens=N_DELAY_TOKENS,
        )

    def encoder_chunk():
        model.get_audio_features(
            input_features=chunk, past_key_values=enc_cache, padding_cache=padding_cache, use_cache=True
        )

    def decoder_token():
        call(x, dec_cache)

    restore = crop_to(dec_cache, position)
    result = {
        "position": position,
        "stepMs": cuda_median_ms(full_step, iters, after=restore),
        "encoderChunkMs": cuda_median_ms(encoder_chunk, iters),
        "decoderTokenMs": cuda_median_ms(decoder_token, iters, after=restore),
        "decoderCacheLen": dec_cache.get_seq_length(),
        "peakVramGiB": torch.cuda.max_memory_allocated() / 2**30,
    }
    del dec_cache, enc_cache, padding_cache
    torch.cuda.empty_cache()
    return result


def kv_bytes(position: int) -> int:
    d, e = FULL["decoder"], FULL["encoder"]
    dec = d["n_layers"] * 2 * d["n_kv_heads"] * d["head_dim"] * min(position, d["sliding_window"]) * 2
    enc = e["n_layers"] * 2 * e["n_heads"] * e["head_dim"] * e["sliding_window"] * 2
    return dec + enc


@torch.no_grad()
def real_time_factor(model, seconds: float) -> dict:
    from transformers import VoxtralRealtimeFeatureExtractor

    rng = np.random.default_rng(0)
    audio = (0.05 * rng.standard_normal(int(seconds * 16000))).astype(np.float32)
    fe = VoxtralRealtimeFeatureExtractor()
    n_audio = n_audio_positions(len(audio))
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    mel = fe(pad_offline(audio), sampling_rate=16000, return_tensors="pt").input_features.to(DEVICE, BF16)
    out = model.generate(
        input_ids=torch.tensor([PROMPT], device=DEVICE), input_features=mel,
        num_delay_tokens=N_DELAY_TOKENS, do_sample=False, min_length=n_audio,
    )
    torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    seq = out.sequences if hasattr(out, "sequences") else out
    generated = int(seq.shape[-1]) - len(PROMPT)
    return {"audioSeconds": seconds, "wallSeconds": wall, "rtf": wall / seconds, "generatedTokens": generated,
            "msPerToken": 1000 * wall / max(generated, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positions", type=int, nargs="+", default=[100, 2000, 8000])
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--rtf-seconds", type=float, default=60.0, help="0 skips the generate() run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import transformers

    name = torch.cuda.get_device_name()
    log(f"{name}; torch {torch.__version__}; transformers {transformers.__version__}")
    bandwidth = copy_bandwidth_gbs()
    log(f"device copy bandwidth (read+write): {bandwidth:.0f} GB/s")
    model, build_s = build_model()
    weights = weight_bytes(model)
    vram_weights = torch.cuda.memory_allocated() / 2**30
    impl = getattr(model.config, "_attn_implementation", "?")
    log(f"built full model in {build_s:.1f}s (seeded random init on device): {weights / 2**30:.2f} GiB of weights, "
        f"{vram_weights:.2f} GiB allocated, attention {impl}")

    rows = []
    for position in args.positions:
        row = time_position(model, position, args.iters)
        floor_bytes = weights + kv_bytes(position)
        row["floorBytes"] = floor_bytes
        row["floorMs"] = floor_bytes / (bandwidth * 1e9) * 1e3
        rows.append(row)
        log(f"P={position:5d}: step {row['stepMs']:.2f} ms (encoder chunk {row['encoderChunkMs']:.2f} + decoder token "
            f"{row['decoderTokenMs']:.2f}); floor {row['floorMs']:.2f} ms; peak VRAM {row['peakVramGiB']:.1f} GiB")

    rtf = None
    if args.rtf_seconds > 0:
        try:
            rtf = real_time_factor(model, args.rtf_seconds)
            log(f"generate() on {args.rtf_seconds:.0f} s: {rtf['wallSeconds']:.1f} s wall, RTF {rtf['rtf']:.3f}, "
                f"{rtf['generatedTokens']} tokens, {rtf['msPerToken']:.1f} ms/token")
        except Exception as exc:
            rtf = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"generate() RTF run failed: {exc}")

    summary = {
        "bench": "hf-voxtral-realtime-streaming-step",
        "device": name,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "dtype": "bf16",
        "attention": str(impl),
        "timing": "CUDA events, median of %d after 5 warm-up calls; step = one top-level forward" % args.iters,
        "copyBandwidthGBs": bandwidth,
        "buildSeconds": build_s,
        "weightBytes": weights,
        "vramWeightsGiB": vram_weights,
        "positions": rows,
        "realTimeFactor": rtf,
    }
    line = json.dumps(summary)
    if args.json:
        args.json.write_text(line + "\n")
    print(line, flush=True)


if __name__ == "__main__":
    main()

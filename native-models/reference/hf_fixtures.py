"""HF transformers parity fixtures for Voxtral Realtime (run where torch + transformers exist).

    python3 native-models/reference/hf_fixtures.py --out DIR [--case tiny --case wrap]

For each case: read the committed random Mistral checkpoint, convert it to HF (mistral_to_hf.py),
load it into VoxtralRealtimeForConditionalGeneration (fp32, eager attention, eval, CPU so no TF32),
run the offline streaming protocol on the case's WAV and write DIR/<case>/ with manifest.json and
raw little-endian float32 arrays (format: docs/reference-fixtures.md).

Cross-checks recorded in the manifest (none of them changes the fixture):
- HF generate() tokens vs our greedy loop; HF's own cached streaming path vs offline logits;
- HF in float64 and the independent numpy float64 model (numpy_model.py, Mistral layout,
  interleaved RoPE — what our engine implements) vs each other and vs HF fp32.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_checkpoints import CASES, REPO  # noqa: E402
from mistral_format import dims_from_params, read_checkpoint  # noqa: E402
from mistral_to_hf import HF_EMBED, HF_LM_HEAD, convert  # noqa: E402
from numpy_model import NumpyVoxtral, log_mel, top2_margins  # noqa: E402
from protocol import (  # noqa: E402
    EOS_ID,
    MEL_FRAMES_PER_TOKEN,
    N_DELAY_TOKENS,
    PROMPT,
    PROMPT_LENGTH,
    n_audio_positions,
    n_generated_like_hf,
    pad_offline,
    read_wav_16k_mono,
)


def log(msg: str) -> None:
    print(msg, flush=True)


def rel_err(a: np.ndarray, ref: np.ndarray) -> float:
    a, ref = np.asarray(a, np.float64), np.asarray(ref, np.float64)
    return float(np.linalg.norm(a - ref) / max(np.linalg.norm(ref), 1e-30))


def max_abs(a: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(ref, np.float64))))


# ---------------------------------------------------------------------------------------------
# model construction


def hf_config(params: dict):
    from transformers import VoxtralRealtimeConfig

    d = dims_from_params(params)
    enc, dec = d["encoder"], d["decoder"]
    audio = {
        "hidden_size": enc["dim"],
        "intermediate_size": enc["hidden_dim"],
        "num_hidden_layers": enc["n_layers"],
        "num_attention_heads": enc["n_heads"],
        "head_dim": enc["head_dim"],
        "num_mel_bins": 128,
        "rms_norm_eps": enc["norm_eps"],
        "sliding_window": enc["sliding_window"],
        "rope_parameters": {"rope_type": "default", "rope_theta": enc["rope_theta"]},
    }
    text = {
        "hidden_size": dec["dim"],
        "intermediate_size": dec["hidden_dim"],
        "num_hidden_layers": dec["n_layers"],
        "num_attention_heads": dec["n_heads"],
        "num_key_value_heads": dec["n_kv_heads"],
        "head_dim": dec["head_dim"],
        "vocab_size": dec["vocab_size"],
        "rms_norm_eps": dec["norm_eps"],
        "sliding_window": dec["sliding_window"],
        "tie_word_embeddings": True,
        "max_position_embeddings": 131072,
        "rope_theta": dec["rope_theta"],
        "rope_parameters": {"rope_type": "default", "rope_theta": dec["rope_theta"]},
    }
    return VoxtralRealtimeConfig(
        audio_config=audio,
        text_config=text,
        downsample_factor=d["downsample_factor"],
        default_num_delay_tokens=N_DELAY_TOKENS,
        projector_hidden_act="gelu",
        audio_length_per_tok=MEL_FRAMES_PER_TOKEN,
    )


def submodule(model, name: str):
    """`model.<name>` across transformers versions (5.17 nests parts under `model.model`)."""
    for owner in (model, getattr(model, "model", None)):
        if owner is not None and hasattr(owner, name):
            return getattr(owner, name)
    raise AttributeError(f"model has no {name}")


def resolve_key(canonical: str, keys: set[str]) -> str | None:
    candidates = [canonical, "model." + canonical]
    if canonical.startswith("language_model.model."):
        candidates.append("model.language_model." + canonical[len("language_model.model.") :])
    if canonical == HF_LM_HEAD:
        candidates.append("lm_head.weight")
    return next((c for c in candidates if c in keys), None)


def build_hf_model(params: dict, weights: dict[str, np.ndarray]):
    from transformers import VoxtralRealtimeForConditionalGeneration

    config = hf_config(params)
    try:
        config._attn_implementation = "eager"
    except Exception as exc:  # older/newer config classes may refuse; checked below either way
        log(f"  note: could not preset eager attention on the config: {exc}")
    torch.manual_seed(0)
    model = VoxtralRealtimeForConditionalGeneration(config).to(torch.float32).eval()
    if hasattr(model, "set_attn_implementation"):
        try:
            model.set_attn_implementation("eager")
        except Exception as exc:
            log(f"  note: set_attn_implementation('eager') failed: {exc}")

    state_keys = set(model.state_dict().keys())
    log(f"  HF state dict: {len(state_keys)} keys, e.g. {sorted(state_keys)[:3]} ... {sorted(state_keys)[-2:]}")
    converted = convert(params, weights)
    to_load: dict[str, torch.Tensor] = {}
    unresolved = []
    for canonical, array in converted.items():
        key = resolve_key(canonical, state_keys)
        if key is None and canonical != HF_LM_HEAD:  # a tied head may be absent from the state dict
            unresolved.append(canonical)
        elif key is not None:
            to_load[key] = torch.from_numpy(array.copy())
    buffers = {n for n, _ in model.named_buffers(remove_duplicate=False)}
    not_given = sorted(state_keys - set(to_load) - buffers)
    if state_keys & buffers:
        log(f"  persistent buffers left as initialised: {sorted(state_keys & buffers)}")
    if unresolved or not_given:
        log(f"  all HF keys: {sorted(state_keys)}")
        raise RuntimeError(f"checkpoint tensors with no HF key: {unresolved}; HF keys not given: {not_given}")
    result = model.load_state_dict(to_load, strict=False)
    missing = [k for k in result.missing_keys if k not in buffers]
    unexpected = list(result.unexpected_keys)
    log(f"  load_state_dict: missing={missing} unexpected={unexpected}")
    if unexpected or missing:
        raise RuntimeError(f"state dict mismatch: missing={missing} unexpected={unexpected}")
    live = model.state_dict()
    for key, tensor in to_load.items():
        if live[key].shape != tensor.shape or not torch.equal(live[key].float(), tensor):
            raise RuntimeError(f"{key} did not load as given")
    head = model.get_output_embeddings().weight
    embed = model.get_input_embeddings().weight
    if not torch.equal(head, embed):
        raise RuntimeError("LM head is not tied to the token embedding")

    for part, cfg in (("audio_tower", config.audio_config), ("language_model", config.text_config)):
        rotary = [m for n, m in submodule(model, part).named_modules() if n.endswith("rotary_emb")]
        hd = cfg.head_dim
        want = 1.0 / (1e6 ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        for r in rotary:
            got = r.inv_freq.double().cpu()
            if not torch.allclose(got, want, rtol=1e-6, atol=0):
                raise RuntimeError(f"{part} rotary inv_freq is not theta=1e6: {got[:4]} vs {want[:4]}")
        log(f"  {part}: {len(rotary)} rotary embedding(s) with theta 1e6, sliding_window {cfg.sliding_window}")
    impl = getattr(model.config, "_attn_implementation", "?")
    log(f"  attention implementation: {impl}")
    return model, config, str(impl)


# ---------------------------------------------------------------------------------------------
# running the protocol


def features(padded: np.ndarray) -> torch.Tensor:
    from transformers import VoxtralRealtimeFeatureExtractor

    fe = VoxtralRealtimeFeatureExtractor(
        feature_size=128, sampling_rate=16000, hop_length=160, n_fft=400, win_length=400, global_log_mel_max=1.5
    )
    mel = fe(padded, sampling_rate=16000, return_tensors="pt").input_features
    if tuple(mel.shape) != (1, 128, len(padded) // 160):
        raise RuntimeError(f"feature extractor gave {tuple(mel.shape)}, expected (1, 128, {len(padded) // 160})")
    return mel.to(torch.float32)


@torch.no_grad()
def logits_for(model, ids: list[int], mel: torch.Tensor) -> torch.Tensor:
    """Teacher-forced logits [len(ids), vocab]: position p = audio embed p + embed(ids[p])."""
    n = len(ids)
    out = model(
        input_ids=torch.tensor([ids]),
        input_features=mel[..., : n * MEL_FRAMES_PER_TOKEN],
        num_delay_tokens=N_DELAY_TOKENS,
    )
    return out.logits[0]


@torch.no_grad()
def greedy(model, mel: torch.Tensor, n_steps: int) -> tuple[list[int], torch.Tensor]:
    """Like HF generate: token k = argmax of logits at position 38 + k, fed back at 39 + k; stop at EOS."""
    tokens: list[int] = []
    for _ in range(n_steps):
        tokens.append(int(torch.argmax(logits_for(model, PROMPT + tokens, mel)[-1])))
        if tokens[-1] == EOS_ID:
            break
    rows = logits_for(model, PROMPT + tokens[:-1], mel)[PROMPT_LENGTH - 1 :]
    if [int(t) for t in rows.argmax(-1)] != tokens:
        raise RuntimeError("final teacher-forced pass disagrees with the greedy loop")
    return tokens, rows


@torch.no_grad()
def encoder_and_embeds(model, mel: torch.Tensor, enc_dim: int, factor: int) -> tuple[torch.Tensor, torch.Tensor]:
    encoder = submodule(model, "audio_tower")(input_features=mel).last_hidden_state[0]
    projector = submodule(model, "multi_modal_projector")
    embeds = projector(encoder.reshape(1, -1, enc_dim * factor))[0]
    try:  # the public path (the one forward() uses) should give the same embeddings; prefer it
        pooled = model.get_audio_features(input_features=mel).pooler_output[0]
        diff = float((pooled - embeds).abs().max())
        if diff > 1e-6:
            log(f"  WARNING: get_audio_features differs from projector(encoder) by {diff:.3g}; using get_audio_features")
        embeds = pooled
    except Exception as exc:
        log(f"  note: get_audio_features unavailable ({type(exc).__name__}: {exc})")
    return encoder, embeds


@torch.no_grad()
def hf_generate_tokens(model, mel: torch.Tensor) -> list[int]:
    out = model.generate(
        input_ids=torch.tensor([PROMPT]), input_features=mel, num_delay_tokens=N_DELAY_TOKENS, do_sample=False
    )
    seq = out.sequences if hasattr(out, "sequences") else out
    return [int(t) for t in seq[0, PROMPT_LENGTH:]]


@torch.no_grad()
def hf_streaming_logits(model, mel: torch.Tensor, tokens: list[int]) -> torch.Tensor:
    """HF's cached path: prefill 39 positions, then one 8-frame mel chunk + one token per call."""
    f = MEL_FRAMES_PER_TOKEN
    out = model(
        input_ids=torch.tensor([PROMPT]), input_features=mel[..., : PROMPT_LENGTH * f],
        use_cache=True, num_delay_tokens=N_DELAY_TOKENS,
    )
    rows = [out.logits[0, -1]]
    for k, token in enumerate(tokens[:-1]):
        p = PROMPT_LENGTH + k
        out = model(
            input_ids=torch.tensor([[token]]),
            input_features=mel[..., p * f : (p + 1) * f],
            past_key_values=out.past_key_values,
            encoder_past_key_values=out.encoder_past_key_values,
            padding_cache=out.padding_cache,
            use_cache=True,
            num_delay_tokens=N_DELAY_TOKENS,
        )
        rows.append(out.logits[0, -1])
    return torch.stack(rows)


def optional(checks: dict, name: str, fn) -> None:
    """Run a cross-check; a failure is recorded, never fatal (the fixture stands on its own)."""
    try:
        checks[name] = fn()
        log(f"  {name}: {checks[name]}")
    except Exception as exc:
        checks[name] = {"error": f"{type(exc).__name__}: {exc}"}
        log(f"  {name} FAILED: {exc}")
        traceback.print_exc()


def write_f32(path: Path, array) -> list[int]:
    a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    path.write_bytes(a.tobytes())
    return list(a.shape)


def run_case(name: str, out_dir: Path) -> dict:
    import transformers

    case = CASES[name]
    ckpt = REPO / "test/fixtures/reference" / name / "checkpoint"
    params, weights = read_checkpoint(ckpt)
    dims = dims_from_params(params)
    enc_dim, dim = dims["encoder"]["dim"], dims["decoder"]["dim"]
    log(f"== case {name}: {ckpt}")
    model, config, attn = build_hf_model(params, weights)

    audio = read_wav_16k_mono(REPO / case["audio"])
    padded = pad_offline(audio)
    n_audio = n_audio_positions(len(audio))
    mel = features(padded)
    assert mel.shape[-1] == n_audio * MEL_FRAMES_PER_TOKEN
    encoder, embeds = encoder_and_embeds(model, mel, enc_dim, dims["downsample_factor"])
    t0 = time.time()
    tokens, logits = greedy(model, mel, n_generated_like_hf(len(audio)))
    margins = top2_margins(logits.numpy())
    log(
        f"  n_audio {n_audio}, {len(tokens)} tokens ({len(set(tokens))} distinct) in {time.time() - t0:.1f}s; "
        f"margin min {margins.min():.4f} median {np.median(margins):.3f}\n  tokens {tokens}"
    )

    checks: dict = {}
    mel_np = mel[0].numpy().T.astype(np.float64)  # [T, 128]
    optional(checks, "numpyMelMaxAbs", lambda: max_abs(log_mel(padded), mel_np))
    optional(checks, "hfGenerateTokensEqual", lambda: hf_generate_tokens(model, mel) == tokens)
    optional(checks, "hfStreamingLogitsRelErr", lambda: rel_err(hf_streaming_logits(model, mel, tokens).numpy(), logits.numpy()))

    def float64_checks() -> dict:
        m64 = model.to(torch.float64)
        mel64 = mel.to(torch.float64)
        enc64, emb64 = encoder_and_embeds(m64, mel64, enc_dim, dims["downsample_factor"])
        log64 = logits_for(m64, PROMPT + tokens[:-1], mel64)[PROMPT_LENGTH - 1 :]
        ref = NumpyVoxtral(params, weights)
        np_enc = ref.encoder(mel_np)
        np_emb = ref.adapter(np_enc)
        np_logits = ref.decoder_logits(np_emb, PROMPT + tokens[:-1])[PROMPT_LENGTH - 1 :]
        model.to(torch.float32)
        return {
            "hf64VsNumpy64": {
                "encoderRelErr": rel_err(np_enc, enc64.numpy()),
                "audioEmbedsRelErr": rel_err(np_emb, emb64.numpy()),
                "logitsRelErr": rel_err(np_logits, log64.numpy()),
                "tokensEqual": [int(t) for t in np_logits.argmax(-1)] == tokens,
            },
            "hf32VsHf64": {
                "encoderRelErr": rel_err(encoder.numpy(), enc64.numpy()),
                "audioEmbedsRelErr": rel_err(embeds.numpy(), emb64.numpy()),
                "logitsRelErr": rel_err(logits.numpy(), log64.numpy()),
                "logitsMaxAbs": max_abs(logits.numpy(), log64.numpy()),
            },
        }

    optional(checks, "float64", float64_checks)

    case_dir = out_dir / name
    case_dir.mkdir(parents=True, exist_ok=True)
    arrays = {
        "mel": {"file": "mel.f32", "shape": write_f32(case_dir / "mel.f32", mel_np)},
        "encoder": {"file": "encoder.f32", "shape": write_f32(case_dir / "encoder.f32", encoder.numpy())},
        "audio_embeds": {"file": "audio_embeds.f32", "shape": write_f32(case_dir / "audio_embeds.f32", embeds.numpy())},
        "logits": {"file": "logits.f32", "shape": write_f32(case_dir / "logits.f32", logits.numpy())},
    }
    assert arrays["encoder"]["shape"] == [4 * n_audio, enc_dim]
    assert arrays["audio_embeds"]["shape"] == [n_audio, dim]
    manifest = {
        "case": name,
        "checkpointSha256": hashlib.sha256((ckpt / "consolidated.safetensors").read_bytes()).hexdigest(),
        "audio": case["audio"],
        "audioSamples": int(len(audio)),
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "device": "cpu",
        "dtype": "float32",
        "attnImplementation": attn,
        "promptLength": PROMPT_LENGTH,
        "nAudio": n_audio,
        "tokens": tokens,
        "margins": [round(float(m), 6) for m in margins],
        "arrays": arrays,
        "crossChecks": checks,
    }
    (case_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"  wrote {case_dir}")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(8, torch.get_num_threads())))
    import transformers

    log(f"torch {torch.__version__}, transformers {transformers.__version__}, numpy {np.__version__}")
    failed = []
    for name in args.case or sorted(CASES):
        try:
            run_case(name, args.out)
        except Exception:
            traceback.print_exc()
            failed.append(name)
    if failed:
        raise SystemExit(f"cases failed: {failed}")


if __name__ == "__main__":
    main()

"""Write the random Mistral-format checkpoints of the parity cases (numpy only; runs anywhere).

    python3 native-models/reference/make_checkpoints.py [--out test/fixtures/reference] [--check]

Each case gets <out>/<case>/checkpoint/{params.json, tekken.json, consolidated.safetensors}.
The weights are drawn with a fixed seed and stored in bf16, so every consumer (HF in fp32, our
engine at any precision) starts from the same exactly-representable values.

Initialisation (why not plain N(0, 1)): naive weights make the decoder copy its input token
forever. Here linear layers are N(0, 1/fan_in), token embeddings are small next to a larger
adapter output (so tokens follow the audio), and the final norm weight is scaled up so that
top-1/top-2 logit margins are healthy (token parity is then robust to rounding).
`--check` runs the float64 numpy reference on the case's audio and prints token statistics.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mistral_format import (  # noqa: E402
    ENC_PREFIX,
    MM_PREFIX,
    TOK_EMBEDDINGS,
    expected_tensor_shapes,
    params_json,
    round_to_bf16,
    tekken_json,
    write_safetensors,
)

REPO = Path(__file__).resolve().parents[2]

CASES: dict[str, dict] = {
    # spec §8 tiny; windows longer than the audio
    "tiny": {
        "seed": 4101,
        "audio": "test/fixtures/audio/hello-dictation-16k.wav",
        "encoder": {"dim": 64, "n_layers": 2, "n_heads": 4, "head_dim": 16, "hidden_dim": 128, "sliding_window": 750},
        "decoder": {
            "dim": 64, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "head_dim": 16, "hidden_dim": 128,
            "vocab_size": 1280, "sliding_window": 8192,
        },
        "init": {"tok_std": 0.03, "adapter_gain": 4.0, "final_norm_gain": 40.0},
    },
    # windows much shorter than the audio, so the encoder and decoder ring caches wrap many times
    "wrap": {
        "seed": 4102,
        "audio": "test/fixtures/audio/quick-brown-fox-16k.wav",
        "encoder": {"dim": 128, "n_layers": 2, "n_heads": 4, "head_dim": 32, "hidden_dim": 256, "sliding_window": 40},
        "decoder": {
            "dim": 128, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "head_dim": 32, "hidden_dim": 256,
            "vocab_size": 1280, "sliding_window": 24,
        },
        "init": {"tok_std": 0.03, "adapter_gain": 4.0, "final_norm_gain": 40.0},
    },
}


def random_weights(case: dict) -> dict[str, np.ndarray]:
    params = params_json(case)
    rng = np.random.default_rng(case["seed"])
    init = case["init"]
    weights: dict[str, np.ndarray] = {}
    for name, shape in expected_tensor_shapes(params).items():
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        if name == TOK_EMBEDDINGS:
            w = rng.normal(0.0, init["tok_std"], shape)
        elif name == "norm.weight":
            w = init["final_norm_gain"] * (1.0 + rng.normal(0.0, 0.1, shape))
        elif name.endswith("norm.weight"):
            w = 1.0 + rng.normal(0.0, 0.1, shape)
        elif name.endswith(".bias"):
            w = rng.normal(0.0, 0.1, shape)
        elif name == MM_PREFIX + "audio_language_projection.2.weight":
            w = rng.normal(0.0, init["adapter_gain"] / np.sqrt(fan_in), shape)
        elif name.endswith("ada_rms_norm_t_cond.2.weight"):
            w = rng.normal(0.0, 0.5 / np.sqrt(fan_in), shape)
        else:  # linear and conv weights
            w = rng.normal(0.0, 1.0 / np.sqrt(fan_in), shape)
        weights[name] = round_to_bf16(w.astype(np.float32))
    assert any(k.startswith(ENC_PREFIX) for k in weights)
    return weights


def write_case(name: str, case: dict, out: Path) -> Path:
    directory = out / name / "checkpoint"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "params.json").write_text(json.dumps(params_json(case), indent=2) + "\n")
    (directory / "tekken.json").write_text(json.dumps(tekken_json(case["decoder"]["vocab_size"]), ensure_ascii=False) + "\n")
    write_safetensors(directory / "consolidated.safetensors", random_weights(case))
    return directory


def check_case(name: str, directory: Path) -> None:
    from mistral_format import read_checkpoint
    from numpy_model import NumpyVoxtral, log_mel, top2_margins
    from protocol import n_audio_positions, n_generated_like_hf, pad_offline, read_wav_16k_mono

    params, weights = read_checkpoint(directory)
    audio = read_wav_16k_mono(REPO / CASES[name]["audio"])
    model = NumpyVoxtral(params, weights)
    mel = log_mel(pad_offline(audio))
    embeds = model.adapter(model.encoder(mel))
    assert embeds.shape[0] == n_audio_positions(len(audio))
    tokens, logits = model.greedy(embeds, n_generated_like_hf(len(audio)))
    margins = top2_margins(logits)
    silent = model.greedy(np.zeros_like(embeds) + embeds[0], 12)[0]
    print(
        f"{name}: {len(tokens)} tokens, {len(set(tokens))} distinct, EOS={2 in tokens}, "
        f"margin min {margins.min():.3f} median {np.median(margins):.3f}, <0.05: {(margins < 0.05).sum()}\n"
        f"  tokens {tokens}\n  constant-audio tokens {silent}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test/fixtures/reference")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="default: all cases")
    parser.add_argument("--check", action="store_true", help="run the numpy reference and print token statistics")
    args = parser.parse_args()
    for name in args.case or sorted(CASES):
        directory = write_case(name, CASES[name], args.out)
        size = sum(f.stat().st_size for f in directory.iterdir())
        print(f"wrote {directory} ({size / 1024:.0f} KiB)")
        if args.check:
            check_case(name, directory)


if __name__ == "__main__":
    main()

"""Quantized-weight references for the parity cases (numpy float64; runs anywhere).

    python3 native-models/reference/quantized_reference.py [--case tiny ...]

HF has no 8w/4w mode, and with random weights 4-bit rounding alone moves the logits by tens of
percent, so "within X of HF fp32" cannot tell a correct 4w kernel from a broken one. This script
quantizes the committed checkpoint exactly as docs/architecture.md "Model files" specifies
(symmetric groups of 32 inputs, fp16 scales, q against the fp16-rounded scale, JS Math.round;
2-D linear weights quantized, token embedding 8w, conv/ada/norms/biases untouched), runs the
independent float64 numpy model (numpy_model.py) on the HF mel from the fixture, greedy like HF,
and writes <case>/logits-<scheme>.f32 plus a "quantized" entry in <case>/manifest.json.
The engine at fp32 activations must then match these to float32 rounding.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_checkpoints import CASES, REPO  # noqa: E402
from mistral_format import TOK_EMBEDDINGS, read_checkpoint  # noqa: E402
from numpy_model import NumpyVoxtral, top2_margins  # noqa: E402
from protocol import n_generated_like_hf  # noqa: E402

GROUP = 32
QRANGE = {"8w": (-127, 127), "4w": (-8, 7)}
# The 2-D linear weights the contract quantizes (encoder attention/FFN, adapter, decoder attention/FFN).
LINEAR = re.compile(r"(attention\.w[qkvo]|feed_forward\.w[123]|audio_language_projection\.[02])\.weight$")


def js_round(x: np.ndarray) -> np.ndarray:
    """JavaScript Math.round: halves go towards +infinity (numpy rounds them to even)."""
    return np.floor(x + 0.5)


def fake_quantize(w: np.ndarray, scheme: str) -> np.ndarray:
    """float32 [out, in] -> the dequantized weights the engine sees (q * fp16 scale)."""
    qmin, qmax = QRANGE[scheme]
    rows, cols = w.shape
    groups = w.astype(np.float32).reshape(rows, cols // GROUP, GROUP)
    absmax = np.abs(groups).max(axis=-1, keepdims=True).astype(np.float64)
    scale = np.minimum(absmax / qmax, 65504.0).astype(np.float16).astype(np.float64)
    inv = np.where(scale > 0, 1.0 / np.where(scale > 0, scale, 1.0), 0.0)
    q = np.clip(js_round(groups.astype(np.float64) * inv), qmin, qmax)
    return (q * scale).reshape(rows, cols).astype(np.float32)


def quantized_weights(weights: dict[str, np.ndarray], scheme: str) -> dict[str, np.ndarray]:
    out = {}
    for name, w in weights.items():
        if name == TOK_EMBEDDINGS:
            out[name] = fake_quantize(w, "8w")  # embedding_quant is 8w whenever quant is not none
        elif w.ndim == 2 and LINEAR.search(name):
            out[name] = fake_quantize(w, scheme)
        else:
            out[name] = w
    return out


def run_case(name: str, fixtures: Path) -> None:
    case_dir = fixtures / name
    manifest = json.loads((case_dir / "manifest.json").read_text())
    params, weights = read_checkpoint(case_dir / "checkpoint")
    shape = manifest["arrays"]["mel"]["shape"]
    mel = np.fromfile(case_dir / manifest["arrays"]["mel"]["file"], dtype="<f4").reshape(shape).astype(np.float64)
    n_steps = n_generated_like_hf(manifest["audioSamples"])
    hf_logits = np.fromfile(case_dir / "logits.f32", dtype="<f4").reshape(manifest["arrays"]["logits"]["shape"])
    quantized = manifest.get("quantized", {})
    for scheme in ("8w", "4w"):
        model = NumpyVoxtral(params, quantized_weights(weights, scheme))
        embeds = model.adapter(model.encoder(mel))
        tokens, logits = model.greedy(embeds, n_steps)
        margins = top2_margins(logits)
        file = f"logits-{scheme}.f32"
        (case_dir / file).write_bytes(np.ascontiguousarray(logits, dtype="<f4").tobytes())
        same = next((k for k, (a, b) in enumerate(zip(tokens, manifest["tokens"])) if a != b), len(tokens))
        rel_vs_hf = float(np.linalg.norm(logits[: same + 1] - hf_logits[: same + 1]) / np.linalg.norm(hf_logits[: same + 1]))
        quantized[scheme] = {
            "tokens": tokens,
            "margins": [round(float(m), 6) for m in margins],
            "logits": {"file": file, "shape": list(logits.shape)},
            "tokensSameAsHfUntil": same,
            "logitsRelErrVsHfUntilDivergence": rel_vs_hf,
        }
        print(
            f"{name} {scheme}: {len(tokens)} tokens, same as HF for {same}, rel err vs HF fp32 {rel_vs_hf:.3g}, "
            f"margin min {margins.min():.3f}"
        )
    manifest["quantized"] = quantized
    (case_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, default=REPO / "test/fixtures/reference")
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args()
    for name in args.case or sorted(CASES):
        run_case(name, args.fixtures)


if __name__ == "__main__":
    main()

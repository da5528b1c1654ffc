"""A random checkpoint of the demo architecture with the demo tokenizer (numpy only).

  python3 random_checkpoint.py OUT_DIR [--seed S]

Lets tests prove, before any training, that the packer and the engine take this exact shape and
that the engine computes on it what the numpy reference computes (test/train/demo-architecture.test.ts).
The init follows native-models/reference/make_checkpoints.py, whose gains make greedy tokens vary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
from make_checkpoints import random_weights  # noqa: E402
from mistral_format import write_safetensors  # noqa: E402

import corpus  # noqa: E402
import recipe  # noqa: E402
from tokenizer import build_tekken, learn_merges  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--merges", type=int, default=800)
    a = ap.parse_args()
    tekken = build_tekken(learn_merges(corpus.training_sentences(2000, a.seed), a.merges))
    vocab = tekken["config"]["default_vocab_size"]
    case = {
        "encoder": dict(recipe.ENCODER),
        "decoder": dict(recipe.DECODER, vocab_size=vocab),
        "seed": a.seed,
        "init": {"tok_std": 0.03, "adapter_gain": 4.0, "final_norm_gain": 40.0},
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "params.json").write_text(json.dumps(recipe.demo_params(vocab), indent=2))
    (a.out / "tekken.json").write_text(json.dumps(tekken, ensure_ascii=False))
    write_safetensors(a.out / "consolidated.safetensors", random_weights(case))


if __name__ == "__main__":
    main()

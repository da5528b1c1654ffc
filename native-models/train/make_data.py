"""Generate the demo model's data: espeak-ng speech with word timings, tokenizer, held-out sets.

  python3 make_data.py OUT [--espeak-bundle DIR] [--train-utterances N] [--seed S] [--eval-only]

Writes OUT/train.{npz,json}, OUT/tekken.json (BPE learned from the training text only),
OUT/eval/<set>.{npz,json} and OUT/eval/<set>/NNN.wav + manifest.jsonl (augmented with fixed seeds,
for `npx voxtral transcribe`). Held-out sets use sentences that never occur in training, spoken by
training voices (`seen_voices`) and by accents and variants never used in training (`unseen_voices`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import wave
from pathlib import Path

import numpy as np

import corpus
from augment import augment
from dataset import save_split
from synth import SynthError, Utterance, build_tool, bundle_tool, synthesize
from tokenizer import build_tekken, learn_merges
from voices import random_voice


def utterance_texts(n: int, seed: int) -> tuple[list[str], set[str]]:
    """Mostly single sentences; a quarter are 2-3 sentences so long dictation (10-25 s) is trained too.

    Returns the utterance texts and the set of sentences they use.
    """
    rng = random.Random(seed)
    sentences = corpus.training_sentences(3 * n, seed)
    out, at = [], 0
    while len(out) < n:
        k = rng.choice([2, 3]) if rng.random() < 0.25 else 1
        out.append(" ".join(sentences[at : at + k]))
        at += k
    return out, set(sentences[:at])


def synth_split(tool: Path, data_path: Path | None, texts: list[str], held_out_voices: bool, seed: int, workers: int | None):
    rng = random.Random(seed)
    voices = [random_voice(rng, held_out_voices) for _ in texts]
    results = synthesize(tool, [(v.job_prefix(), t) for v, t in zip(voices, texts)], data_path, workers)
    kept = [(r, v.name) for r, v in zip(results, voices) if isinstance(r, Utterance)]
    failed = [r for r in results if isinstance(r, SynthError)]
    if failed:
        print(f"  {len(failed)} of {len(texts)} failed, e.g. {failed[0]}", file=sys.stderr)
    return [u for u, _ in kept], [v for _, v in kept]


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2").tobytes())


def write_eval_set(out: Path, name: str, utterances: list[Utterance], voices: list[str], seed: int) -> None:
    """Augmented once with a fixed seed; the .npz holds that augmented audio (word ends shifted)."""
    rng = np.random.default_rng(seed)
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    augmented = []
    with open(folder / "manifest.jsonl", "w") as manifest:
        for k, (u, v) in enumerate(zip(utterances, voices)):
            audio, shift = augment(u.audio, rng)
            augmented.append(Utterance(u.text, audio, u.word_starts + shift, u.word_ends + shift))
            write_wav(folder / f"{k:03d}.wav", audio)
            manifest.write(json.dumps({"wav": f"{k:03d}.wav", "text": u.text, "voice": v}) + "\n")
    save_split(out / name, augmented, voices)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--espeak-bundle", type=Path, help="folder made by bundle_espeak.sh; default: the system's espeak-ng")
    ap.add_argument("--eval-only", action="store_true", help="only the held-out sets (the same ones, e.g. to run the engine on)")
    ap.add_argument("--train-utterances", type=int, default=20000)
    ap.add_argument("--eval-generated", type=int, default=80, help="held-out grammar sentences besides the fixed ones")
    ap.add_argument("--merges", type=int, default=800)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--workers", type=int)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    tool, data_path = bundle_tool(a.espeak_bundle) if a.espeak_bundle else (build_tool(a.out / "bin"), None)
    started = time.time()

    texts, train_sentences = utterance_texts(a.train_utterances, a.seed)
    if not a.eval_only:
        train, train_voices = synth_split(tool, data_path, texts, False, a.seed + 1, a.workers)
        save_split(a.out / "train", train, train_voices)
        hours = sum(len(u.audio) for u in train) / 16000 / 3600
        print(f"train: {len(train)} utterances, {hours:.2f} h, {time.time() - started:.0f} s", flush=True)
        (a.out / "tekken.json").write_text(json.dumps(build_tekken(learn_merges(texts, a.merges)), ensure_ascii=False))

    held = corpus.HELD_OUT_SENTENCES + corpus.held_out_generated_sentences(a.eval_generated, a.seed + 2, train_sentences)
    (a.out / "eval").mkdir(exist_ok=True)
    for name, unseen, seed in (("seen_voices", False, a.seed + 3), ("unseen_voices", True, a.seed + 4)):
        utts, voices = synth_split(tool, data_path, held, unseen, seed, a.workers)
        write_eval_set(a.out / "eval", name, utts, voices, seed)
        print(f"eval/{name}: {len(utts)} utterances", flush=True)
    print(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

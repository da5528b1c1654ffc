"""The on-disk data set (one .npz per split) and the training examples made from it.

An .npz holds clean 16 kHz int16 audio back to back with per-utterance offsets, and each word's end
sample; texts and voices sit in a JSON file beside it. Examples add augmentation, the offline
padding of spec §6 and the streaming targets (targets.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from augment import augment
from targets import N_LEFT_PAD_TOKENS, N_RIGHT_PAD_TOKENS, SAMPLES_PER_TOKEN, SpecialIds, Targets, WordTokens, build_targets
from tokenizer import Tokenizer


@dataclass(frozen=True)
class Split:
    audio: np.ndarray  # int16, all utterances back to back
    offsets: np.ndarray  # [n + 1]
    word_offsets: np.ndarray  # [n + 1] into word_ends
    word_ends: np.ndarray  # per word, samples from the utterance start
    texts: list[str]
    voices: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def clean_audio(self, i: int) -> np.ndarray:
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32768.0

    def ends(self, i: int) -> np.ndarray:
        return self.word_ends[self.word_offsets[i] : self.word_offsets[i + 1]]


def save_split(path: Path, utterances: list, voices: list[str]) -> None:
    """utterances: synth.Utterance list (clean audio in [-1, 1])."""
    pcm = [np.clip(np.round(u.audio * 32767.0), -32768, 32767).astype(np.int16) for u in utterances]
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in pcm])]).astype(np.int64)
    word_offsets = np.concatenate([[0], np.cumsum([len(u.word_ends) for u in utterances])]).astype(np.int64)
    np.savez(
        path.with_suffix(".npz"),
        audio=np.concatenate(pcm) if pcm else np.zeros(0, np.int16),
        offsets=offsets,
        word_offsets=word_offsets,
        word_ends=np.concatenate([u.word_ends for u in utterances]).astype(np.int64) if utterances else np.zeros(0, np.int64),
    )
    path.with_suffix(".json").write_text(json.dumps({"texts": [u.text for u in utterances], "voices": voices}))


def load_split(path: Path) -> Split:
    z = np.load(path.with_suffix(".npz"))
    meta = json.loads(path.with_suffix(".json").read_text())
    split = Split(z["audio"], z["offsets"], z["word_offsets"], z["word_ends"], meta["texts"], meta["voices"])
    if len(split.offsets) != len(split.texts) + 1 or len(split.word_offsets) != len(split.texts) + 1:
        raise ValueError(f"{path}: offsets do not match the {len(split.texts)} texts")
    for i, t in enumerate(split.texts):
        if len(split.ends(i)) != len(t.split(" ")):
            raise ValueError(f"{path}: utterance {i} has {len(split.ends(i))} word ends for {len(t.split(' '))} words")
    return split


def special_ids(tok: Tokenizer) -> SpecialIds:
    return SpecialIds(bos=tok.special_id("<s>"), eos=tok.special_id("</s>"), pad=tok.special_id("[STREAMING_PAD]"))


def word_tokens(text: str, ends: np.ndarray, tok: Tokenizer, shift: int = 0) -> list[WordTokens]:
    """Each space-separated word (with its leading space and punctuation) and its end sample."""
    return [WordTokens(int(e) + shift, tuple(tok.encode(" " + w))) for w, e in zip(text.split(" "), ends)]


def pad_offline(audio: np.ndarray) -> np.ndarray:
    """zeros(40960) ++ audio ++ zeros((-N mod 1280) + 17*1280), as MC/HF offline mode (spec §6)."""
    right = (-len(audio)) % SAMPLES_PER_TOKEN + N_RIGHT_PAD_TOKENS * SAMPLES_PER_TOKEN
    return np.concatenate([np.zeros(N_LEFT_PAD_TOKENS * SAMPLES_PER_TOKEN, np.float32), audio.astype(np.float32), np.zeros(right, np.float32)])


@dataclass(frozen=True)
class Example:
    padded_audio: np.ndarray  # float32, length 1280 * n_positions
    targets: Targets


def make_example(split: Split, i: int, tok: Tokenizer, rng: np.random.Generator | None) -> Example:
    """Augmented (rng given) or clean example i; raises targets.TargetError when it cannot be trained."""
    audio = split.clean_audio(i)
    shift = 0
    if rng is not None:
        audio, shift = augment(audio, rng)
    t = build_targets(len(audio), word_tokens(split.texts[i], split.ends(i), tok, shift), special_ids(tok))
    padded = pad_offline(audio)
    assert len(padded) == SAMPLES_PER_TOKEN * len(t.target_ids)
    return Example(padded, t)

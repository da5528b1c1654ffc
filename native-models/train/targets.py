"""Streaming targets for teacher-forced training (docs/training.md, "Alignment"; spec §6).

Timeline: the audio is left-padded with 32 tokens (40960 samples) of zeros; decoder position p carries
the audio token covering padded samples [1280p, 1280p + 1280). The output at position p (the logits
there) is the token the engine samples at step p. Positions 0..38 are fed the prompt BOS + 38 PAD;
from position 39 on, the input is the previous position's target (what greedy decoding feeds back).

A word ending at real sample e lies in audio token 32 + (e-1)//1280; it becomes *due* 6 tokens
(480 ms) later, at position 38 + (e-1)//1280. Every output position is [STREAMING_PAD] unless a word
is due and not yet fully emitted: then the word's text tokens (leading space and trailing punctuation
included) go out one per position, first come first served, so a word due while the previous one is
still being emitted follows it directly. EOS follows the last token of the last word. Positions after
EOS are not trained (IGNORE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLES_PER_TOKEN = 1280
N_LEFT_PAD_TOKENS = 32
N_DELAY_TOKENS = 6
N_RIGHT_PAD_TOKENS = 17
PROMPT_LENGTH = 1 + N_LEFT_PAD_TOKENS + N_DELAY_TOKENS  # 39
FIRST_OUTPUT_POSITION = PROMPT_LENGTH - 1  # 38: the prompt's last position yields the first token
IGNORE = -100


class TargetError(ValueError):
    """The utterance cannot be represented (e.g. its text does not fit before the audio ends)."""


@dataclass(frozen=True)
class SpecialIds:
    bos: int
    eos: int
    pad: int


@dataclass(frozen=True)
class WordTokens:
    end_sample: int  # exclusive end of the word's audio, in samples of the unpadded 16 kHz signal
    token_ids: tuple[int, ...]


@dataclass(frozen=True)
class Targets:
    input_ids: np.ndarray  # [n_positions] int64: what position p is fed (prompt, then previous target)
    target_ids: np.ndarray  # [n_positions] int64: the output expected at position p, IGNORE where untrained
    due_positions: np.ndarray  # [n_words] the position at which each word became due


def n_positions(n_samples: int) -> int:
    """Positions with audio in offline mode: 32 + ceil(N/1280) + 17."""
    return N_LEFT_PAD_TOKENS + -(-n_samples // SAMPLES_PER_TOKEN) + N_RIGHT_PAD_TOKENS


def due_position(end_sample: int) -> int:
    """First position whose audio reaches end_sample + 480 ms: 38 + (end - 1) // 1280."""
    if end_sample <= 0:
        raise TargetError(f"word end {end_sample} must be after the start of the audio")
    return N_LEFT_PAD_TOKENS + N_DELAY_TOKENS + (end_sample - 1) // SAMPLES_PER_TOKEN


def build_targets(n_samples: int, words: list[WordTokens], ids: SpecialIds) -> Targets:
    if n_samples <= 0:
        raise TargetError("empty audio")
    n = n_positions(n_samples)
    dues = [due_position(w.end_sample) for w in words]
    if any(b < a for a, b in zip(dues, dues[1:])):
        raise TargetError("word end times are not in order")
    if any(w.end_sample > n_samples for w in words):
        raise TargetError("a word ends after the audio")
    if any(not w.token_ids for w in words):
        raise TargetError("a word has no tokens")
    out = np.full(n, ids.pad, dtype=np.int64)
    out[:FIRST_OUTPUT_POSITION] = IGNORE
    p = FIRST_OUTPUT_POSITION
    for due, word in zip(dues, words):
        p = max(p, due)
        for t in word.token_ids:
            out[p] = t
            p += 1
    # HF generate produces positions 38..n-2 (the last audio position is never fed), so EOS must be there.
    if p > n - 2:
        raise TargetError(f"text needs positions up to {p} but the audio ends at position {n - 2}")
    out[p] = ids.eos
    out[p + 1 :] = IGNORE
    inputs = np.empty(n, dtype=np.int64)
    inputs[0] = ids.bos
    inputs[1:PROMPT_LENGTH] = ids.pad
    inputs[PROMPT_LENGTH:] = out[FIRST_OUTPUT_POSITION : n - 1]
    inputs[inputs == IGNORE] = ids.pad  # after EOS nothing is trained; any valid id will do
    return Targets(input_ids=inputs, target_ids=out, due_positions=np.asarray(dues, dtype=np.int64))


def decode_stream(tokens: list[int], ids: SpecialIds) -> list[int]:
    """The text-token ids of a generated stream: up to EOS, specials (PAD, BOS) dropped."""
    text: list[int] = []
    for t in tokens:
        if t == ids.eos:
            break
        if t not in (ids.pad, ids.bos):
            text.append(t)
    return text

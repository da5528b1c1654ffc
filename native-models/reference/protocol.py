"""Offline streaming protocol constants and padding (spec §1, §6); shared by every reference script."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
HOP = 160
SAMPLES_PER_TOKEN = 1280  # 80 ms
MEL_FRAMES_PER_TOKEN = 8
N_LEFT_PAD_TOKENS = 32
N_DELAY_TOKENS = 6
N_RIGHT_PAD_TOKENS = N_DELAY_TOKENS + 1 + 10  # 17
BOS_ID, EOS_ID, STREAMING_PAD_ID = 1, 2, 32
PROMPT = [BOS_ID] + [STREAMING_PAD_ID] * (N_LEFT_PAD_TOKENS + N_DELAY_TOKENS)
PROMPT_LENGTH = len(PROMPT)  # 39


def pad_offline(audio: np.ndarray) -> np.ndarray:
    """zeros(40960) ++ audio ++ zeros((-N mod 1280) + 17*1280), as MC/HF offline mode."""
    n = len(audio)
    right = (-n) % SAMPLES_PER_TOKEN + N_RIGHT_PAD_TOKENS * SAMPLES_PER_TOKEN
    return np.concatenate(
        [np.zeros(N_LEFT_PAD_TOKENS * SAMPLES_PER_TOKEN, np.float32), audio.astype(np.float32), np.zeros(right, np.float32)]
    )


def n_audio_positions(n_samples: int) -> int:
    """Decoder positions that carry audio: 32 + ceil(N/1280) + 17."""
    return N_LEFT_PAD_TOKENS + -(-n_samples // SAMPLES_PER_TOKEN) + N_RIGHT_PAD_TOKENS


def n_generated_like_hf(n_samples: int) -> int:
    """HF generate stops at max_length = n_audio (prompt included): n_audio - 39 new tokens."""
    return n_audio_positions(n_samples) - PROMPT_LENGTH


def read_wav_16k_mono(path: Path) -> np.ndarray:
    """16-bit PCM, 16 kHz, mono WAV -> float32 in [-1, 1). Anything else is an error, not a guess."""
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(
                f"{path}: need 16 kHz mono 16-bit, got {w.getframerate()} Hz, {w.getnchannels()} ch, "
                f"{8 * w.getsampwidth()}-bit"
            )
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return (pcm.astype(np.float32) / 32768.0).astype(np.float32)

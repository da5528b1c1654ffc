"""Synthesis with word timings through the espeak-ng C library (espeak_words.c), resampled to 16 kHz.

Word starts come from espeak's word events; a word's end is the end of the last voiced 10 ms frame
before the next word starts (espeak's events mark starts only, and a pause after a word, e.g. at a
full stop, must not delay the word: the model is taught to emit it 480 ms after its sound ends).
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SAMPLE_RATE = 16000
FRAME = 160  # 10 ms at 16 kHz
VOICED_DB_BELOW_PEAK = 35.0


@dataclass(frozen=True)
class Utterance:
    text: str
    audio: np.ndarray  # float32, 16 kHz, clean
    word_starts: np.ndarray  # int64 samples, one per space-separated word of text
    word_ends: np.ndarray  # int64 samples (exclusive)


class SynthError(RuntimeError):
    pass


def build_tool(out_dir: Path) -> Path:
    """Compile espeak_words.c against the system's espeak-ng (bundle_espeak.sh builds the portable one)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / "espeak_words"
    src = HERE / "espeak_words.c"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["cc", "-O2", "-Wall", "-o", str(exe), str(src), "-lespeak-ng"], check=True)
    return exe


def bundle_tool(bundle: Path) -> tuple[Path, Path]:
    """(espeak_words, espeak data path) of a folder made by bundle_espeak.sh."""
    exe, data = bundle / "bin/espeak_words", bundle / "root/usr/lib/x86_64-linux-gnu"
    if not exe.exists() or not (data / "espeak-ng-data").is_dir():
        raise SynthError(f"{bundle} is not an espeak bundle (run native-models/train/bundle_espeak.sh)")
    return exe, data


def resample_to_16k(x: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited resampling by FFT (utterances are seconds long, so this is exact and cheap)."""
    if rate == SAMPLE_RATE:
        return x.astype(np.float32)
    m = int(round(len(x) * SAMPLE_RATE / rate))
    spectrum = np.fft.rfft(x.astype(np.float64))
    keep = m // 2 + 1
    y = np.fft.irfft(spectrum[:keep], n=m) * (m / len(x))
    return y.astype(np.float32)


def frame_db(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // FRAME
    frames = audio[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    return 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)


def word_ends(audio: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """End of the last voiced frame before the next word's start (the next start if none is voiced).

    Words that share a start (one espeak unit) share the unit's end.
    """
    db = frame_db(audio)
    voiced = db > db.max() - VOICED_DB_BELOW_PEAK
    unit_starts = sorted(set(int(s) for s in starts))
    unit_end: dict[int, int] = {}
    for k, s in enumerate(unit_starts):
        nxt = unit_starts[k + 1] if k + 1 < len(unit_starts) else len(audio)
        f0, f1 = s // FRAME, min(-(-nxt // FRAME), len(voiced))
        idx = np.nonzero(voiced[f0:f1])[0]
        end = (f0 + idx[-1] + 1) * FRAME if len(idx) else nxt
        unit_end[s] = int(min(max(end, s + FRAME), nxt))
    return np.asarray([unit_end[int(s)] for s in starts], dtype=np.int64)


def word_offsets(text: str) -> list[int]:
    """0-based character offsets of the space-separated words."""
    offsets, at = [], 0
    for w in text.split(" "):
        offsets.append(at)
        at += len(w) + 1
    return offsets


def _map_events(text: str, events: list[tuple[int, int, int]]) -> list[int]:
    """Start sample per word from (text_position 1-based, length, sample) events.

    espeak speaks some word pairs as one unit ("in the") and reports one event for both; a word
    without its own event shares the start of the word before it (and so, later, its end).
    """
    offsets = word_offsets(text)
    words = text.split(" ")
    starts: list[int | None] = [None] * len(words)
    for pos, _length, sample in events:
        for i, (o, w) in enumerate(zip(offsets, words)):
            if o <= pos - 1 < o + len(w):
                if starts[i] is None:
                    starts[i] = sample
                break
    if starts[0] is None:
        if all(s is None for s in starts):
            raise SynthError(f"espeak reported no word events for {text!r}")
        starts[0] = 0
    for i in range(1, len(starts)):
        if starts[i] is None:
            starts[i] = starts[i - 1]
    return [int(s) for s in starts]  # type: ignore[arg-type]


def _parse(stream: bytes, texts: list[str]) -> list[Utterance | SynthError]:
    out: list[Utterance | SynthError] = []
    at = 0
    for text in texts:
        nl = stream.index(b"\n", at)
        head = stream[at:nl].decode()
        at = nl + 1
        if head.startswith("ERR"):
            out.append(SynthError(f"{head} for {text!r}"))
            continue
        _, n_samples, n_words, rate = head.split()
        events = []
        for _ in range(int(n_words)):
            nl = stream.index(b"\n", at)
            events.append(tuple(int(v) for v in stream[at:nl].split()))
            at = nl + 1
        nbytes = 2 * int(n_samples)
        pcm = np.frombuffer(stream[at : at + nbytes], dtype="<i2").astype(np.float32) / 32768.0
        at += nbytes
        try:
            scale = SAMPLE_RATE / int(rate)
            audio = resample_to_16k(pcm, int(rate))
            starts = np.asarray([min(int(round(s * scale)), len(audio) - 1) for s in _map_events(text, events)], dtype=np.int64)
            if np.any(np.diff(starts) < 0):
                raise SynthError(f"word starts out of order for {text!r}")
            out.append(Utterance(text=text, audio=audio, word_starts=starts, word_ends=word_ends(audio, starts)))
        except SynthError as e:
            out.append(e)
    return out


def synthesize(tool: Path, jobs: list[tuple[str, str]], data_path: Path | None, workers: int | None = None) -> list[Utterance | SynthError]:
    """jobs: (voice job prefix "voice\\trate\\tpitch\\trange\\t", text). Results in job order."""
    for _, text in jobs:
        if "\t" in text or "\n" in text:
            raise ValueError(f"text may not contain tabs or newlines: {text!r}")
    workers = workers or os.cpu_count() or 1
    chunks = [jobs[i::workers] for i in range(workers)]
    args = [str(tool)] + ([str(data_path)] if data_path else [])

    def run(chunk: list[tuple[str, str]]) -> list[Utterance | SynthError]:
        if not chunk:
            return []
        stdin = "".join(prefix + text + "\n" for prefix, text in chunk).encode()
        proc = subprocess.run(args, input=stdin, capture_output=True, check=False)
        if proc.returncode != 0:
            raise SynthError(f"espeak_words exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:500]}")
        return _parse(proc.stdout, [t for _, t in chunk])

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run, chunks))
    ordered: list[Utterance | SynthError] = [None] * len(jobs)  # type: ignore[list-item]
    for w, res in enumerate(results):
        for k, r in enumerate(res):
            ordered[w + k * workers] = r
    return ordered

"""Acoustic variety for the synthetic speech: silence around it, level changes, coloured noise, hum.

Used on the fly in training (a fresh draw every epoch) and with fixed seeds for the held-out sets.
Returns the sample offset at which the original audio starts, so word times can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class AugmentConfig:
    max_lead_s: float = 0.8
    max_trail_s: float = 0.5
    gain_db: tuple[float, float] = (-30.0, -1.0)  # peak level of the speech after normalisation
    ramp_db: float = 6.0  # level drifts linearly by up to this much across the utterance
    noise_probability: float = 0.8
    snr_db: tuple[float, float] = (5.0, 40.0)
    hum_probability: float = 0.1


def coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power ~ 1/f^exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SAMPLE_RATE)
    f[0] = f[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum / f ** (exponent / 2.0), n=n)
    return noise / (np.sqrt(np.mean(noise * noise)) + 1e-12)


def augment(audio: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig = AugmentConfig()) -> tuple[np.ndarray, int]:
    """-> (augmented float32 audio in [-1, 1], offset of the original's first sample)."""
    lead = int(rng.uniform(0, cfg.max_lead_s) * SAMPLE_RATE)
    trail = int(rng.uniform(0, cfg.max_trail_s) * SAMPLE_RATE)
    speech = audio.astype(np.float64)
    peak = np.max(np.abs(speech)) if len(speech) else 0.0
    if peak > 0:
        speech = speech / peak * 10 ** (rng.uniform(*cfg.gain_db) / 20.0)
    ramp = np.linspace(0.0, rng.uniform(-cfg.ramp_db, cfg.ramp_db), len(speech))
    speech = speech * 10 ** (ramp / 20.0)
    x = np.concatenate([np.zeros(lead), speech, np.zeros(trail)])
    speech_rms = np.sqrt(np.mean(speech * speech)) if len(speech) else 0.0
    if speech_rms > 0 and rng.random() < cfg.noise_probability:
        snr = rng.uniform(*cfg.snr_db)
        x = x + coloured_noise(rng, len(x), rng.uniform(0.0, 2.0)) * speech_rms * 10 ** (-snr / 20.0)
    if speech_rms > 0 and rng.random() < cfg.hum_probability:
        t = np.arange(len(x)) / SAMPLE_RATE
        base = rng.choice([50.0, 60.0])
        hum = sum(np.sin(2 * np.pi * base * h * t + rng.uniform(0, 2 * np.pi)) / h for h in (1, 2, 3))
        x = x + hum * speech_rms * 10 ** (-rng.uniform(15, 40) / 20.0)
    return np.clip(x, -1.0, 1.0).astype(np.float32), lead

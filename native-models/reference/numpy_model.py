"""Independent float64 numpy implementation of Voxtral Realtime, written from the spec (§3-§6).

It works on Mistral-layout weights with interleaved-pair RoPE, i.e. exactly what our engine does,
so agreement with HF (which runs permuted weights with half-split RoPE) checks the name mapping,
the q/k permutation and our reading of the spec all at once. It also lets the random
initialisation be tuned on a machine without torch.
"""

from __future__ import annotations

import math

import numpy as np

from mistral_format import ENC_PREFIX, MM_PREFIX, TOK_EMBEDDINGS, dims_from_params
from protocol import EOS_ID, HOP, MEL_FRAMES_PER_TOKEN, N_DELAY_TOKENS, PROMPT

# ---------------------------------------------------------------------------------------------
# log-mel (spec §3)

N_FFT = 400
N_MELS = 128
GLOBAL_LOG_MEL_MAX = 1.5


def _hz_to_mel_slaney(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    mel = 3.0 * f / 200.0
    log_region = f >= 1000.0
    mel = np.where(log_region, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) * 27.0 / np.log(6.4), mel)
    return mel


def _mel_to_hz_slaney(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f = 200.0 * m / 3.0
    return np.where(m >= 15.0, 1000.0 * np.exp(np.log(6.4) / 27.0 * (m - 15.0)), f)


def mel_filters() -> np.ndarray:
    """[201, 128] Slaney-scale, Slaney-normalised triangular filters over 0..8000 Hz."""
    fft_freqs = np.linspace(0.0, 8000.0, N_FFT // 2 + 1)
    mel_points = np.linspace(_hz_to_mel_slaney(0.0), _hz_to_mel_slaney(8000.0), N_MELS + 2)
    filter_freqs = _mel_to_hz_slaney(mel_points)
    diff = np.diff(filter_freqs)
    slopes = filter_freqs[None, :] - fft_freqs[:, None]
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    bank = np.maximum(0.0, np.minimum(down, up))
    return bank * (2.0 / (filter_freqs[2 : N_MELS + 2] - filter_freqs[:N_MELS]))[None, :]


def log_mel(signal: np.ndarray) -> np.ndarray:
    """[T, 128] frame-major log-mel of the whole (already padded) signal; T = len // 160."""
    x = np.asarray(signal, dtype=np.float64)
    padded = np.pad(x, (N_FFT // 2, N_FFT // 2), mode="reflect")
    n_frames = 1 + len(x) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)
    power = np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2
    power = power[:-1]  # the reference drops the last frame
    mel = power @ mel_filters()
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, GLOBAL_LOG_MEL_MAX - 8.0)
    return (log + 4.0) / 4.0


# ---------------------------------------------------------------------------------------------
# building blocks


def rms_norm(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def gelu(x: np.ndarray) -> np.ndarray:
    from math import erf, sqrt

    return 0.5 * x * (1.0 + np.vectorize(erf)(x / sqrt(2.0)))


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))


def rope_interleaved(x: np.ndarray, positions: np.ndarray, theta: float) -> np.ndarray:
    """x [T, H, hd] in Mistral layout: pair (2i, 2i+1) rotated by positions * theta^(-2i/hd)."""
    hd = x.shape[-1]
    inv_freq = theta ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
    angle = positions[:, None].astype(np.float64) * inv_freq[None, :]
    cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, window: int) -> np.ndarray:
    """Causal sliding-window attention: query i sees keys j with i - window < j <= i. GQA by head groups."""
    t, n_heads, hd = q.shape
    group = n_heads // k.shape[1]
    k = np.repeat(k, group, axis=1)
    v = np.repeat(v, group, axis=1)
    scores = np.einsum("ihd,jhd->hij", q, k) / math.sqrt(hd)
    i, j = np.arange(t)[:, None], np.arange(t)[None, :]
    visible = (j <= i) & (j > i - window)
    scores = np.where(visible[None], scores, -np.inf)
    scores -= scores.max(axis=-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=-1, keepdims=True)
    return np.einsum("hij,jhd->ihd", p, v).reshape(t, n_heads * hd)


def causal_conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int) -> np.ndarray:
    """x [T, Cin], w [Cout, Cin, 3]; left zero pad = kernel - stride (HF/vLLM), no right pad."""
    pad = 3 - stride
    xp = np.concatenate([np.zeros((pad, x.shape[1])), x])
    n_out = (xp.shape[0] - 3) // stride + 1
    cols = np.stack([xp[stride * t : stride * t + 3] for t in range(n_out)])  # [T, 3, Cin]
    return np.einsum("tkc,ock->to", cols, w) + b


# ---------------------------------------------------------------------------------------------
# model


class NumpyVoxtral:
    def __init__(self, params: dict, weights: dict[str, np.ndarray]):
        self.dims = dims_from_params(params)
        self.w = {k: v.astype(np.float64) for k, v in weights.items()}

    def encoder(self, mel: np.ndarray) -> np.ndarray:
        """mel [T_mel, 128] -> final-normed encoder states [T_mel/2, enc_dim]."""
        e, w, p = self.dims["encoder"], self.w, ENC_PREFIX
        h = gelu(causal_conv1d(mel, w[p + "conv_layers.0.conv.weight"], w[p + "conv_layers.0.conv.bias"], 1))
        h = gelu(causal_conv1d(h, w[p + "conv_layers.1.conv.weight"], w[p + "conv_layers.1.conv.bias"], 2))
        positions = np.arange(h.shape[0])
        nh, hd = e["n_heads"], e["head_dim"]
        for i in range(e["n_layers"]):
            lp = f"{p}transformer.layers.{i}."
            a = rms_norm(h, w[lp + "attention_norm.weight"], e["norm_eps"])
            q = (a @ w[lp + "attention.wq.weight"].T + w[lp + "attention.wq.bias"]).reshape(-1, nh, hd)
            k = (a @ w[lp + "attention.wk.weight"].T).reshape(-1, nh, hd)
            v = (a @ w[lp + "attention.wv.weight"].T + w[lp + "attention.wv.bias"]).reshape(-1, nh, hd)
            q = rope_interleaved(q, positions, e["rope_theta"])
            k = rope_interleaved(k, positions, e["rope_theta"])
            o = attention(q, k, v, e["sliding_window"])
            h = h + o @ w[lp + "attention.wo.weight"].T + w[lp + "attention.wo.bias"]
            f = rms_norm(h, w[lp + "ffn_norm.weight"], e["norm_eps"])
            ff = silu(f @ w[lp + "feed_forward.w1.weight"].T) * (f @ w[lp + "feed_forward.w3.weight"].T)
            h = h + ff @ w[lp + "feed_forward.w2.weight"].T + w[lp + "feed_forward.w2.bias"]
        return rms_norm(h, w[p + "transformer.norm.weight"], e["norm_eps"])

    def adapter(self, enc: np.ndarray) -> np.ndarray:
        """[4n, enc_dim] -> [n, dim]: frames 4p..4p+3 concatenated, then W_out GELU(W_in x)."""
        x = enc.reshape(-1, enc.shape[1] * self.dims["downsample_factor"])
        x = gelu(x @ self.w[MM_PREFIX + "audio_language_projection.0.weight"].T)
        return x @ self.w[MM_PREFIX + "audio_language_projection.2.weight"].T

    def t_cond(self) -> np.ndarray:
        half = self.dims["decoder"]["dim"] // 2
        inv = np.exp(-math.log(10000.0) * np.arange(half) / half)
        return np.concatenate([np.cos(N_DELAY_TOKENS * inv), np.sin(N_DELAY_TOKENS * inv)])

    def decoder_logits(self, audio_embeds: np.ndarray, tokens: list[int]) -> np.ndarray:
        """Teacher-forced logits [len(tokens), vocab]; position p carries audio_embeds[p] + embed(tokens[p])."""
        d, w = self.dims["decoder"], self.w
        n = len(tokens)
        h = audio_embeds[:n] + w[TOK_EMBEDDINGS][np.asarray(tokens)]
        positions = np.arange(n)
        nh, nkv, hd = d["n_heads"], d["n_kv_heads"], d["head_dim"]
        tc = self.t_cond()
        for i in range(d["n_layers"]):
            lp = f"layers.{i}."
            a = rms_norm(h, w[lp + "attention_norm.weight"], d["norm_eps"])
            q = rope_interleaved((a @ w[lp + "attention.wq.weight"].T).reshape(n, nh, hd), positions, d["rope_theta"])
            k = rope_interleaved((a @ w[lp + "attention.wk.weight"].T).reshape(n, nkv, hd), positions, d["rope_theta"])
            v = (a @ w[lp + "attention.wv.weight"].T).reshape(n, nkv, hd)
            h = h + attention(q, k, v, d["sliding_window"]) @ w[lp + "attention.wo.weight"].T
            ada = gelu(tc @ w[lp + "ada_rms_norm_t_cond.0.weight"].T) @ w[lp + "ada_rms_norm_t_cond.2.weight"].T
            f = rms_norm(h, w[lp + "ffn_norm.weight"], d["norm_eps"]) * (1.0 + ada)
            ff = silu(f @ w[lp + "feed_forward.w1.weight"].T) * (f @ w[lp + "feed_forward.w3.weight"].T)
            h = h + ff @ w[lp + "feed_forward.w2.weight"].T
        return rms_norm(h, w["norm.weight"], d["norm_eps"]) @ w[TOK_EMBEDDINGS].T

    def greedy(self, audio_embeds: np.ndarray, n_steps: int) -> tuple[list[int], np.ndarray]:
        """Greedy like HF generate: token k comes from position 38 + k; stops after n_steps or at EOS.

        Returns the tokens and the logits rows [len(tokens), vocab] that produced them.
        """
        tokens: list[int] = []
        for _ in range(n_steps):
            logits = self.decoder_logits(audio_embeds, PROMPT + tokens)
            tokens.append(int(np.argmax(logits[-1])))
            if tokens[-1] == EOS_ID:
                break
        final = self.decoder_logits(audio_embeds, PROMPT + tokens[:-1])
        return tokens, final[len(PROMPT) - 1 :]


def mel_frames_for_positions(n_positions: int) -> int:
    return n_positions * MEL_FRAMES_PER_TOKEN


def top2_margins(logits: np.ndarray) -> np.ndarray:
    top2 = np.sort(logits, axis=-1)[:, -2:]
    return top2[:, 1] - top2[:, 0]

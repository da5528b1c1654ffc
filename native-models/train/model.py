"""Voxtral Realtime in PyTorch, for training the demo model (needs torch; runs on the GPU machine).

The module tree mirrors Mistral's checkpoint, so `state_dict()` keys ARE the consolidated.safetensors
names (spec §2) and no conversion step can go wrong. Weights use Mistral's interleaved-pair RoPE
layout, exactly what the engine runs; `parity.py` checks this file against the float64 numpy
reference (native-models/reference/numpy_model.py) before any training starts.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_DELAY_TOKENS = 6
LOG_MEL_FLOOR = 1.5 - 8.0  # fixed global_log_mel_max (spec §3)


def at_least_fp32(x: torch.Tensor) -> torch.Tensor:
    """fp32 for half types, unchanged otherwise (float64 gradient checks stay in float64)."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = at_least_fp32(x)
        return x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps) * at_least_fp32(self.weight)


def rope_interleaved(x: torch.Tensor, theta: float) -> torch.Tensor:
    """x [B, T, H, hd]; pair (2i, 2i+1) at position t rotated by t * theta^(-2i/hd), in fp32."""
    t, hd = x.shape[1], x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
    angle = torch.arange(t, dtype=torch.float64, device=x.device)[:, None] * inv_freq[None, :]
    x32 = at_least_fp32(x)
    cos, sin = angle.cos().to(x32.dtype)[None, :, None, :], angle.sin().to(x32.dtype)[None, :, None, :]
    x0, x1 = x32[..., 0::2], x32[..., 1::2]
    return torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], dim=-1).flatten(-2)


def sliding_causal_mask(t: int, window: int, device: torch.device) -> torch.Tensor:
    """[T, T] bool, True where query i may see key j: i - window < j <= i."""
    i = torch.arange(t, device=device)[:, None]
    j = torch.arange(t, device=device)[None, :]
    return (j <= i) & (j > i - window)


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """softmax(q k^T / sqrt(hd), masked) v on [B, H, T, hd]; fused kernel where torch has one (>= 2.0)."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = at_least_fp32(q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~mask, float("-inf"))
    return (scores.softmax(-1).to(v.dtype)) @ v


class Attention(nn.Module):
    def __init__(self, dim: int, n_heads: int, n_kv_heads: int, head_dim: int, biases: bool):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = n_heads, n_kv_heads, head_dim
        self.wq = nn.Linear(dim, n_heads * head_dim, bias=biases)
        self.wk = nn.Linear(dim, n_kv_heads * head_dim, bias=False)  # no k bias, even in the encoder
        self.wv = nn.Linear(dim, n_kv_heads * head_dim, bias=biases)
        self.wo = nn.Linear(n_heads * head_dim, dim, bias=biases)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, theta: float) -> torch.Tensor:
        b, t, _ = x.shape
        q = rope_interleaved(self.wq(x).view(b, t, self.n_heads, self.head_dim), theta)
        k = rope_interleaved(self.wk(x).view(b, t, self.n_kv_heads, self.head_dim), theta)
        v = self.wv(x).view(b, t, self.n_kv_heads, self.head_dim)
        group = self.n_heads // self.n_kv_heads
        k = k.repeat_interleave(group, dim=2)  # query head h uses kv head h // group
        v = v.repeat_interleave(group, dim=2)
        dtype = v.dtype
        o = attend(q.transpose(1, 2).to(dtype), k.transpose(1, 2).to(dtype), v.transpose(1, 2), mask)
        return self.wo(o.transpose(1, 2).reshape(b, t, self.n_heads * self.head_dim))


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int, down_bias: bool):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=down_bias)
        self.w3 = nn.Linear(dim, hidden, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class EncoderLayer(nn.Module):
    def __init__(self, e: dict):
        super().__init__()
        self.attention_norm = RMSNorm(e["dim"], e["norm_eps"])
        self.attention = Attention(e["dim"], e["n_heads"], e["n_heads"], e["head_dim"], biases=True)
        self.ffn_norm = RMSNorm(e["dim"], e["norm_eps"])
        self.feed_forward = FeedForward(e["dim"], e["hidden_dim"], down_bias=True)

    def forward(self, h: torch.Tensor, mask: torch.Tensor, theta: float) -> torch.Tensor:
        h = h + self.attention(self.attention_norm(h), mask, theta)
        return h + self.feed_forward(self.ffn_norm(h))


class CausalConv(nn.Module):
    """Conv1d with left zero padding kernel - stride (HF/vLLM; spec §4), no right padding."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, 3, stride=stride)
        self.pad = 3 - stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # As a matmul over unfolded windows rather than F.conv1d: Debian's CPU torch 1.13 returns wrong,
        # run-to-run different input gradients from conv1d here (seen in the CPU smoke run); this form
        # is exact everywhere, and the weights keep nn.Conv1d's layout and checkpoint names.
        cols = F.pad(x, (self.pad, 0)).unfold(2, 3, self.conv.stride[0])  # [B, C_in, T_out, 3]
        return torch.einsum("bctk,ock->bot", cols, self.conv.weight) + self.conv.bias[:, None]


class Transformer(nn.Module):
    def __init__(self, e: dict):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(e) for _ in range(e["n_layers"]))
        self.norm = RMSNorm(e["dim"], e["norm_eps"])


class WhisperEncoder(nn.Module):
    def __init__(self, e: dict):
        super().__init__()
        self.e = e
        self.conv_layers = nn.ModuleList([CausalConv(128, e["dim"], 1), CausalConv(e["dim"], e["dim"], 2)])
        self.transformer = Transformer(e)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel [B, 128, T_mel] -> [B, T_mel / 2, dim], final-normed."""
        h = F.gelu(self.conv_layers[0](mel))
        h = F.gelu(self.conv_layers[1](h)).transpose(1, 2)
        mask = sliding_causal_mask(h.shape[1], self.e["sliding_window"], h.device)
        for layer in self.transformer.layers:
            h = layer(h, mask, self.e["rope_theta"])
        return self.transformer.norm(h)


class EmbeddingModule(nn.Module):
    def __init__(self, dims: dict):
        super().__init__()
        e, d = dims["encoder"], dims["decoder"]
        self.whisper_encoder = WhisperEncoder(e)
        self.audio_language_projection = nn.Sequential(
            nn.Linear(e["dim"] * dims["downsample_factor"], d["dim"], bias=False), nn.GELU(), nn.Linear(d["dim"], d["dim"], bias=False)
        )
        self.tok_embeddings = nn.Embedding(d["vocab_size"], d["dim"])


class DecoderLayer(nn.Module):
    def __init__(self, d: dict, ada_dim: int):
        super().__init__()
        self.attention_norm = RMSNorm(d["dim"], d["norm_eps"])
        self.attention = Attention(d["dim"], d["n_heads"], d["n_kv_heads"], d["head_dim"], biases=False)
        self.ffn_norm = RMSNorm(d["dim"], d["norm_eps"])
        self.feed_forward = FeedForward(d["dim"], d["hidden_dim"], down_bias=False)
        self.ada_rms_norm_t_cond = nn.Sequential(nn.Linear(d["dim"], ada_dim, bias=False), nn.GELU(), nn.Linear(ada_dim, d["dim"], bias=False))

    def forward(self, h: torch.Tensor, mask: torch.Tensor, theta: float, t_cond: torch.Tensor) -> torch.Tensor:
        h = h + self.attention(self.attention_norm(h), mask, theta)
        ada = self.ada_rms_norm_t_cond(t_cond)
        return h + self.feed_forward(self.ffn_norm(h) * (1.0 + ada))


def t_cond_vector(dim: int) -> torch.Tensor:
    """[cos(6 inv_k)..., sin(6 inv_k)...], inv_k = exp(-ln(1e4) k / (dim/2)) (spec §5)."""
    half = dim // 2
    inv = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    return torch.cat([torch.cos(N_DELAY_TOKENS * inv), torch.sin(N_DELAY_TOKENS * inv)]).float()


class Voxtral(nn.Module):
    def __init__(self, dims: dict):
        super().__init__()
        self.dims = dims
        d = dims["decoder"]
        self.mm_streams_embeddings = nn.Module()
        self.mm_streams_embeddings.embedding_module = EmbeddingModule(dims)
        self.layers = nn.ModuleList(DecoderLayer(d, dims["ada_dim"]) for _ in range(d["n_layers"]))
        self.norm = RMSNorm(d["dim"], d["norm_eps"])
        self.register_buffer("t_cond", t_cond_vector(d["dim"]), persistent=False)

    @property
    def em(self) -> EmbeddingModule:
        return self.mm_streams_embeddings.embedding_module  # type: ignore[return-value]

    def audio_embeds(self, mel: torch.Tensor) -> torch.Tensor:
        """mel [B, 128, 8n] -> [B, n, dim]: encoder frames 4p..4p+3 concatenated, then the adapter."""
        enc = self.em.whisper_encoder(mel)
        b, t, c = enc.shape
        x = enc.reshape(b, t // self.dims["downsample_factor"], c * self.dims["downsample_factor"])
        return self.em.audio_language_projection(x)

    def decoder_logits(self, audio_embeds: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: position p carries audio_embeds[p] + embed(input_ids[p]); logits [B, T, V]."""
        d = self.dims["decoder"]
        t = input_ids.shape[1]
        h = at_least_fp32(audio_embeds[:, :t]) + at_least_fp32(self.em.tok_embeddings(input_ids))
        mask = sliding_causal_mask(t, d["sliding_window"], h.device)
        for layer in self.layers:
            h = layer(h, mask, d["rope_theta"], self.t_cond.to(h.device, h.dtype))
        return F.linear(self.norm(h), self.em.tok_embeddings.weight)

    def forward(self, mel: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
        return self.decoder_logits(self.audio_embeds(mel), input_ids)


def init_weights(model: Voxtral, seed: int) -> None:
    """GPT-style init: N(0, 0.02), residual outputs scaled by depth, norms 1, ada output 0 (starts as plain RMSNorm)."""
    g = torch.Generator().manual_seed(seed)
    n_dec = model.dims["decoder"]["n_layers"]
    n_enc = model.dims["encoder"]["n_layers"]
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            nn.init.ones_(p)
        elif name.endswith(".bias"):
            nn.init.zeros_(p)
        elif "ada_rms_norm_t_cond.2" in name:
            nn.init.zeros_(p)
        elif "conv_layers" in name:
            fan_in = p.shape[1] * p.shape[2]
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
        else:
            std = 0.02
            if name.endswith(("attention.wo.weight", "feed_forward.w2.weight")):
                std /= math.sqrt(2 * (n_enc if "whisper_encoder" in name else n_dec))
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=g) * std)


# ---------------------------------------------------------------------------------------------
# log-mel on the GPU (spec §3), same numbers as numpy_model.log_mel


class LogMel(nn.Module):
    def __init__(self, filters: np.ndarray):
        super().__init__()
        self.register_buffer("filters", torch.tensor(filters, dtype=torch.float32), persistent=False)  # [201, 128]
        self.register_buffer("window", torch.hann_window(400, periodic=True, dtype=torch.float32), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [B, N] (already padded, N a multiple of 160) -> [B, 128, N / 160], always in fp32."""
        with torch.autocast(audio.device.type, enabled=False):
            return self._log_mel(audio)

    def _log_mel(self, audio: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(audio.float(), n_fft=400, hop_length=160, win_length=400, window=self.window,
                          center=True, pad_mode="reflect", return_complex=True)
        power = spec.abs().pow(2)[..., :-1]  # drop the last frame, as the reference does
        mel = torch.einsum("fm,bft->bmt", self.filters, power)
        log = torch.clamp(mel, min=1e-10).log10()
        return (torch.clamp(log, min=LOG_MEL_FLOOR) + 4.0) / 4.0

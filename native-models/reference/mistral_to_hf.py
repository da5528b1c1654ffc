"""Mistral -> HF transformers weight conversion for Voxtral Realtime (spec §2), numpy only.

The converter that ships in transformers' source tree (convert_voxtral_realtime_weights_to_hf.py)
is not installed with the wheel, so this re-implements its mapping: names by regular expression,
and the q/k row permutation from Mistral's interleaved RoPE pairs to HF's half-split layout
(q weight and encoder q bias with the query head count, k weight with the kv head count).
"""

from __future__ import annotations

import re

import numpy as np

from mistral_format import dims_from_params

_E = r"mm_streams_embeddings\.embedding_module\.whisper_encoder\."
_M = r"mm_streams_embeddings\.embedding_module\."

# Canonical HF names (no `model.` prefix); hf_fixtures.py resolves them against the installed version.
NAME_RULES: list[tuple[str, str]] = [
    (_E + r"conv_layers\.0\.conv\.(weight|bias)$", r"audio_tower.embedder.conv1.\1"),
    (_E + r"conv_layers\.1\.conv\.(weight|bias)$", r"audio_tower.embedder.conv2.\1"),
    (_E + r"transformer\.norm\.weight$", r"audio_tower.norm.weight"),
    (_E + r"transformer\.layers\.(\d+)\.attention_norm\.weight$", r"audio_tower.layers.\1.self_attn_layer_norm.weight"),
    (_E + r"transformer\.layers\.(\d+)\.attention\.w([qkvo])\.(weight|bias)$", r"audio_tower.layers.\1.self_attn.\2_proj.\3"),
    (_E + r"transformer\.layers\.(\d+)\.ffn_norm\.weight$", r"audio_tower.layers.\1.final_layer_norm.weight"),
    (_E + r"transformer\.layers\.(\d+)\.feed_forward\.w1\.(weight|bias)$", r"audio_tower.layers.\1.mlp.gate_proj.\2"),
    (_E + r"transformer\.layers\.(\d+)\.feed_forward\.w2\.(weight|bias)$", r"audio_tower.layers.\1.mlp.down_proj.\2"),
    (_E + r"transformer\.layers\.(\d+)\.feed_forward\.w3\.(weight|bias)$", r"audio_tower.layers.\1.mlp.up_proj.\2"),
    (_M + r"audio_language_projection\.0\.weight$", r"multi_modal_projector.linear_1.weight"),
    (_M + r"audio_language_projection\.2\.weight$", r"multi_modal_projector.linear_2.weight"),
    (_M + r"tok_embeddings\.weight$", r"language_model.model.embed_tokens.weight"),
    (r"^norm\.weight$", r"language_model.model.norm.weight"),
    (r"^layers\.(\d+)\.attention_norm\.weight$", r"language_model.model.layers.\1.input_layernorm.weight"),
    (r"^layers\.(\d+)\.ffn_norm\.weight$", r"language_model.model.layers.\1.post_attention_layernorm.weight"),
    (r"^layers\.(\d+)\.attention\.w([qkvo])\.weight$", r"language_model.model.layers.\1.self_attn.\2_proj.weight"),
    (r"^layers\.(\d+)\.feed_forward\.w1\.weight$", r"language_model.model.layers.\1.mlp.gate_proj.weight"),
    (r"^layers\.(\d+)\.feed_forward\.w2\.weight$", r"language_model.model.layers.\1.mlp.down_proj.weight"),
    (r"^layers\.(\d+)\.feed_forward\.w3\.weight$", r"language_model.model.layers.\1.mlp.up_proj.weight"),
    (r"^layers\.(\d+)\.ada_rms_norm_t_cond\.0\.weight$", r"language_model.model.layers.\1.ada_rms_norm.linear1.weight"),
    (r"^layers\.(\d+)\.ada_rms_norm_t_cond\.2\.weight$", r"language_model.model.layers.\1.ada_rms_norm.linear2.weight"),
]
HF_LM_HEAD = "language_model.lm_head.weight"
HF_EMBED = "language_model.model.embed_tokens.weight"


def hf_name(mistral_name: str) -> str:
    for pattern, replacement in NAME_RULES:
        new, n = re.subn(pattern, replacement, mistral_name)
        if n:
            return new
    raise KeyError(f"no HF name for checkpoint tensor {mistral_name!r}")


def interleaved_to_half_split(rows: np.ndarray, n_heads: int) -> np.ndarray:
    """Per head: HF row h*hd + c*hd/2 + i takes Mistral row h*hd + 2i + c (rows = first axis)."""
    hd = rows.shape[0] // n_heads
    tail = rows.shape[1:]
    return rows.reshape(n_heads, hd // 2, 2, *tail).swapaxes(1, 2).reshape(rows.shape)


def half_split_to_interleaved(rows: np.ndarray, n_heads: int) -> np.ndarray:
    hd = rows.shape[0] // n_heads
    tail = rows.shape[1:]
    return rows.reshape(n_heads, 2, hd // 2, *tail).swapaxes(1, 2).reshape(rows.shape)


def convert(params: dict, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Canonical HF state dict (float32 numpy), the tied LM head included as a copy of the embedding."""
    dims = dims_from_params(params)
    out: dict[str, np.ndarray] = {}
    for name, tensor in weights.items():
        new = hf_name(name)
        section = dims["encoder"] if new.startswith("audio_tower.") else dims["decoder"]
        if re.search(r"self_attn\.q_proj\.(weight|bias)$", new):
            tensor = interleaved_to_half_split(tensor, section["n_heads"])
        elif re.search(r"self_attn\.k_proj\.(weight|bias)$", new):
            tensor = interleaved_to_half_split(tensor, section.get("n_kv_heads", section["n_heads"]))
        if new in out:
            raise ValueError(f"two checkpoint tensors map to {new}")
        out[new] = np.ascontiguousarray(tensor, dtype=np.float32)
    out[HF_LM_HEAD] = out[HF_EMBED].copy()
    return out

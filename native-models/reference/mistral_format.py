"""Mistral-format checkpoint files (params.json, tekken.json, consolidated.safetensors), numpy only.

Writes and reads the three files the way Mistral ships Voxtral Realtime, so the parity fixtures start
from exactly what `voxtral pack` consumes. bf16 is stored as its raw 16 bits (numpy has no bfloat16).
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np

ENC_PREFIX = "mm_streams_embeddings.embedding_module.whisper_encoder."
MM_PREFIX = "mm_streams_embeddings.embedding_module."
TOK_EMBEDDINGS = MM_PREFIX + "tok_embeddings.weight"

N_SPECIAL = 1000
# Real Tekken v7 special-token names at their real ranks; the rest are <SPECIAL_i> as in the real file.
SPECIAL_NAMES = {
    0: "<unk>", 1: "<s>", 2: "</s>", 3: "[INST]", 4: "[/INST]", 5: "[AVAILABLE_TOOLS]",
    6: "[/AVAILABLE_TOOLS]", 7: "[TOOL_RESULTS]", 8: "[/TOOL_RESULTS]", 9: "[TOOL_CALLS]", 10: "[IMG]",
    11: "<pad>", 12: "[IMG_BREAK]", 13: "[IMG_END]", 14: "[PREFIX]", 15: "[MIDDLE]", 16: "[SUFFIX]",
    17: "[SYSTEM_PROMPT]", 18: "[/SYSTEM_PROMPT]", 19: "[TOOL_CONTENT]",
    24: "[AUDIO]", 25: "[BEGIN_AUDIO]", 32: "[STREAMING_PAD]", 33: "[STREAMING_WORD]",
}
TEKKEN_PATTERN = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|"
    r"\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Byte-pair merges after the 256 single bytes: common English pieces, leading space included as in Tekken.
MERGES = [
    " t", " a", "he", "in", " the", "er", "on", " s", "re", " w", "at", "en", " o", "nd", " c", "is",
    "it", " b", "es", " f", "or", "ing", " p", "ou", " m", "an", " d", "ed", " h", "ar", " to", " l",
    " of", " and", " in", " is", "ll", " th", "ic", "le", " e", "om", "al", "st", " n", "ion", " y",
    " that", "as", "ve", " g", "ent", " re", "ro", "ct", " be", " you", " for", " it", "ly", " I",
    "ow", " on", "ut", "ay", " with", " we", "ot", "ir", "ur", " this", " quick", " brown", " fox",
    " jumps", " over", " lazy", " dog", " hello", " world", " test", " dictation",
]


# ---------------------------------------------------------------------------------------------
# params.json


def params_json(case: dict) -> dict:
    """Real Mistral field names and nesting (spec §1), with the case's dimensions."""
    enc, dec = case["encoder"], case["decoder"]
    return {
        "dim": dec["dim"],
        "n_layers": dec["n_layers"],
        "head_dim": dec["head_dim"],
        "hidden_dim": dec["hidden_dim"],
        "n_heads": dec["n_heads"],
        "n_kv_heads": dec["n_kv_heads"],
        "use_biases": False,
        "causal": True,
        "rope_theta": 1000000.0,
        "norm_eps": 1e-05,
        "vocab_size": dec["vocab_size"],
        "model_parallel": 1,
        "tied_embeddings": True,
        "sliding_window": dec["sliding_window"],
        "model_max_length": 131072,
        "multimodal": {
            "whisper_model_args": {
                "encoder_args": {
                    "audio_encoding_args": {
                        "sampling_rate": 16000,
                        "frame_rate": 12.5,
                        "num_mel_bins": 128,
                        "hop_length": 160,
                        "window_size": 400,
                        "chunk_length_s": None,
                        "global_log_mel_max": 1.5,
                        "transcription_format": "streaming",
                    },
                    "dim": enc["dim"],
                    "n_layers": enc["n_layers"],
                    "head_dim": enc["head_dim"],
                    "hidden_dim": enc["hidden_dim"],
                    "n_heads": enc["n_heads"],
                    "vocab_size": dec["vocab_size"],
                    "n_kv_heads": enc["n_heads"],
                    "use_biases": True,
                    "use_cache": False,
                    "rope_theta": 1000000.0,
                    "causal": True,
                    "norm_eps": 1e-05,
                    "pos_embed": "rope",
                    "max_source_positions": None,
                    "ffn_type": "swiglu",
                    "norm_type": "rms_norm",
                    "sliding_window": enc["sliding_window"],
                },
                "downsample_args": {"downsample_factor": 4},
            }
        },
        "ada_rms_norm_t_cond": True,
        "ada_rms_norm_t_cond_dim": 32,
    }


def dims_from_params(params: dict) -> dict:
    """The inverse of params_json: the dimensions every consumer needs."""
    enc = params["multimodal"]["whisper_model_args"]["encoder_args"]
    return {
        "encoder": {k: enc[k] for k in ("dim", "n_layers", "n_heads", "head_dim", "hidden_dim", "sliding_window")}
        | {"rope_theta": float(enc["rope_theta"]), "norm_eps": float(enc["norm_eps"])},
        "decoder": {
            k: params[k]
            for k in ("dim", "n_layers", "n_heads", "n_kv_heads", "head_dim", "hidden_dim", "vocab_size", "sliding_window")
        }
        | {"rope_theta": float(params["rope_theta"]), "norm_eps": float(params["norm_eps"])},
        "downsample_factor": params["multimodal"]["whisper_model_args"]["downsample_args"]["downsample_factor"],
        "ada_dim": params["ada_rms_norm_t_cond_dim"],
    }


# ---------------------------------------------------------------------------------------------
# tekken.json


def tekken_json(vocab_size: int) -> dict:
    """Byte-level Tekken vocabulary with real special tokens and the real `audio` block (spec §1, §7)."""
    n_regular = vocab_size - N_SPECIAL
    if n_regular < 256:
        raise ValueError(f"vocab_size {vocab_size} leaves fewer than 256 regular tokens")
    pieces: list[bytes] = [bytes([b]) for b in range(256)]
    for merge in MERGES:
        if len(pieces) == n_regular:
            break
        pieces.append(merge.encode("utf-8"))
    filler = 0
    while len(pieces) < n_regular:  # deterministic extra pieces if a case needs more than MERGES has
        pieces.append(f" w{filler}".encode("utf-8"))
        filler += 1
    vocab = []
    for rank, piece in enumerate(pieces):
        try:
            token_str: str | None = piece.decode("utf-8")
        except UnicodeDecodeError:
            token_str = None  # lone continuation/lead bytes have no string form in the real file either
        vocab.append({"rank": rank, "token_bytes": base64.b64encode(piece).decode("ascii"), "token_str": token_str})
    special = [
        {"rank": i, "token_str": SPECIAL_NAMES.get(i, f"<SPECIAL_{i}>"), "is_control": True} for i in range(N_SPECIAL)
    ]
    return {
        "config": {
            "pattern": TEKKEN_PATTERN,
            "num_vocab_tokens": len(vocab),
            "default_vocab_size": vocab_size,
            "default_num_special_tokens": N_SPECIAL,
            "version": "v7",
        },
        "vocab": vocab,
        "special_tokens": special,
        "audio": {
            "sampling_rate": 16000,
            "frame_rate": 12.5,
            "audio_encoding_config": {"num_mel_bins": 128, "hop_length": 160, "window_size": 400},
            "transcription_delay_ms": 480.0,
            "streaming_look_ahead_ms": 2.5,
            "streaming_look_back_ms": 52.5,
            "streaming_n_left_pad_tokens": 32,
            "transcription_format": "streaming",
        },
    }


# ---------------------------------------------------------------------------------------------
# safetensors (bf16 / f32)


def float32_to_bf16_bits(x: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 -> bfloat16, returned as uint16 bit patterns."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounding = ((bits >> 16) & 1) + np.uint32(0x7FFF)
    return ((bits + rounding) >> 16).astype(np.uint16)


def bf16_bits_to_float32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def round_to_bf16(x: np.ndarray) -> np.ndarray:
    return bf16_bits_to_float32(float32_to_bf16_bits(x))


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], dtype: str = "BF16") -> None:
    """Tensors sorted by name, contiguous, header padded with spaces to 8 bytes like the reference writer."""
    if dtype not in ("BF16", "F32"):
        raise ValueError(f"unsupported dtype {dtype}")
    header: dict = {"__metadata__": {"format": "pt"}}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name], dtype=np.float32)
        blob = float32_to_bf16_bits(array).tobytes() if dtype == "BF16" else array.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """float32 copies of every tensor (BF16 and F32 only; anything else is an error)."""
    data = Path(path).read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > len(data) - 8:
        raise ValueError(f"{path}: header length {header_len} exceeds file size")
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[base + start : base + end]
        shape = tuple(info["shape"])
        if info["dtype"] == "BF16":
            out[name] = bf16_bits_to_float32(np.frombuffer(raw, dtype="<u2")).reshape(shape)
        elif info["dtype"] == "F32":
            out[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
        else:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
    return out


def read_checkpoint(directory: Path) -> tuple[dict, dict[str, np.ndarray]]:
    directory = Path(directory)
    params = json.loads((directory / "params.json").read_text())
    return params, read_safetensors(directory / "consolidated.safetensors")


def expected_tensor_shapes(params: dict) -> dict[str, tuple[int, ...]]:
    """Every tensor of a Voxtral Realtime checkpoint with its [out, in] shape (spec §2)."""
    d = dims_from_params(params)
    enc, dec = d["encoder"], d["decoder"]
    e, ed, eq = enc["dim"], enc["hidden_dim"], enc["n_heads"] * enc["head_dim"]
    shapes: dict[str, tuple[int, ...]] = {
        ENC_PREFIX + "conv_layers.0.conv.weight": (e, 128, 3),
        ENC_PREFIX + "conv_layers.0.conv.bias": (e,),
        ENC_PREFIX + "conv_layers.1.conv.weight": (e, e, 3),
        ENC_PREFIX + "conv_layers.1.conv.bias": (e,),
        ENC_PREFIX + "transformer.norm.weight": (e,),
        MM_PREFIX + "audio_language_projection.0.weight": (dec["dim"], e * d["downsample_factor"]),
        MM_PREFIX + "audio_language_projection.2.weight": (dec["dim"], dec["dim"]),
        TOK_EMBEDDINGS: (dec["vocab_size"], dec["dim"]),
        "norm.weight": (dec["dim"],),
    }
    for i in range(enc["n_layers"]):
        p = f"{ENC_PREFIX}transformer.layers.{i}."
        shapes |= {
            p + "attention_norm.weight": (e,),
            p + "attention.wq.weight": (eq, e),
            p + "attention.wq.bias": (eq,),
            p + "attention.wk.weight": (eq, e),
            p + "attention.wv.weight": (eq, e),
            p + "attention.wv.bias": (eq,),
            p + "attention.wo.weight": (e, eq),
            p + "attention.wo.bias": (e,),
            p + "ffn_norm.weight": (e,),
            p + "feed_forward.w1.weight": (ed, e),
            p + "feed_forward.w2.weight": (e, ed),
            p + "feed_forward.w2.bias": (e,),
            p + "feed_forward.w3.weight": (ed, e),
        }
    D, H = dec["dim"], dec["hidden_dim"]
    q, kv = dec["n_heads"] * dec["head_dim"], dec["n_kv_heads"] * dec["head_dim"]
    for i in range(dec["n_layers"]):
        p = f"layers.{i}."
        shapes |= {
            p + "attention_norm.weight": (D,),
            p + "attention.wq.weight": (q, D),
            p + "attention.wk.weight": (kv, D),
            p + "attention.wv.weight": (kv, D),
            p + "attention.wo.weight": (D, q),
            p + "ffn_norm.weight": (D,),
            p + "feed_forward.w1.weight": (H, D),
            p + "feed_forward.w2.weight": (D, H),
            p + "feed_forward.w3.weight": (H, D),
            p + "ada_rms_norm_t_cond.0.weight": (d["ada_dim"], D),
            p + "ada_rms_norm_t_cond.2.weight": (D, d["ada_dim"]),
        }
    return shapes

"""Save the torch model as a Mistral-format checkpoint: params.json, consolidated.safetensors, tekken.json."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from mistral_format import expected_tensor_shapes, round_to_bf16, write_safetensors  # noqa: E402


def model_tensors(model) -> dict[str, np.ndarray]:
    """float32 numpy copies of every checkpoint tensor (the module names are the Mistral names)."""
    return {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}


def check_names_and_shapes(params: dict, tensors: dict[str, np.ndarray]) -> None:
    expected = expected_tensor_shapes(params)
    missing, extra = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or extra:
        raise ValueError(f"checkpoint names differ from spec §2: missing {missing[:5]}, extra {extra[:5]}")
    for name, shape in expected.items():
        if tuple(tensors[name].shape) != shape:
            raise ValueError(f"{name}: shape {tensors[name].shape}, expected {shape}")


def save_checkpoint(directory: Path, params: dict, tensors: dict[str, np.ndarray], tekken_path: Path, dtype: str = "BF16") -> None:
    check_names_and_shapes(params, tensors)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "params.json").write_text(json.dumps(params, indent=2))
    write_safetensors(directory / "consolidated.safetensors", tensors, dtype=dtype)
    shutil.copyfile(tekken_path, directory / "tekken.json")


def bf16_rounded(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a BF16 checkpoint holds, so evaluation measures the saved model, not the fp32 master."""
    return {k: round_to_bf16(v) for k, v in tensors.items()}

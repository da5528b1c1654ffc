"""The demo model's architecture and training recipe in one place (no torch: tests read it too)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from mistral_format import params_json  # noqa: E402

# Voxtral Realtime's blocks at a few million parameters. Windows are the real ones (750 encoder frames
# = 15 s, 8192 decoder tokens), so the engine runs it exactly as it runs the real model.
ENCODER = {"dim": 256, "n_layers": 4, "n_heads": 4, "head_dim": 64, "hidden_dim": 1024, "sliding_window": 750}
DECODER = {"dim": 256, "n_layers": 4, "n_heads": 4, "n_kv_heads": 2, "head_dim": 64, "hidden_dim": 768, "sliding_window": 8192}

SEED = 20261128
BATCH_SIZE = 48
LEARNING_RATE = 1.5e-3
WEIGHT_DECAY = 0.01
BETAS = (0.9, 0.98)
WARMUP_STEPS = 400
STEPS = 8000
MIN_LR_FRACTION = 0.05
GRAD_CLIP = 1.0


def demo_params(vocab_size: int) -> dict:
    """params.json of the demo model (real Mistral field names, spec §1)."""
    return params_json({"encoder": dict(ENCODER), "decoder": dict(DECODER, vocab_size=vocab_size)})


def lr_at(step: int, steps: int = STEPS, peak: float = LEARNING_RATE, warmup: int = WARMUP_STEPS) -> float:
    """Linear warm-up, then cosine decay to MIN_LR_FRACTION of the peak."""
    import math

    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, steps - warmup))
    return peak * (MIN_LR_FRACTION + (1 - MIN_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress)))


def count_parameters(params: dict) -> int:
    from mistral_format import expected_tensor_shapes

    total = 0
    for shape in expected_tensor_shapes(params).values():
        n = 1
        for s in shape:
            n *= s
        total += n
    return total

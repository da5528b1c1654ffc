"""Fail-fast check, run on the GPU machine before training: the torch model computes what the engine does.

Compares model.py (fp32, TF32 off) with the float64 numpy reference (native-models/reference/
numpy_model.py, itself checked against HF transformers and the engine) on random weights of the
demo architecture, after a round trip through the Mistral checkpoint writer: log-mel, encoder,
adapter and teacher-forced logits. Any mismatch stops the run before GPU time is spent.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from mistral_format import dims_from_params, read_checkpoint  # noqa: E402
from numpy_model import NumpyVoxtral, log_mel, mel_filters  # noqa: E402

from checkpoint import model_tensors, save_checkpoint  # noqa: E402
from dataset import pad_offline  # noqa: E402
from model import LogMel, Voxtral, init_weights  # noqa: E402


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-12))


def check_parity(params: dict, tekken_path: Path, device: str, tolerance: float = 2e-3) -> dict[str, float]:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dims = dims_from_params(params)
    model = Voxtral(dims)
    init_weights(model, seed=7)
    with torch.no_grad():  # exercise what training will change from init: biases, ada, norms
        g = torch.Generator().manual_seed(8)
        for name, p in model.named_parameters():
            if name.endswith(".bias") or "ada_rms_norm_t_cond.2" in name or name.endswith("norm.weight"):
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
        model.em.tok_embeddings.weight.mul_(20.0)  # tokens must move the logits
    model = model.to(device).eval()

    rng = np.random.default_rng(0)
    t = np.arange(int(1.3 * 16000)) / 16000
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t) + 0.02 * rng.standard_normal(len(t))).astype(np.float32)
    padded = pad_offline(audio)
    n = len(padded) // 1280
    tokens = [1] + [32] * 38 + list(rng.integers(1000, dims["decoder"]["vocab_size"], n - 39))

    with tempfile.TemporaryDirectory() as tmp:
        save_checkpoint(Path(tmp), params, model_tensors(model), tekken_path, dtype="F32")
        ref = NumpyVoxtral(*read_checkpoint(Path(tmp)))
    mel_ref = log_mel(padded)  # [T, 128]
    emb_ref = ref.adapter(ref.encoder(mel_ref))
    logits_ref = ref.decoder_logits(emb_ref, tokens)

    with torch.no_grad():
        mel = LogMel(mel_filters()).to(device)(torch.tensor(padded, device=device)[None])
        emb = model.audio_embeds(mel)
        logits = model.decoder_logits(emb, torch.tensor([tokens], device=device))
    errors = {
        "mel": _relative_error(mel[0].T.cpu().numpy(), mel_ref),
        "audio_embeds": _relative_error(emb[0].cpu().numpy(), emb_ref),
        "logits": _relative_error(logits[0].float().cpu().numpy(), logits_ref),
        "argmax_agreement": float(np.mean(logits[0].float().cpu().numpy().argmax(-1) == logits_ref.argmax(-1))),
    }
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    bad = {k: v for k, v in errors.items() if (k != "argmax_agreement" and v > tolerance)}
    if bad or errors["argmax_agreement"] < 0.9:  # a near-tie may flip; the logits error above is the real test
        raise AssertionError(f"torch model differs from the numpy reference: {errors}")
    return errors


if __name__ == "__main__":
    import json

    from recipe import demo_params

    tk = Path(sys.argv[1])
    vocab = json.loads(tk.read_text())["config"]["default_vocab_size"]
    print(json.dumps(check_parity(demo_params(vocab), tk, "cuda" if torch.cuda.is_available() else "cpu")))

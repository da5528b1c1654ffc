"""CI check of the training model (needs Debian's python3-torch): parity.py on the demo architecture, CPU.

Prints parity.py's errors and a finite-difference check of the gradient as JSON; raises (non-zero
exit) on any mismatch with the numpy reference.
"""

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "native-models" / "train"))

import corpus  # noqa: E402
import recipe  # noqa: E402
from parity import check_parity  # noqa: E402
from tokenizer import build_tekken, learn_merges  # noqa: E402

def directional_gradient_check(params: dict) -> float:
    """Relative error of autograd's grad·d against a central finite difference, float64, random direction d.

    Catches backward bugs that parity (a forward check) cannot see, such as the conv1d input-gradient
    error of Debian's CPU torch 1.13 that CausalConv now avoids.
    """
    import numpy as np
    import torch

    from mistral_format import dims_from_params
    from model import Voxtral, init_weights
    from train import masked_loss

    torch.manual_seed(0)
    model = Voxtral(dims_from_params(params))
    init_weights(model, seed=1)
    model = model.double()
    g = torch.Generator().manual_seed(2)
    n = 39 + 6
    mel = torch.randn(1, 128, 8 * n, generator=g, dtype=torch.float64) * 0.5
    inputs = torch.randint(1000, params["vocab_size"], (1, n), generator=g)
    inputs[0, :39] = 32
    targets = torch.randint(1000, params["vocab_size"], (1, n), generator=g)
    targets[0, :38] = -100
    loss = masked_loss(model(mel, inputs), targets)
    loss.backward()
    direction = [torch.randn(p.shape, generator=g, dtype=torch.float64) for p in model.parameters()]
    analytic = sum(float((p.grad * d).sum()) for p, d in zip(model.parameters(), direction))
    eps = 1e-6
    with torch.no_grad():
        values = []
        for sign in (1.0, -1.0):
            for p, d in zip(model.parameters(), direction):
                p.add_(sign * eps * d)
            values.append(float(masked_loss(model(mel, inputs), targets)))
            for p, d in zip(model.parameters(), direction):
                p.sub_(sign * eps * d)
    numeric = (values[0] - values[1]) / (2 * eps)
    return abs(analytic - numeric) / max(abs(numeric), 1e-12)


with tempfile.TemporaryDirectory() as tmp:
    tekken = build_tekken(learn_merges(corpus.training_sentences(500, 1), 800))
    path = Path(tmp) / "tekken.json"
    path.write_text(json.dumps(tekken))
    params = recipe.demo_params(tekken["config"]["default_vocab_size"])
    errors = check_parity(params, path, "cpu")
    errors["gradient"] = directional_gradient_check(params)
    print(json.dumps(errors))

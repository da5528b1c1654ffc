"""Teacher-forced float64 reference for the demo architecture: does the engine's greedy stream match?

usage: demo_reference.py CHECKPOINT_DIR AUDIO.f32 TOKENS_JSON
Prints JSON: positions compared, argmax agreements, the smallest top-2 margin among disagreements.
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "native-models" / "reference"))
from mistral_format import read_checkpoint  # noqa: E402
from numpy_model import NumpyVoxtral, log_mel, top2_margins  # noqa: E402
from protocol import PROMPT, pad_offline  # noqa: E402

checkpoint, audio_path, tokens_path = sys.argv[1:4]
model = NumpyVoxtral(*read_checkpoint(Path(checkpoint)))
audio = np.fromfile(audio_path, dtype=np.float32)
tokens = json.loads(Path(tokens_path).read_text())
embeds = model.adapter(model.encoder(log_mel(pad_offline(audio))))
n = min(len(tokens), embeds.shape[0] - len(PROMPT) + 1)
logits = model.decoder_logits(embeds, PROMPT + tokens[: n - 1])[len(PROMPT) - 1 :]
argmax = logits.argmax(-1)
agree = argmax == np.asarray(tokens[:n])
margins = top2_margins(logits)
print(json.dumps({
    "compared": int(n), "agree": int(agree.sum()), "distinct_tokens": len(set(tokens[:n])),
    "min_margin_of_disagreements": float(margins[~agree].min()) if (~agree).any() else None,
}))

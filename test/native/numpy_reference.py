"""The engine's end-to-end check against the independent float64 numpy model: a thin CLI over
native-models/reference/numpy_model.py (the same model the HF fixtures were cross-checked with), in
offline mode with teacher forcing on the engine's own sampled tokens.

usage: numpy_reference.py CHECKPOINT_DIR AUDIO.f32 TOKENS_JSON OUT_DIR [none|8w|4w]
  The optional scheme rounds the linear weights (and the embedding, 8w) exactly as the packer
  quantizes them (native-models/reference/quantized_reference.py), to check the quantized kernels exactly.
  AUDIO.f32: real 16 kHz samples (float32, no padding); TOKENS_JSON: the engine's sampled ids.
  Writes OUT_DIR/{name}.f32 (float32, row-major) and OUT_DIR/shapes.json for mel [T,128], encoder [T/2, enc_dim], audio_embeds [n, dim], logits [len(tokens), vocab]
  (logits from the prompt's last position on, fed with the given tokens).
"""
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'native-models' / 'reference'))

from mistral_format import read_checkpoint  # noqa: E402
from numpy_model import NumpyVoxtral, log_mel  # noqa: E402
from quantized_reference import quantized_weights  # noqa: E402

LEFT_PAD, RIGHT_PAD_TOKENS, SAMPLES_PER_TOKEN, MEL_PER_TOKEN = 32 * 1280, 17, 1280, 8
PROMPT = [1] + [32] * 38


def main():
    ck, audio_path, tokens_json, out_dir = sys.argv[1:5]
    scheme = sys.argv[5] if len(sys.argv) > 5 else 'none'
    params, weights = read_checkpoint(Path(ck))
    if scheme != 'none':
        weights = quantized_weights(weights, scheme)
    model = NumpyVoxtral(params, weights)
    audio = np.fromfile(audio_path, dtype=np.float32).astype(np.float64)
    n = len(audio)
    padded = np.concatenate([np.zeros(LEFT_PAD), audio, np.zeros((-n) % SAMPLES_PER_TOKEN + RIGHT_PAD_TOKENS * SAMPLES_PER_TOKEN)])
    mel = log_mel(padded)
    encoder = model.encoder(mel)
    audio_embeds = model.adapter(encoder)
    ids = (PROMPT + json.load(open(tokens_json)))[: mel.shape[0] // MEL_PER_TOKEN]
    logits = model.decoder_logits(audio_embeds, ids)[len(PROMPT) - 1:]
    arrays = {'mel': mel, 'encoder': encoder, 'audio_embeds': audio_embeds, 'logits': logits}
    for name, a in arrays.items():
        a.astype(np.float32).tofile(f'{out_dir}/{name}.f32')
    json.dump({name: list(a.shape) for name, a in arrays.items()}, open(f'{out_dir}/shapes.json', 'w'))


if __name__ == '__main__':
    main()

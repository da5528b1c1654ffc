// The training model (native-models/train/model.py, torch) computes what the engine computes: parity.py
// against the float64 numpy reference on random weights of the demo shape, on the CPU with Debian's
// python3-torch (the GPU run repeats the same check before training).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('torch training model', () => {
  it('matches the numpy reference (log-mel, audio embeddings, logits) and its gradient matches finite differences', () => {
    // Debian's interpreter: python3-torch installs there (a pyenv python3 earlier on PATH lacks it).
    const out = execFileSync('/usr/bin/python3', [path.join(here, 'torch_parity.py')], { encoding: 'utf8', timeout: 240_000 });
    const errors = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(errors.mel).toBeLessThan(1e-4);
    expect(errors.audio_embeds).toBeLessThan(1e-4);
    expect(errors.logits).toBeLessThan(1e-4);
    expect(errors.argmax_agreement).toBeGreaterThan(0.95);
    // Backward too: autograd's directional derivative equals a float64 central difference.
    expect(errors.gradient).toBeLessThan(1e-5);
  }, 300_000);
});

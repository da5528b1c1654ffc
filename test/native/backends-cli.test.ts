/** `voxtral backends` and `voxtral transcribe --gpu`: what the engine offers here, and each GPU's id. */
import { describe, expect, it } from 'vitest';

import { formatBackends } from '../../electron/cli/commands/backends.js';
import { listBackends } from '../../native-models/js/engine.js';
import { cli, packedPair, repoRoot } from './helpers.js';

describe('voxtral backends', () => {
  it('lists the engine’s backends as it reports them, as JSON or one line each', async () => {
    const json = await cli(['backends', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(listBackends());
    const text = await cli(['backends']);
    expect(text.out).toBe(formatBackends(listBackends()));
    expect(text.out).toMatch(/^cpu {3}available {3}CPU \(/m);
    expect(text.out).toMatch(/^cuda {2}(available {3}NVIDIA CUDA \(|unavailable NVIDIA CUDA — )/m);
    expect(text.out).toMatch(listBackends().find((b) => b.id === 'cuda')!.available ? /^auto {2}→ cuda /m : /^auto {2}→ cpu /m);
  });

  it('names each GPU with the id --gpu takes, and why one cannot run the model', () => {
    const text = formatBackends([
      { id: 'cpu', available: true, name: 'CPU (avx2, 8 threads)', devices: [] },
      {
        id: 'cuda', available: true, name: 'NVIDIA CUDA (NVIDIA GeForce RTX 4090, 24 GiB)', devices: [
          { id: 'GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901', index: 0, name: 'NVIDIA GeForce RTX 4090', memoryBytes: 25_757_220_864, compute: '8.9', usable: true },
          { id: 'GPU-0a0a0a0a-0000-0000-0000-000000000001', index: 1, name: 'Quadro T1000', memoryBytes: 4_294_967_296, compute: '7.5', usable: false,
            reason: 'compute capability 7.5; the CUDA backend needs 8.0 (Ampere) or newer' },
        ],
      },
    ]);
    expect(text).toBe([
      'cpu   available   CPU (avx2, 8 threads)',
      'cuda  available   NVIDIA CUDA (NVIDIA GeForce RTX 4090, 24 GiB)',
      '  --gpu GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901  #0 NVIDIA GeForce RTX 4090, 24 GB, compute 8.9',
      '  --gpu GPU-0a0a0a0a-0000-0000-0000-000000000001  #1 Quadro T1000, 4 GB, compute 7.5 (cannot run the model: compute capability 7.5; the CUDA backend needs 8.0 (Ampere) or newer)',
      'auto  → cuda (the default of voxtral transcribe and of the app)',
      '',
    ].join('\n'));
  });

  it('transcribe takes --gpu only where it runs on CUDA, and refuses a GPU that is not there', async () => {
    const pair = packedPair('tiny');
    const wav = `${repoRoot}/test/fixtures/audio/hello-dictation-16k.wav`;
    if (!listBackends().find((b) => b.id === 'cuda')!.available) {
      const auto = await cli(['transcribe', '--model', pair.pte, '--gpu', '0', wav]); // the default backend, 'auto', is the CPU here
      expect(auto).toMatchObject({ code: 1, err: 'voxtral transcribe: --gpu: there is no usable NVIDIA GPU here\n' });
    }
    const explicitCpu = await cli(['transcribe', '--model', pair.pte, '--backend', 'cpu', '--gpu', '0', wav]);
    expect(explicitCpu.err).toBe('voxtral transcribe: --gpu needs --backend cuda\n');
    const absent = await cli(['transcribe', '--model', pair.pte, '--backend', 'cuda', '--gpu', 'GPU-00000000-0000-0000-0000-000000000000', wav]);
    expect(absent.code).toBe(1);
    const cuda = listBackends().find((b) => b.id === 'cuda')!;
    expect(absent.err).toMatch(cuda.available
      ? /^voxtral transcribe: the chosen GPU GPU-0{8}-0{4}-0{4}-0{4}-0{12} is not on this machine \(found: #0 /
      : /^voxtral transcribe: backend cuda is unavailable: /);
  });
});

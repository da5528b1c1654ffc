/**
 * Which GPU the engine runs on (native-models/src/device_choice.h), checked without a GPU: the
 * devices come from the command line of `vxd-selftest pickdevice`, the choice is the engine's
 * own code. The CUDA backend feeds it the GPUs the driver lists (native-models/tools/cuda/cuda_probe
 * runs it on the GPU machine against the real card).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { toolPath } from './helpers.js';

const OLD = 'GPU-0a0a0a0a-0000-0000-0000-000000000001:0:Quadro T1000';
const NEW = 'GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901:1:NVIDIA GeForce RTX 4090';
const ANOTHER = 'GPU-99999999-8888-7777-6666-555555555555:1:NVIDIA RTX A6000';

function pick(want: string, ...devices: string[]): { index?: number; error?: string } {
  return JSON.parse(execFileSync(toolPath('vxd-selftest'), ['pickdevice', want, ...devices], { encoding: 'utf8' }));
}

describe('GPU choice', () => {
  it('takes the first usable GPU when none is chosen, skipping one too old to run the model', () => {
    expect(pick('', NEW, ANOTHER)).toEqual({ index: 0 });
    expect(pick('', OLD, NEW, ANOTHER)).toEqual({ index: 1 });
  });

  it('finds a chosen GPU by its id wherever it now sits, in any letter case, or by its index', () => {
    expect(pick('GPU-99999999-8888-7777-6666-555555555555', NEW, ANOTHER)).toEqual({ index: 1 });
    expect(pick('GPU-99999999-8888-7777-6666-555555555555', ANOTHER, NEW)).toEqual({ index: 0 });
    expect(pick('gpu-1B2C3D4E-5F60-7182-93A4-B5C6D7E8F901', OLD, ANOTHER, NEW)).toEqual({ index: 2 });
    expect(pick('1', NEW, ANOTHER)).toEqual({ index: 1 });
  });

  it('refuses a chosen GPU that is not there, naming the ones that are, instead of taking another', () => {
    const { error } = pick('GPU-99999999-8888-7777-6666-555555555555', OLD, NEW);
    expect(error).toBe(
      'the chosen GPU GPU-99999999-8888-7777-6666-555555555555 is not on this machine (found: ' +
        '#0 Quadro T1000 (GPU-0a0a0a0a-0000-0000-0000-000000000001; compute capability 7.5; needs 8.0), ' +
        '#1 NVIDIA GeForce RTX 4090 (GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901))',
    );
    expect(pick('2', OLD, NEW).error).toMatch(/^the chosen GPU 2 is not on this machine/);
    expect(pick('GPU-1b2c', NEW).error).toMatch(/is not on this machine/); // a prefix is not the id
  });

  it('refuses a chosen GPU that cannot run the model, and says when there is none at all', () => {
    expect(pick('GPU-0a0a0a0a-0000-0000-0000-000000000001', OLD, NEW).error).toBe(
      'the chosen GPU Quadro T1000 cannot run the model: compute capability 7.5; needs 8.0',
    );
    expect(pick('', OLD).error).toMatch(/^no usable GPU \(found: #0 Quadro T1000/);
    expect(pick('').error).toBe('no GPU found');
    expect(pick('0').error).toBe('no GPU found');
  });
});

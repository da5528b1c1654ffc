/** `voxtral transcribe`: text and --json output through the CLI dispatcher, and its user errors. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main.js';
import { loadTekken } from '../../native-models/js/tokenizer/tekken.js';
import { fixtureAudio, load, packedPair, repoRoot, scratchDir, streamThrough } from './helpers.js';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('voxtral transcribe', () => {
  const pair = packedPair('small');
  const fox = path.join(repoRoot, 'test/fixtures/audio/quick-brown-fox-16k.wav');

  it('prints the JSON result with the streamed tokens and their text', async () => {
    const { code, out, err } = await cli(['transcribe', '--model', pair.pte, '--backend', 'cpu', '--dtype', 'fp32', '--json', fox]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(Object.keys(r).sort()).toEqual(['audioSeconds', 'backend', 'dtype', 'msPerStep', 'steps', 'text', 'tokens']);
    const model = await load(pair);
    const direct = await streamThrough(model, fixtureAudio('quick-brown-fox-16k.wav'));
    model.dispose();
    expect(r.tokens).toEqual(direct.result.tokens);
    const tekken = loadTekken(JSON.parse(readFileSync(path.join(pair.dir, 'tekken.json'), 'utf8')));
    expect(r.text).toBe(tekken.decode(r.tokens));
    expect(r.audioSeconds).toBeCloseTo(fixtureAudio('quick-brown-fox-16k.wav').length / 16000, 6);
    expect(r.steps).toBe(r.tokens.length);
    expect(r).toMatchObject({ backend: 'cpu', dtype: 'fp32' });
  });

  it('resamples any rate and channel count: a 44.1 kHz stereo copy gives nearly the same tokens', async () => {
    const dir = scratchDir('cli-stereo');
    mkdirSync(dir, { recursive: true });
    const stereo = path.join(dir, 'fox-44k-stereo.wav');
    execFileSync('sox', [fox, '-r', '44100', '-c', '2', '-b', '24', stereo]);
    const a = JSON.parse((await cli(['transcribe', '--model', pair.pte, '--json', fox])).out);
    const b = JSON.parse((await cli(['transcribe', '--model', pair.pte, '--json', stereo])).out);
    expect(b.tokens.length).toBe(a.tokens.length);
    const same = a.tokens.filter((t: number, i: number) => t === b.tokens[i]).length;
    expect(same / a.tokens.length).toBeGreaterThan(0.8);
  });

  it('reports bad requests in one line', async () => {
    const missing = await cli(['transcribe', '--model', '/nope/model.pte', fox]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^voxtral transcribe: /);
    const badDtype = await cli(['transcribe', '--model', pair.pte, '--dtype', 'fp8', fox]);
    expect(badDtype.err).toMatch(/--dtype must be one of fp32, bf16/);
    const notWav = await cli(['transcribe', '--model', pair.pte, pair.pte]);
    expect(notWav.code).toBe(1);
    expect(notWav.err).toMatch(/not a WAV file/);
    expect(notWav.err).not.toMatch(/unexpected error/);
  });
});

/** The `voxtral` CLI: dispatch, help, user errors as one line, inspect of genuine ExecuTorch files, the bin shim. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli } from '../../electron/cli/main.js';
import { captureIo } from './capture-io.js';
import type { CliCommand } from '../../electron/cli/command.js';
import { fixturesDir } from './fixtures.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');


describe('dispatcher', () => {
  test('help lists every registered command', async () => {
    const c = captureIo();
    expect(await runCli(['--help'], c.io)).toBe(0);
    for (const name of ['pack', 'make-checkpoint', 'inspect']) expect(c.out()).toContain(`  ${name}`);
    const none = captureIo();
    expect(await runCli([], none.io)).toBe(1);
    expect(none.out()).toContain('usage: voxtral <command>');
  });

  test('a command registered in the list is dispatched with its arguments', async () => {
    const seen: string[][] = [];
    const echo: CliCommand = { name: 'echo', summary: 'test', usage: 'voxtral echo ...', run: (argv) => { seen.push(argv); return 7; } };
    const c = captureIo();
    expect(await runCli(['echo', 'a', '--b'], c.io, [echo])).toBe(7);
    expect(seen).toEqual([['a', '--b']]);
  });

  test('unknown commands and bad options are one clear line on stderr, exit 1', async () => {
    const c = captureIo();
    expect(await runCli(['frobnicate'], c.io)).toBe(1);
    expect(c.err().split('\n')[0]).toBe('voxtral: unknown command "frobnicate"');
    const m = captureIo();
    expect(await runCli(['make-checkpoint', '--preset', 'huge', '--out', '/tmp/x'], m.io)).toBe(1);
    expect(m.err()).toBe('voxtral make-checkpoint: --preset must be one of tiny, small, full (got "huge")\n');
    const i = captureIo();
    expect(await runCli(['inspect', '/nonexistent/model.pte'], i.io)).toBe(1);
    expect(i.err()).toMatch(/^voxtral inspect: ENOENT[^\n]*\n$/);
  });

  test('a command help prints its usage', async () => {
    const c = captureIo();
    expect(await runCli(['pack', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('--checkpoint DIR --out DIR');
  });
});

describe('inspect on genuine ExecuTorch programs', () => {
  test('a kernel program is explained as needing the ExecuTorch runtime', async () => {
    const c = captureIo();
    expect(await runCli(['inspect', path.join(fixturesDir, 'KeywordSpotting_model.pte'), '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    expect(r.runnable).toBe(false);
    expect(r.reason).toMatch(/ExecuTorch runtime/);
    expect(r.methods[0]).toMatchObject({ name: 'forward', backends: [], constant: null });
    expect(r.methods[0].inputs).toHaveLength(1);
    expect(r.segments).toEqual([{ index: 0, offset: 0, size: 39216 }]);
  });

  test('text output shows methods, kernels, segments and the verdict', async () => {
    const c = captureIo();
    expect(await runCli(['inspect', path.join(fixturesDir, 'add.pte')], c.io)).toBe(0);
    expect(c.out()).toContain('forward(FLOAT[');
    expect(c.out()).toContain('kernels: aten::add.out');
    expect(c.out()).toContain('runnable by this app: no');
  });
});

describe('bin shim', () => {
  test('`npx voxtral --help` works from the repo root after build:js', () => {
    execFileSync(process.execPath, [path.join(repo, 'build/bundle.mjs')], { cwd: repo });
    expect(existsSync(path.join(repo, 'dist/cli/voxtral.cjs'))).toBe(true);
    const help = spawnSync(process.execPath, [path.join(repo, 'electron/cli/voxtral.cjs'), '--help'], { cwd: repo, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('make-checkpoint');
    const bad = spawnSync(process.execPath, [path.join(repo, 'electron/cli/voxtral.cjs'), 'inspect'], { cwd: repo, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
  });
});

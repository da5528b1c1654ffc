import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkExit, NodeCommandRunner } from '../../../electron/core/insertion/command-runner';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('NodeCommandRunner.stream', () => {
  it('hands each line to the running process as it is written, and reports its exit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vxd-stream-'));
    dirs.push(dir);
    const log = path.join(dir, 'lines');
    // Appends each line it reads (as xdotool's script mode runs each command as it arrives).
    const proc = new NodeCommandRunner().stream('sh', ['-c', `while read -r l; do echo "$l" >> '${log}'; done; echo bye >&2; exit 3`]);
    proc.write('first\n');
    await until(() => { try { return readFileSync(log, 'utf8') === 'first\n'; } catch { return false; } });
    proc.write('second\n');
    await until(() => readFileSync(log, 'utf8') === 'first\nsecond\n');
    const result = await proc.close(5000);
    expect(result).toMatchObject({ code: 3, stderr: 'bye\n' });
    expect(() => checkExit('sh', result)).toThrow('sh failed: bye');
    proc.write('after exit\n'); // dropped, not thrown
  });

  it('kills a process that outlives its timeout, and says when the tool is missing', async () => {
    const stuck = new NodeCommandRunner().stream('sleep', ['10']);
    await expect(stuck.close(100)).rejects.toThrow('sleep did not finish within 100 ms');
    const missing = new NodeCommandRunner().stream('no-such-tool-vxd', []);
    missing.write('x\n');
    await expect(missing.close(1000)).rejects.toThrow('no-such-tool-vxd is not installed');
  });
});

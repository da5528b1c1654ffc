/**
 * Data survives faults: the stores are killed mid-write (SIGKILL, many times) and must always leave
 * valid settings.json/history.json holding every acknowledged write; a full disk (ENOSPC injected
 * through the node:fs/promises seam, part-way through the write) keeps the old file intact, tells the
 * user and loses no words; corrupt files are moved aside, repaired and the next dictation is saved.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppEvent, DictationStatus, FinalTranscript } from '../../electron/common/ipc-contract';
import { AppCore } from '../../electron/core/app/app-core';
import type { DictationEvent, DictationService } from '../../electron/core/app/services';
import { HistoryStore } from '../../electron/core/history/history-store';
import { SettingsStore } from '../../electron/core/settings/settings-store';
import { mutateJson, rng } from './mutate';

const fault = vi.hoisted(() => ({ enospc: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    if (!fault.enospc || !String(args[0]).endsWith('.tmp')) return handle;
    // The disk fills part-way through the temp file: some bytes land, then ENOSPC.
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'writeFile') {
          return async (data: string) => {
            await target.write(String(data).slice(0, 100));
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

/** A dictation that says `words` and ends with them as the final transcript. */
class ScriptedDictation implements DictationService {
  private readonly listeners = new Set<(e: DictationEvent) => void>();
  private n = 0;
  private session: string | null = null;
  constructor(private readonly words: () => string) {}
  status(): DictationStatus { return { state: this.session ? 'listening' : 'idle', sessionId: this.session, source: this.session ? 'mic' : null } as DictationStatus; }
  async start() {
    this.session = `s${++this.n}`;
    this.emit({ name: 'state', payload: this.status() } as DictationEvent);
    const text = this.words();
    this.emit({ name: 'partial', payload: { sessionId: this.session, text, appended: text, tokenIds: [] } } as unknown as DictationEvent);
    return this.status();
  }
  async stop(): Promise<FinalTranscript | null> {
    const final = { sessionId: this.session!, text: this.words(), durationMs: 1000, source: 'mic', historyId: null } as unknown as FinalTranscript;
    this.emit({ name: 'final', payload: final });
    this.session = null;
    this.emit({ name: 'state', payload: this.status() } as DictationEvent);
    return final;
  }
  async cancel() { this.session = null; return this.status(); }
  pushAudio() {}
  endAudio() {}
  async transcribeFile(): Promise<{ jobId: string }> { throw new Error('not used'); }
  async cancelFile() { return false; }
  onEvent(listener: (e: DictationEvent) => void) { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  async dispose() {}
  private emit(e: DictationEvent) { for (const l of this.listeners) l(e); }
}

let scratch: string;
beforeAll(async () => { scratch = await mkdtemp(path.join(tmpdir(), 'vxd-data-')); });
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function coreIn(dir: string, words: () => string) {
  const events: AppEvent[] = [];
  const logged: string[] = [];
  const core = await AppCore.create({ configDir: dir, createDictation: () => new ScriptedDictation(words), log: (m, err) => logged.push(`${m} ${String(err)} ${JSON.stringify(err ?? null)}`) });
  core.onEvent((e) => events.push(e));
  return { core, events, logged };
}

describe('killed mid-write', () => {
  it('SIGKILL at random moments, 40 times: both files always parse and hold every acknowledged write', async () => {
    const childJs = path.join(scratch, 'store-writer-child.cjs');
    await build({ entryPoints: [path.join(__dirname, 'store-writer-child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: childJs, logLevel: 'silent' });
    const dir = path.join(scratch, 'killed');
    const next = rng(30_001);
    let acknowledged = 0;
    let killedMidWrite = 0;
    for (let run = 0; run < 40; run++) {
      const child = spawn(process.execPath, [childJs, dir, String(run)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => { out += String(d); });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Let it get going (its first write done), then kill it at an arbitrary moment.
      await vi.waitFor(() => expect(out).toContain('history '), { timeout: 10_000, interval: 5 });
      await new Promise((r) => setTimeout(r, next() * 100));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const acks = out.split('\n').filter((l) => l.startsWith('history ')).length;
      acknowledged += acks;
      if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) killedMidWrite++; // the parent's stores below clean these up

      // Straight from disk: valid JSON, never a torn file.
      const history = JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')) as { entries: { text: string }[] };
      JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'));
      expect(history.entries.length).toBeGreaterThanOrEqual(acknowledged);
      // Through the stores: no repair, no corrupt copy.
      const notices: unknown[] = [];
      await SettingsStore.open(dir, { onNotice: (n) => notices.push(n) });
      const store = await HistoryStore.open(dir, { maxEntries: 100_000, onNotice: (n) => notices.push(n) });
      expect(notices).toEqual([]);
      expect(store.list(0, 1).total).toBeGreaterThanOrEqual(acknowledged);
      expect(readdirSync(dir).filter((f) => f.includes('.corrupt-') || f.endsWith('.tmp'))).toEqual([]);
    }
    expect(acknowledged).toBeGreaterThan(40);
    console.info(`[reliability] kill mid-write: 40 SIGKILLs, ${acknowledged} acknowledged history writes all kept, ${killedMidWrite} kills caught a write in progress (temp file left behind)`);
  }, 120_000);
});

describe('disk full while saving history', () => {
  it('keeps the old file, gives the user the words and says what happened; the next dictation is saved', async () => {
    const dir = path.join(scratch, 'enospc');
    let words = 'first dictation kept';
    const { core, events, logged } = await coreIn(dir, () => words);
    await core.call('startDictation', undefined);
    await core.call('stopDictation', undefined);
    await vi.waitFor(() => expect(core.history.list(0, 10).entries.map((e) => e.text)).toEqual(['first dictation kept']));
    await core.history.flush();
    const before = readFileSync(path.join(dir, 'history.json'), 'utf8');

    fault.enospc = true;
    words = 'secret words spoken while the disk was full';
    await core.call('startDictation', undefined);
    const stopped = await core.call('stopDictation', undefined);
    expect(stopped).toMatchObject({ ok: true, value: { text: words, historyId: null } });
    await vi.waitFor(() => expect(events.some((e) => e.name === 'final')).toBe(true));
    const final = events.filter((e) => e.name === 'final').at(-1)!;
    expect(final.payload).toMatchObject({ text: words, historyId: null });
    await vi.waitFor(() => expect(events.some((e) => e.name === 'notice')).toBe(true));
    const notice = events.find((e) => e.name === 'notice')!.payload as { message: string };
    expect(notice.message).toMatch(/could not be saved to History \(the disk is full\)/);
    await core.history.flush().catch(() => undefined);
    expect(readFileSync(path.join(dir, 'history.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    fault.enospc = false;
    words = 'after the disk was freed';
    await core.call('startDictation', undefined);
    const next = await core.call('stopDictation', undefined);
    expect(next).toMatchObject({ ok: true, value: { text: words, historyId: expect.any(String) } });
    const saved = JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')) as { entries: { text: string }[] };
    expect(saved.entries.map((e) => e.text)).toContain('after the disk was freed');
    expect(saved.entries.map((e) => e.text)).toContain('first dictation kept');
    // Nothing the user said reached the logs.
    expect(logged.join('\n')).not.toMatch(/secret words|first dictation|after the disk/);
    await core.close();
  });
});

describe('corrupt settings and history files', () => {
  it('300 damaged pairs: the app starts, keeps the damaged file aside, says so, and saves the next dictation', async () => {
    const seedDir = path.join(scratch, 'seed');
    const seeded = await coreIn(seedDir, () => 'seed words');
    await seeded.core.call('updateSettings', { insertion: { mode: 'type' }, history: { maxEntries: 50 } });
    await seeded.core.call('startDictation', undefined);
    await seeded.core.call('stopDictation', undefined);
    await seeded.core.close();
    const settingsDoc = JSON.parse(readFileSync(path.join(seedDir, 'settings.json'), 'utf8'));
    const historyDoc = JSON.parse(readFileSync(path.join(seedDir, 'history.json'), 'utf8'));
    const next = rng(30_002);
    let repaired = 0;
    for (let i = 0; i < 300; i++) {
      const dir = path.join(scratch, `corrupt-${i}`);
      const settingsText = mutateJson(settingsDoc, next);
      const historyText = mutateJson(historyDoc, next);
      await rm(dir, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
      writeFileSync(path.join(dir, 'settings.json'), settingsText);
      writeFileSync(path.join(dir, 'history.json'), historyText);
      const { core, events } = await coreIn(dir, () => `words of run ${i}`);
      const notices = (await core.call('takePendingNotices', undefined)) as { ok: true; value: { message: string }[] };
      const asideFiles = readdirSync(dir).filter((f) => f.includes('.corrupt-'));
      // A file that was changed is either accepted as it is or repaired with a notice and kept aside.
      expect(notices.value.length, `run ${i}`).toBe(asideFiles.length);
      for (const f of asideFiles) expect([settingsText, historyText]).toContain(readFileSync(path.join(dir, f), 'utf8'));
      if (asideFiles.length) repaired++;
      const stopped = await core.call('startDictation', undefined).then(() => core.call('stopDictation', undefined));
      expect(stopped, `run ${i}`).toMatchObject({ ok: true, value: { text: `words of run ${i}` } });
      expect(events.some((e) => e.name === 'notice')).toBe(false);
      await core.close();
      JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'));
      const history = JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')) as { entries: { text: string }[] };
      if (core.settings.get().history.enabled) expect(history.entries.map((e) => e.text), `run ${i}`).toContain(`words of run ${i}`);
      await rm(dir, { recursive: true, force: true });
    }
    expect(repaired).toBeGreaterThan(100);
    console.info(`[reliability] corrupt state files: 300 damaged settings/history pairs, ${repaired} repaired with the damaged file kept, every next dictation saved`);
  }, 120_000);
});

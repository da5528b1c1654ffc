// The checkpoint download against a local Hub: the file list and hashes from the tree API, every
// file checked before it gets its real name, a stopped download resumed with a Range request, a
// damaged or refused file reported and not kept.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadStatus } from '../../../electron/common/ipc-contract';
import { CHECKPOINT_FILES, CheckpointDownloader } from '../../../electron/core/models/checkpoint-download';
import { makeCheckpoint } from '../../../native-models/js/checkpoint/make-checkpoint';
import { presets } from '../../../native-models/js/checkpoint/presets';
import { startFakeHub, type FakeHub } from './fake-hub';

let dir = '';
let source = '';
let hub: FakeHub;
let serial = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vxd-download-'));
  source = path.join(dir, 'source');
  makeCheckpoint(presets.small, 5, source);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => { hub = await startFakeHub(source); });
afterEach(async () => hub.close());

function freshDir(): string {
  const d = path.join(dir, `into-${++serial}`);
  mkdirSync(d);
  return d;
}

function downloader(freeSpace: (dir: string) => number = () => 1e12) {
  const statuses: DownloadStatus[] = [];
  const d = new CheckpointDownloader((s) => statuses.push(s), { hub: hub.url, freeSpace });
  const until = (test: (s: DownloadStatus) => boolean) => expect.poll(() => statuses.some(test), { timeout: 20_000 }).toBe(true);
  return { d, statuses, until };
}

const sameAsSource = (into: string) => {
  for (const name of CHECKPOINT_FILES) expect(readFileSync(path.join(into, name)).equals(hub.files.get(name)!), name).toBe(true);
};

describe('CheckpointDownloader', () => {
  it('downloads the three files, each checked, with progress to the total', async () => {
    const { d, statuses, until } = downloader();
    const into = freshDir();
    const { jobId } = d.start(into);
    await until((s) => s.state !== 'running');
    const total = [...hub.files.values()].reduce((a, b) => a + b.length, 0);
    expect(statuses.at(-1)).toMatchObject({ jobId, state: 'done', dir: into, receivedBytes: total, totalBytes: total, error: null });
    expect(statuses[0]).toMatchObject({ state: 'running', totalBytes: null });
    expect(readdirSync(into).sort()).toEqual([...CHECKPOINT_FILES].sort());
    sameAsSource(into);
    // Again into the same folder: nothing is fetched twice.
    const before = hub.requests.length;
    d.start(into);
    await until((s) => s.state === 'done' && s.jobId !== jobId);
    expect(hub.requests.slice(before).map((r) => r.path)).toEqual([expect.stringContaining('/tree/main')]);
  });

  it('a stopped download keeps what arrived; the next one resumes with a Range request', async () => {
    const { d, statuses, until } = downloader();
    const into = freshDir();
    const big = hub.files.get('consolidated.safetensors')!;
    const half = Math.floor(big.length / 2);
    hub.stallAfter.set('consolidated.safetensors', half);
    const { jobId } = d.start(into);
    await expect.poll(() => existsSync(path.join(into, 'consolidated.safetensors.partial')) && statSync(path.join(into, 'consolidated.safetensors.partial')).size, { timeout: 20_000 }).toBe(half);
    // While the bytes stall, the last report still counts every byte that arrived.
    const small = hub.files.get('params.json')!.length + hub.files.get('tekken.json')!.length;
    await expect.poll(() => statuses.at(-1)?.receivedBytes, { timeout: 5000 }).toBe(small + half);
    expect(statuses.at(-1)).toMatchObject({ state: 'running', detail: 'Downloading consolidated.safetensors' });
    expect(await d.cancel(jobId)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ state: 'cancelled' });
    expect(existsSync(path.join(into, 'consolidated.safetensors'))).toBe(false);

    hub.stallAfter.clear();
    d.start(into);
    await until((s) => s.state === 'done');
    expect(hub.requests.filter((r) => r.path.endsWith('consolidated.safetensors')).map((r) => r.range)).toEqual([undefined, `bytes=${half}-`]);
    sameAsSource(into);
  });

  it('a server that ignores the range is fetched from the start, not spliced', async () => {
    const { d, until } = downloader();
    const into = freshDir();
    hub.stallAfter.set('consolidated.safetensors', 1000);
    const { jobId } = d.start(into);
    await expect.poll(() => existsSync(path.join(into, 'consolidated.safetensors.partial')), { timeout: 20_000 }).toBe(true);
    await d.cancel(jobId);
    hub.stallAfter.clear();
    hub.ignoreRange = true;
    d.start(into);
    await until((s) => s.state === 'done');
    sameAsSource(into);
  });

  it('a damaged file is reported and removed, never kept under its real name', async () => {
    const { d, statuses, until } = downloader();
    const into = freshDir();
    const damaged = Buffer.from(hub.files.get('consolidated.safetensors')!);
    damaged[damaged.length - 1] ^= 0xff;
    hub.damaged.set('consolidated.safetensors', damaged);
    d.start(into);
    await until((s) => s.state !== 'running');
    expect(statuses.at(-1)?.state).toBe('failed');
    expect(statuses.at(-1)?.error).toEqual({ code: 'io', message: 'consolidated.safetensors arrived damaged (its SHA-256 does not match); it was removed, start again to fetch it anew.' });
    expect(readdirSync(into).sort()).toEqual(['params.json', 'tekken.json']);
  });

  it('says what went wrong: the Hub refusing, too little disk, a folder that is not there, one at a time', async () => {
    hub.treeStatus = 503;
    const refused = downloader();
    refused.d.start(freshDir());
    await refused.until((s) => s.state === 'failed');
    expect(refused.statuses.at(-1)?.error?.message).toBe('Hugging Face answered 503 for the file list of mistralai/Voxtral-Mini-4B-Realtime-2602.');
    hub.treeStatus = 200;

    const full = downloader(() => 1000);
    const into = freshDir();
    full.d.start(into);
    await full.until((s) => s.state === 'failed');
    expect(full.statuses.at(-1)?.error?.message).toMatch(/^The checkpoint needs \d+\.\d MB more but only 0\.1 MB is free in /);
    expect(readdirSync(into)).toEqual([]);

    // No Hub at all (nothing listens where it was): fetch's reason is in the message.
    const gone = hub.url;
    await hub.close();
    hub = await startFakeHub(source);
    const offlineStatuses: DownloadStatus[] = [];
    const offline = new CheckpointDownloader((s) => offlineStatuses.push(s), { hub: gone, freeSpace: () => 1e12 });
    offline.start(freshDir());
    await expect.poll(() => offlineStatuses.at(-1)?.state, { timeout: 20_000 }).toBe('failed');
    expect(offlineStatuses.at(-1)?.error?.message).toMatch(/^The download stopped: fetch failed \([A-Z_]+\)\. Start again to resume\.$/);

    const { d } = downloader();
    expect(() => d.start(path.join(dir, 'nowhere'))).toThrow(/does not exist/);
    hub.stallAfter.set('params.json', 0);
    const { jobId } = d.start(freshDir());
    expect(() => d.start(freshDir())).toThrow(/already downloading/);
    await d.cancel(jobId);
  });
});

/** The history's recordings: WAVs written as a dictation runs, repaired after a crash, swept by the user's setting. */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingStore, wavHeader } from '../../../electron/core/history/recording-store';
import { parseWav } from '../../../native-models/js/audio/wav';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();
const tone = (n: number, offset = 0) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((i + offset) * 0.05));

describe('RecordingStore', () => {
  it('writes what it is given, in order, as a 16 kHz mono 16-bit WAV', async () => {
    const store = await RecordingStore.open(await tempDir());
    const id = randomUUID();
    const writer = await store.start(id);
    const frames = [tone(1280), tone(7, 1280), tone(3000, 1287), Float32Array.of(2, -2, Number.NaN)];
    for (const f of frames) writer.append(f);
    expect(store.has(id)).toBe(true);
    await writer.close();
    const wav = parseWav(readFileSync(store.file(id)!));
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, encoding: 'pcm16' });
    const expected = frames.flatMap((f) => [...f]).map((v) => (Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0));
    expect(wav.channelData[0].length).toBe(expected.length);
    expected.forEach((v, i) => expect(Math.abs(wav.channelData[0][i] - v)).toBeLessThan(1 / 16000));
    expect(writer.seconds).toBeCloseTo(expected.length / 16000, 6);
    expect(store.bytes).toBe(44 + expected.length * 2);
    writer.append(tone(100)); // after close: ignored
    expect(statSync(store.file(id)!).size).toBe(44 + expected.length * 2);
  });

  it('keeps the header current while recording, and repairs one cut short by a crash', async () => {
    const dir = await tempDir();
    const store = await RecordingStore.open(dir);
    const id = randomUUID();
    const writer = await store.start(id);
    for (let i = 0; i < 70; i++) writer.append(tone(1280, i * 1280)); // 5.6 s: one header refresh at 5 s
    await expect.poll(() => statSync(store.file(id)!).size).toBe(44 + 70 * 1280 * 2);
    // Not closed (the app was killed): the header was last written at the first frame past 5 s
    // (frame 63, 5.04 s); the file holds 5.6 s.
    expect(readFileSync(store.file(id)!).readUInt32LE(40)).toBe(63 * 1280 * 2);
    // A crash before the first refresh leaves a header that says nothing was recorded.
    const early = randomUUID();
    await writeFile(path.join(dir, 'recordings', `${early}.wav`), Buffer.concat([wavHeader(0), Buffer.alloc(3200)]));
    const reopened = await RecordingStore.open(dir);
    expect(parseWav(readFileSync(reopened.file(id)!)).channelData[0].length).toBe(70 * 1280);
    expect(parseWav(readFileSync(reopened.file(early)!)).channelData[0].length).toBe(1600);
    await writer.close();
  });

  it('ignores what is not a recording, drops what cannot play, and names only entry ids', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'recordings'));
    const truncated = randomUUID();
    const junk = randomUUID();
    await writeFile(path.join(dir, 'recordings', `${truncated}.wav`), Buffer.alloc(20));
    await writeFile(path.join(dir, 'recordings', `${junk}.wav`), Buffer.alloc(100, 7));
    await writeFile(path.join(dir, 'recordings', 'notes.txt'), 'mine');
    const store = await RecordingStore.open(dir);
    expect(store.has(truncated)).toBe(false);
    expect(store.has(junk)).toBe(false);
    expect((await readdir(path.join(dir, 'recordings'))).sort()).toEqual(['notes.txt']);
    for (const bad of ['../history', '..', 'notes', '', `${randomUUID()}/../x`]) expect(store.file(bad)).toBeNull();
    await expect(store.start('../escape')).rejects.toThrow(/not an entry id/);
  });

  it('sweeps recordings whose entry is gone, those past the kept time and the oldest past the size cap', async () => {
    let now = 1_000_000_000_000;
    const dir = await tempDir();
    const store = await RecordingStore.open(dir, () => now);
    const record = async (seconds: number) => {
      const id = randomUUID();
      const w = await store.start(id);
      w.append(tone(seconds * 16000));
      await w.close();
      now += 3600_000; // an hour between dictations
      return id;
    };
    const [a, b, c, d] = [await record(1), await record(1), await record(1), await record(1)];
    const open = randomUUID();
    const live = await store.start(open); // being recorded: never swept
    live.append(tone(1600));
    const all = new Set([a, b, c, d]);
    // The entry of `b` was deleted.
    expect(await store.sweep({ keep: new Set([a, c, d]), maxAgeMs: null })).toBe(1);
    expect([store.has(a), store.has(b), store.has(open)]).toEqual([true, false, true]);
    // Kept for 2.5 hours: `a` is 4 h old, `c` 2 h, `d` 1 h, so only `a` goes.
    expect(await store.sweep({ keep: all, maxAgeMs: 2.5 * 3600_000 })).toBe(1);
    expect([store.has(a), store.has(c), store.has(d)]).toEqual([false, true, true]);
    // A cap of one second's recording (plus the live one): the oldest goes first.
    expect(await store.sweep({ keep: all, maxAgeMs: null, maxBytes: 2 * (44 + 32000) })).toBe(1);
    expect([store.has(c), store.has(d), store.has(open)]).toEqual([false, true, true]);
    await live.close();
    expect(await store.sweep({ keep: new Set(), maxAgeMs: 0 })).toBe(2);
    expect(await readdir(path.join(dir, 'recordings'))).toEqual([]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import {
  commonPrefixLength, LiveTyper, LiveTypingError, MAX_REPAIRS, MAX_WAIT_FOR_KEYS_MS, MAX_WAIT_FOR_RELEASE_MS, settledPrefix,
} from '../../../electron/core/insertion/live-typer';
import { KeysInterferedError, KeysPausedError } from '../../../electron/core/insertion/types';
import { FakeKeys } from './fakes';

/**
 * An app that, for the next typing calls, takes `lost` keys from `at` on as shortcuts (the user
 * pressed Ctrl meanwhile): they never become text, the keys after them do, and the injector says
 * so as XdotoolKeys does. `held` stays true for a while after, as the user's chord would.
 */
class ChordedKeys extends FakeKeys {
  held = false;
  /** `lost: 0`: typing paused before key `at` (the injector saw the chord begin), nothing lost. */
  readonly chords: { at: number; lost: number }[] = [];
  override async typeText(text: string): Promise<void> {
    const chord = this.chords.shift();
    if (!chord || chord.at >= text.length) return super.typeText(text);
    this.calls.push(`type:${text}`);
    this.held = true;
    setTimeout(() => { this.held = false; }, 30);
    if (chord.lost === 0) {
      this.text += text.slice(0, chord.at);
      throw new KeysPausedError(text.slice(0, chord.at));
    }
    const landed = text.slice(0, chord.at) + text.slice(chord.at + chord.lost);
    this.text += landed;
    throw new KeysInterferedError(text.slice(0, chord.at), landed.length - chord.at);
  }
}

const drain = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

describe('settledPrefix', () => {
  it('holds back an incomplete UTF-8 character (U+FFFD) and a lone high surrogate', () => {
    expect(settledPrefix('caf\uFFFD', false)).toBe('caf');
    expect(settledPrefix('smile \uD83D', false)).toBe('smile ');
    expect(settledPrefix('smile \uD83D\uDE00', false)).toBe('smile \uD83D\uDE00');
  });
  it('can hold back the last word until whitespace follows it', () => {
    expect(settledPrefix('hello wor', true)).toBe('hello ');
    expect(settledPrefix('hello', true)).toBe('');
    expect(settledPrefix('hello world ', true)).toBe('hello world ');
  });
});

describe('commonPrefixLength', () => {
  it('never splits a surrogate pair', () => {
    expect(commonPrefixLength('a\uD83D\uDE00', 'a\uD83D\uDE01')).toBe(1);
    expect(commonPrefixLength('abc', 'abd')).toBe(2);
  });
});

describe('LiveTyper', () => {
  it('types each settled extension once, in order', async () => {
    const keys = new FakeKeys();
    const typer = new LiveTyper(keys);
    for (const text of ['Hel', 'Hello', 'Hello wor', 'Hello wor', 'Hello world']) {
      typer.update(text);
      await drain();
    }
    await typer.finish('Hello world');
    expect(keys.calls).toEqual(['type:Hel', 'type:lo', 'type: wor', 'type:ld']);
    expect(keys.text).toBe('Hello world');
  });

  it('pieces that arrive while the target is slow are typed together, never interleaved', async () => {
    const keys = new FakeKeys();
    keys.typeDelayMs = 5;
    const typer = new LiveTyper(keys);
    typer.update('one');
    typer.update('one two');
    typer.update('one two three');
    await typer.finish('one two three');
    expect(keys.calls).toEqual(['type:one', 'type: two three']);
    expect(keys.text).toBe('one two three');
  });

  it('types a character split across tokens only once it is complete', async () => {
    const keys = new FakeKeys();
    const typer = new LiveTyper(keys);
    for (const text of ['na\uFFFD', 'naï', 'naïve']) {
      typer.update(text);
      await drain();
    }
    await typer.finish('naïve');
    expect(keys.calls).toEqual(['type:na', 'type:ï', 'type:ve']);
    expect(keys.text).toBe('naïve');
  });

  it('types the tail that only arrived with the final text', async () => {
    const keys = new FakeKeys();
    const typer = new LiveTyper(keys);
    typer.update('one two');
    await typer.finish('one two three');
    expect(keys.text).toBe('one two three');
    expect(keys.calls.filter((c) => c.startsWith('backspace'))).toEqual([]);
  });

  it('reconciles a final text that differs: deletes only the differing tail', async () => {
    const keys = new FakeKeys();
    const typer = new LiveTyper(keys);
    typer.update('I scream');
    await drain();
    await typer.finish('Ice cream');
    expect(keys.text).toBe('Ice cream');
    expect(keys.calls).toContain('backspace:7');
  });

  it('a typing failure reports how much reached the app', async () => {
    const keys = new FakeKeys();
    keys.failTypingAfter = 6;
    const typer = new LiveTyper(keys);
    typer.update('Hello');
    typer.update('Hello world');
    const err = await typer.finish('Hello world').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveTypingError);
    expect((err as LiveTypingError).typed).toBe('Hello');
  });

  it('waits while the user holds keys that would make typing into shortcuts', async () => {
    const keys = new FakeKeys();
    let held = true;
    const typer = new LiveTyper(keys, { mayTypeNow: () => !held });
    typer.update('stop');
    await new Promise((r) => setTimeout(r, 60));
    expect(keys.text).toBe('');
    held = false;
    await typer.finish('stop');
    expect(keys.text).toBe('stop');
  });

  it('does not wait forever for keys to be let go', async () => {
    const keys = new FakeKeys();
    const typer = new LiveTyper(keys, { mayTypeNow: () => false });
    const started = Date.now();
    typer.update('anyway');
    await typer.finish('anyway');
    expect(keys.text).toBe('anyway');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('while the hotkey\'s key is down (its grab takes every key) it waits past the modifier deadline, until the release', async () => {
    vi.useFakeTimers();
    try {
      const keys = new FakeKeys();
      let taken = true;
      const typer = new LiveTyper(keys, { mayTypeNow: () => false, keysTaken: () => taken });
      typer.update('held');
      await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_KEYS_MS * 10);
      expect(keys.text).toBe('');
      taken = false; // released, the chord's modifiers still down: their short wait from the release, then typing
      await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_KEYS_MS / 2);
      expect(keys.text).toBe('');
      await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_KEYS_MS);
      expect(keys.text).toBe('held');
      // A release the hook never reported does not hold typing for ever.
      taken = true;
      typer.update('held on');
      await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_RELEASE_MS + 100);
      expect(keys.text).toBe('held on');
      taken = false;
      const finished = typer.finish('held on');
      await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_KEYS_MS + 100);
      await finished;
      expect(keys.text).toBe('held on');
    } finally {
      vi.useRealTimers();
    }
  });

  it('abort stops queued typing', async () => {
    const keys = new FakeKeys();
    keys.typeDelayMs = 5;
    const typer = new LiveTyper(keys);
    typer.update('first');
    typer.update('first second');
    typer.abort();
    await typer.finish('first second third');
    expect(keys.text.length).toBeLessThanOrEqual('first'.length);
  });

  it('keys that became shortcuts are typed again once the chord is let go, after deleting what landed out of place', async () => {
    const keys = new ChordedKeys();
    keys.chords.push({ at: 6, lost: 3 });
    let typedWhileHeld = false;
    const typer = new LiveTyper(keys, { mayTypeNow: () => !keys.held });
    const backspace = keys.backspace.bind(keys);
    keys.backspace = async (count) => { typedWhileHeld ||= keys.held; await backspace(count); };
    typer.update('Hello from Voxtral');
    await typer.finish('Hello from Voxtral');
    // "Hello " landed, "fro" became shortcuts, "m Voxtral" landed after them.
    expect(keys.calls).toEqual(['type:Hello from Voxtral', 'backspace:9', 'type:from Voxtral']);
    expect(typedWhileHeld).toBe(false);
    expect(keys.text).toBe('Hello from Voxtral');
    expect(typer.typed).toBe('Hello from Voxtral');
  });

  it('repairs the final reconcile too, and a chord that swallowed the last keys leaves nothing to delete', async () => {
    const keys = new ChordedKeys();
    const typer = new LiveTyper(keys, { mayTypeNow: () => !keys.held });
    typer.update('one');
    await drain();
    keys.chords.push({ at: 7, lost: 3 });
    await typer.finish('one two three');
    expect(keys.calls).toEqual(['type:one', 'type: two three', 'type:ree']);
    expect(keys.text).toBe('one two three');
  });

  it('waits out pauses for a chord and types the rest; a pause counts as a repair only when nothing was typed', async () => {
    const keys = new ChordedKeys();
    for (let i = 0; i <= MAX_REPAIRS + 1; i++) keys.chords.push({ at: 1, lost: 0 });
    const typer = new LiveTyper(keys, { mayTypeNow: () => !keys.held });
    typer.update('abcdefgh');
    await typer.finish('abcdefgh');
    expect(keys.text).toBe('abcdefgh');
    expect(keys.calls.slice(0, 3)).toEqual(['type:abcdefgh', 'type:bcdefgh', 'type:cdefgh']);
    const stuck = new ChordedKeys();
    for (let i = 0; i <= MAX_REPAIRS; i++) stuck.chords.push({ at: 0, lost: 0 });
    const stuckTyper = new LiveTyper(stuck, { mayTypeNow: () => !stuck.held });
    stuckTyper.update('ab');
    await expect(stuckTyper.finish('ab')).rejects.toBeInstanceOf(LiveTypingError);
    expect(stuck.text).toBe('');
  });

  it('gives up after repeated interference and says how much is in the app', async () => {
    const keys = new ChordedKeys();
    for (let i = 0; i <= MAX_REPAIRS; i++) keys.chords.push({ at: 1, lost: 1 });
    const typer = new LiveTyper(keys, { mayTypeNow: () => !keys.held });
    typer.update('abcdefgh');
    const err = await typer.finish('abcdefgh').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveTypingError);
    expect((err as LiveTypingError).typed).toBe('abcd');
    expect(keys.calls.filter((c) => c.startsWith('type:'))).toHaveLength(MAX_REPAIRS + 1);
  });
});

import { describe, expect, it } from 'vitest';
import { commonPrefixLength, LiveTyper, LiveTypingError, settledPrefix } from '../../../electron/core/insertion/live-typer';
import { FakeKeys } from './fakes';

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
});

import { describe, expect, it, vi } from 'vitest';
import type { InsertionMode } from '../../../electron/common/ipc-contract';
import { Inserter } from '../../../electron/core/insertion/inserter';
import type { AppInsertionRule } from '../../../electron/common/ipc-contract';
import { canonicalAppName, withAppRule } from '../../../electron/common/app-insertion-rules';
import { modeForApp } from '../../../electron/core/insertion/app-rules';
import type { FocusedApp, PlatformInsertion } from '../../../electron/core/insertion/types';
import { FakeClipboard, FakeKeys, lent } from './fakes';

function setup(mode: InsertionMode, available = true): { keys: FakeKeys; clipboard: FakeClipboard; inserter: Inserter } {
  const keys = new FakeKeys();
  const clipboard = new FakeClipboard();
  keys.onPaste = () => { keys.text += clipboard.content; };
  const platform: PlatformInsertion = available
    ? { available: true, keys, clipboard: lent(clipboard), description: 'fake' }
    : { available: false, reason: 'Typing into other apps on X11 needs xdotool.', clipboard: lent(clipboard) };
  return { keys, clipboard, inserter: new Inserter({ platform: () => platform, mode: () => mode }) };
}

describe('Inserter', () => {
  it('paste mode pastes the final text and gives the clipboard back', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    const session = inserter.begin();
    session.partial(' Hello');
    expect(keys.text).toBe('');
    const outcome = await session.finish(' Hello there.');
    expect(outcome).toEqual({ delivered: 'pasted', message: null });
    expect(keys.text).toBe('Hello there.');
    // Given back once the paste has settled (clipboard-loan.ts; immediately here).
    await vi.waitFor(() => expect(clipboard.content).toBe('previous'));
  });

  it('type mode types live pieces without the leading space, then the rest', async () => {
    const { keys, inserter } = setup('type');
    const session = inserter.begin();
    session.partial(' Hello');
    session.partial(' Hello wor');
    const outcome = await session.finish(' Hello world.');
    expect(outcome.delivered).toBe('typed');
    expect(keys.text).toBe('Hello world.');
    expect(keys.calls.filter((c) => c.startsWith('type:'))).toEqual(['type:Hello', 'type: wor', 'type:ld.']);
  });

  it('clipboard mode leaves the text on the clipboard and types nothing', async () => {
    const { keys, clipboard, inserter } = setup('clipboard');
    const outcome = await inserter.begin().finish('keep this');
    expect(outcome).toEqual({ delivered: 'clipboard', message: null });
    expect(clipboard.content).toBe('keep this');
    expect(keys.calls).toEqual([]);
  });

  it('missing tools fall back to the clipboard and say why', async () => {
    const { clipboard, inserter } = setup('paste', false);
    const outcome = await inserter.begin().finish('fallback');
    expect(outcome.delivered).toBe('clipboard');
    expect(outcome.message).toMatch(/needs xdotool.*on the clipboard/);
    expect(clipboard.content).toBe('fallback');
  });

  it('a typing failure leaves the whole text on the clipboard', async () => {
    const { keys, clipboard, inserter } = setup('type');
    keys.failTypingAfter = 3;
    const session = inserter.begin();
    session.partial('abc');
    session.partial('abcdef');
    const outcome = await session.finish('abcdef');
    expect(outcome.delivered).toBe('clipboard');
    expect(outcome.message).toMatch(/Typing stopped after 3 characters/);
    expect(clipboard.content).toBe('abcdef');
  });

  it('a paste that fails leaves the text on the clipboard', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    keys.sendPaste = async () => { throw new Error('xdotool is not installed'); };
    const outcome = await inserter.begin().finish('safe');
    expect(outcome.message).toMatch(/Paste failed \(xdotool is not installed\)/);
    expect(clipboard.content).toBe('safe');
  });

  it('empty text inserts nothing', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    expect(await inserter.begin().finish('   ')).toEqual({ delivered: 'none', message: null });
    expect(keys.calls).toEqual([]);
    expect(clipboard.log).toEqual([]);
  });
});

describe('per-app modes', () => {
  function perApp(fallback: InsertionMode, rules: AppInsertionRule[], focused: FocusedApp | null | Error) {
    const { keys, clipboard } = setup(fallback);
    const asked: string[] = [];
    const seen: string[] = [];
    (keys as FakeKeys & { focusedApp(): Promise<FocusedApp | null> }).focusedApp = async () => {
      asked.push('focusedApp');
      if (focused instanceof Error) throw focused;
      return focused;
    };
    const platform: PlatformInsertion = { available: true, keys, clipboard: lent(clipboard), description: 'fake' };
    const inserter = new Inserter({ platform: () => platform, mode: () => fallback, appRules: () => rules, onFocusedApp: (app) => seen.push(app.name) });
    return { keys, clipboard, inserter, asked, seen };
  }
  const slack: FocusedApp = { name: 'Slack', names: ['slack', 'Slack'] };

  it('the focused app’s rule picks the mode (any case); other apps get the default', async () => {
    const typed = perApp('paste', [{ app: 'SLACK', mode: 'type' }], slack);
    const session = typed.inserter.begin();
    session.partial(' Hi');
    expect(await session.finish(' Hi there')).toEqual({ delivered: 'typed', message: null });
    expect(typed.keys.calls.filter((c) => c.startsWith('type:'))).toEqual(['type:Hi', 'type: there']);
    expect(typed.seen).toEqual(['Slack']);

    const kept = perApp('paste', [{ app: 'slack', mode: 'clipboard' }], slack);
    expect(await kept.inserter.begin().finish('for later')).toEqual({ delivered: 'clipboard', message: null });
    expect(kept.clipboard.content).toBe('for later');
    expect(kept.keys.calls.filter((c) => c.startsWith('paste'))).toEqual([]);

    const other = perApp('paste', [{ app: 'slack', mode: 'clipboard' }], { name: 'firefox', names: ['Navigator', 'firefox'] });
    expect(await other.inserter.begin().finish('pasted')).toEqual({ delivered: 'pasted', message: null });
  });

  it('an app that cannot be told, or a failed lookup, gets the default; without rules the text never waits for the lookup', async () => {
    expect(await perApp('paste', [{ app: 'slack', mode: 'clipboard' }], null).inserter.begin().finish('x')).toMatchObject({ delivered: 'pasted' });
    expect(await perApp('paste', [{ app: 'slack', mode: 'clipboard' }], new Error('xprop died')).inserter.begin().finish('x')).toMatchObject({ delivered: 'pasted' });
    const none = perApp('type', [], slack);
    const session = none.inserter.begin();
    session.partial('Hello');
    await session.finish('Hello');
    expect(none.asked).toEqual(['focusedApp']); // asked for Settings' recent apps only
    expect(none.seen).toEqual(['Slack']);
    expect(none.keys.text).toBe('Hello');
    const costly = perApp('paste', [], slack);
    (costly.keys as FakeKeys & { focusedAppCostly?: boolean }).focusedAppCostly = true;
    await costly.inserter.begin().finish('x');
    expect(costly.asked).toEqual([]); // not for a list, where asking starts PowerShell
  });

  it('rules are edited one per app: replaced by name in any case, bounded, named', () => {
    let rules = withAppRule([], ' firefox ', 'type') as AppInsertionRule[];
    expect(rules).toEqual([{ app: 'firefox', mode: 'type' }]);
    rules = withAppRule(rules, 'Code', 'paste') as AppInsertionRule[];
    rules = withAppRule(rules, 'FIREFOX', 'clipboard') as AppInsertionRule[];
    expect(rules).toEqual([{ app: 'FIREFOX', mode: 'clipboard' }, { app: 'Code', mode: 'paste' }]);
    expect(withAppRule(rules, '   ', 'type')).toMatch(/Name the app/);
    const full = Array.from({ length: 100 }, (_, i) => ({ app: `app${i}`, mode: 'paste' as const }));
    expect(withAppRule(full, 'one more', 'type')).toMatch(/At most 100/);
    expect(withAppRule(full, 'APP7', 'type')).toHaveLength(100);
    expect(canonicalAppName('  Slack ')).toBe('slack');
    expect(modeForApp(slack, rules)).toBeNull();
    expect(modeForApp({ name: 'Code', names: ['code', 'Code'] }, rules)).toBe('paste');
  });
});

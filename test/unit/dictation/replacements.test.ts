// The streaming replacer: the same result however the transcript arrives (whole, by character, by
// token-sized pieces), output that only grows, and text held only while a rule may still match.

import { describe, expect, it } from 'vitest';
import { MAX_REPLACEMENT_RULES, type ReplacementRule } from '../../../electron/common/ipc-contract';
import { withRule, writtenForDisplay, writtenFromInput } from '../../../electron/common/replacement-rules';
import { StreamingReplacer } from '../../../electron/core/dictation/replacements';

const rules: ReplacementRule[] = [
  { spoken: 'new paragraph', written: '\n\n' },
  { spoken: 'new line', written: '\n' },
  { spoken: 'voxtral', written: 'Voxtral' },
  { spoken: 'um', written: '' },
  { spoken: 'full  stop', written: '.' },
];

/** Feeds `text` in pieces of `size` characters; checks that output only grows; returns it. */
function streamed(text: string, size: number, ruleSet = rules): string {
  const r = new StreamingReplacer(ruleSet);
  let out = '';
  for (let at = 0; at < text.length; at += size) {
    out += r.push(text.slice(at, at + size));
    expect(r.output).toBe(out);
  }
  out += r.finish();
  expect(r.output).toBe(out);
  return out;
}

const cases: [string, string][] = [
  ['I like voxtral a lot', 'I like Voxtral a lot'],
  ['VOXTRAL is here', 'Voxtral is here'],
  ['voxtrals and voxtralish stay', 'voxtrals and voxtralish stay'],
  ['first new paragraph second', 'first \n\n second'],
  ['a new line b', 'a \n b'],
  ['a new lines b', 'a new lines b'],
  ['something new', 'something new'],
  ['I um like it', 'I like it'],
  ['um hello', 'hello'],
  ['humble umbrella', 'humble umbrella'],
  ['done full stop', 'done .'],
  ['done full   stop now', 'done . now'],
  ['say voxtral.', 'say Voxtral.'],
  ['café voxtral', 'café Voxtral'],
  ['éum', 'éum'],
];

describe('StreamingReplacer', () => {
  it.each(cases)('%j → %j, whole or in pieces of any size', (input, expected) => {
    for (const size of [1, 2, 3, 5, input.length]) expect(streamed(input, size)).toBe(expected);
  });

  it('with no rules passes text through as it comes, holding nothing', () => {
    const r = new StreamingReplacer([]);
    expect(r.push('Hello wor')).toBe('Hello wor');
    expect(r.push('ld')).toBe('ld');
    expect(r.finish()).toBe('');
  });

  it('holds only a tail that may still become a rule, and lets it go once it cannot', () => {
    const r = new StreamingReplacer(rules);
    expect(r.push('say ne')).toBe('say '); // "ne" may become "new line"
    expect(r.push('w ')).toBe(''); // still may
    expect(r.push('b')).toBe('new b'); // no rule says "new b"
    expect(r.push('ook vox')).toBe('ook ');
    expect(r.finish()).toBe('vox'); // the end decides: no rule matched
  });

  it('prefers the longest spoken form, waiting for it where it is still possible', () => {
    const overlapping: ReplacementRule[] = [{ spoken: 'new', written: 'NEW' }, { spoken: 'new york', written: 'NYC' }];
    expect(streamed('in new york now', 1, overlapping)).toBe('in NYC now');
    expect(streamed('a new car', 1, overlapping)).toBe('a NEW car');
    expect(streamed('brand new', 1, overlapping)).toBe('brand NEW');
  });

  it('ignores rules whose spoken form is blank', () => {
    const r = new StreamingReplacer([{ spoken: '   ', written: 'x' }]);
    expect(r.push('a   b')).toBe('a   b');
  });
});

describe('editing the rules', () => {
  it('adds a tidied rule, replaces one with the same spoken form, and refuses what cannot be saved', () => {
    const one = withRule([], '  Vox   tral ', 'Voxtral');
    expect(one).toEqual([{ spoken: 'Vox tral', written: 'Voxtral' }]);
    expect(withRule(one as ReplacementRule[], 'vox TRAL', 'VT')).toEqual([{ spoken: 'vox TRAL', written: 'VT' }]);
    expect(withRule([], ' \t ', 'x')).toBe('Say which words to replace.');
    expect(withRule([], 'a'.repeat(201), 'x')).toMatch(/too long/);
    expect(withRule([], 'a', 'x'.repeat(2001))).toMatch(/too long/);
    const full = Array.from({ length: MAX_REPLACEMENT_RULES }, (_, i) => ({ spoken: `w${i}`, written: '' }));
    expect(withRule(full, 'one more', '')).toMatch(/at most 500/);
    expect((withRule(full, 'W7', 'seven') as ReplacementRule[]).length).toBe(MAX_REPLACEMENT_RULES);
  });

  it('writes line breaks as \\n on one line and back', () => {
    expect(writtenFromInput('a\\n\\nb')).toBe('a\n\nb');
    expect(writtenForDisplay('a\n\nb')).toBe('a\\n\\nb');
  });
});

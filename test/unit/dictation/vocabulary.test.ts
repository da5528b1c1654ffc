// The user's words: written as listed where a heard word is the same in another case, a plural of
// one, or a near miss that sounds the same; never where an ordinary word only looks alike. Then
// the streaming replacer with words: the same text however it arrives, a word held only while it
// may still become a listed one, and replacements first.

import { describe, expect, it } from 'vitest';
import { MAX_VOCABULARY_WORDS } from '../../../electron/common/ipc-contract';
import { isVocabularyWord, withWords } from '../../../electron/common/replacement-rules';
import { applyToWords, StreamingReplacer } from '../../../electron/core/dictation/replacements';
import { compileVocabulary, lessonsFromEdit, spellAsListed } from '../../../electron/common/vocabulary';

const terms = compileVocabulary(['Voxtral', 'Kubernetes', 'GitHub', 'iPhone', 'Claude', 'PyTorch', 'Zod', 'Mistral']);
const spell = (heard: string) => spellAsListed(heard, terms);

describe('spellAsListed', () => {
  it('writes a listed word in its own case', () => {
    expect(spell('github')).toBe('GitHub');
    expect(spell('GITHUB')).toBe('GitHub');
    expect(spell('pytorch')).toBe('PyTorch');
    expect(spell('zod')).toBe('Zod'); // short words: the same word only
    expect(spell('GitHub')).toBeNull(); // already so
  });

  it('keeps a plural ending, in the listed word\'s case', () => {
    expect(spell('iphones')).toBe('iPhones');
    expect(spell('IPHONES')).toBe('iPhones');
    expect(spell('githubs')).toBe('GitHubs');
  });

  it('corrects near misses that sound the same: a vowel for a vowel, a sound-alike consonant, a vowel or doubled letter more or less', () => {
    expect(spell('voxtrel')).toBe('Voxtral');
    expect(spell('Voxtrall')).toBe('Voxtral');
    expect(spell('kubernetis')).toBe('Kubernetes');
    expect(spell('kubernetties')).toBe('Kubernetes'); // 2 edits from 9 letters: a doubled t, ie for e
    expect(spell('claud')).toBe('Claude'); // a final vowel missed
    expect(spell('mistrel')).toBe('Mistral');
  });

  it('leaves ordinary words that only look alike', () => {
    expect(spell('clause')).toBeNull(); // s and d sound apart
    expect(spell('claws')).toBeNull();
    expect(spell('boxtral')).toBeNull(); // another first letter
    expect(spell('voxtrap')).toBeNull(); // l and p sound apart
    expect(spell('kubernetesian')).toBeNull(); // too many letters more
    expect(spell('zed')).toBeNull(); // short listed words never take near misses
    expect(spell('the')).toBeNull();
    expect(spell('')).toBeNull();
    expect(spellAsListed('github', [])).toBeNull();
  });

  it('compiles one term per word, any case, skipping what is not one word', () => {
    expect(compileVocabulary(['GitHub', 'github', ' Voxtral ', 'two words', 'C++', '']).map((t) => t.word)).toEqual(['GitHub', 'Voxtral']);
  });
});

describe('the streaming replacer with words', () => {
  const streamed = (text: string, size: number, words: string[], rules = [] as { spoken: string; written: string }[]) => {
    const r = new StreamingReplacer(rules, words);
    let out = '';
    for (let at = 0; at < text.length; at += size) {
      out += r.push(text.slice(at, at + size));
      expect(r.output).toBe(out);
    }
    return out + r.finish();
  };

  it('gives the same text whole, by character and by token-sized pieces', () => {
    const text = 'I pushed the voxtrel fork to github, then iphones, kubernetis and a clause.';
    const want = 'I pushed the Voxtral fork to GitHub, then iPhones, Kubernetes and a clause.';
    for (const size of [1, 2, 3, 5, 7, text.length]) expect(streamed(text, size, ['Voxtral', 'GitHub', 'iPhone', 'Kubernetes'])).toBe(want);
  });

  it('holds a word only while it may still become a listed one', () => {
    const r = new StreamingReplacer([], ['GitHub']);
    expect(r.push('I use git')).toBe('I use ');
    expect(r.held).toBe(3);
    expect(r.push('hub')).toBe('');
    expect(r.push(' daily')).toBe('GitHub daily'); // "daily" cannot become GitHub: not held
    expect(r.held).toBe(0);
    expect(r.push(' gi')).toBe(' ');
    expect(r.finish()).toBe('gi');
  });

  it('applies replacements first, then words; with neither nothing is held', () => {
    expect(streamed('voxtral and voxtrel', 2, ['Voxtral'], [{ spoken: 'voxtral', written: 'VX' }])).toBe('VX and Voxtral');
    const r = new StreamingReplacer([], []);
    expect(r.push('git')).toBe('git');
  });

  it('times a file\'s words one for one', () => {
    const words = [{ text: 'on', startMs: 0, endMs: 100 }, { text: 'github', startMs: 100, endMs: 400 }, { text: 'today', startMs: 400, endMs: 700 }];
    expect(applyToWords(words, [], ['GitHub'])).toEqual([{ text: 'on', startMs: 0, endMs: 100 }, { text: 'GitHub', startMs: 100, endMs: 400 }, { text: 'today', startMs: 400, endMs: 700 }]);
  });
});

describe('editing the word list', () => {
  it('adds words separated by commas or spaces, a word again in another case taking its place', () => {
    expect(withWords([], 'Voxtral, Kubernetes  GitHub')).toEqual(['Voxtral', 'Kubernetes', 'GitHub']);
    expect(withWords(['github', 'Zod'], 'GitHub')).toEqual(['Zod', 'GitHub']);
  });

  it('says why a word cannot be added', () => {
    expect(withWords([], '  ')).toBe('Type a word to add.');
    expect(withWords([], 'C++')).toMatch(/^"C\+\+" is not one word of letters and digits/);
    expect(withWords([], 'x'.repeat(61))).toMatch(/too long/);
    expect(withWords(Array.from({ length: MAX_VOCABULARY_WORDS }, (_, i) => `w${i}`), 'more')).toBe(`There can be at most ${MAX_VOCABULARY_WORDS} words.`);
    expect(isVocabularyWord('Ünïcödé')).toBe(true);
  });
});

describe('what a correction teaches', () => {
  const learned = (before: string, after: string, listed: string[] = []) => lessonsFromEdit(before, after, { rules: [], words: listed }).words;
  const phrases = (before: string, after: string, rules = [] as { spoken: string; written: string }[]) => lessonsFromEdit(before, after, { rules }).replacements;

  it('offers the words the user changed into what listing them would have written', () => {
    expect(learned('I pushed it to github today', 'I pushed it to GitHub today')).toEqual(['GitHub']);
    expect(learned('the voxtrel model and kubernetis', 'the Voxtral model and Kubernetes')).toEqual(['Voxtral', 'Kubernetes']);
    expect(learned('I met paris there', 'I met Paris there')).toEqual(['Paris']); // a name mid-sentence
    expect(learned('github and github', 'GitHub and GitHub')).toEqual(['GitHub']); // once
    expect(learned('the voxtrel fork', 'The Voxtral fork')).toEqual(['Voxtral']); // changed side by side, the sentence's capital left
    // A long transcribed file with one word fixed: only the words between the unchanged start and end are compared.
    const filler = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    expect(learned(`${filler} on github ${filler}`, `${filler} on GitHub ${filler}`)).toEqual(['GitHub']);
  });

  it('leaves grammar, rewrites and words already listed', () => {
    expect(learned('the cat sat. the dog ran', 'The cat sat. The dog ran')).toEqual([]); // sentence starts
    expect(learned('I like cats', 'I like dogs')).toEqual([]);
    expect(learned('at the bark', 'at the park')).toEqual([]); // short: not a near miss
    expect(learned('on github', 'on GitHub', ['github'])).toEqual([]);
    expect(learned('same text', 'same text')).toEqual([]);
    expect(learned('', 'GitHub')).toEqual([]);
  });

  it('offers a run of 2 or 3 words joined into one that sounds like them as a replacement', () => {
    expect(phrases('I use vox troll daily', 'I use Voxtral daily')).toEqual([{ spoken: 'vox troll', written: 'Voxtral' }]);
    expect(phrases('push it to git hub now', 'push it to GitHub now')).toEqual([{ spoken: 'git hub', written: 'GitHub' }]);
    expect(lessonsFromEdit('I use vox troll daily', 'I use Voxtral daily', { rules: [] }).words).toEqual([]);
  });

  it('leaves phrases rewritten into another word, runs too long, and phrases already replaced', () => {
    expect(phrases('I think so', 'Maybe so')).toEqual([]);
    expect(phrases('we went to the big city', 'we went to Boston')).toEqual([]); // 4 words for 1: a rewrite
    expect(phrases('in the morning', 'in Manchester')).toEqual([]); // sounds nothing alike
    expect(phrases('I use vox troll daily', 'I use Voxtral daily', [{ spoken: 'Vox  Troll', written: 'VX' }])).toEqual([]);
  });
});

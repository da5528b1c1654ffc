/** Load tekken.json from disk; unreadable or malformed files become ModelFormatError. */
import { readFileSync } from 'node:fs';
import { fail } from '../format/errors.js';
import { loadTekken, type Tekken } from './tekken.js';

export function loadTekkenFile(path: string): Tekken {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`tekken.json: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(`tekken.json: ${path} is not valid JSON (${(err as Error).message})`);
  }
  return loadTekken(json);
}

// The embedded demo model: a small Voxtral-Realtime-architecture model trained on synthetic
// espeak-ng speech (native-models/train/, docs/training.md), shipped so a fresh install dictates
// out of the box. It is used whenever the user has chosen no model of their own.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../common/ipc-contract';
import { findBundledFile, type BundledSearch } from '../app/bundled-file';

export const DEMO_MODEL_DIR = path.join('native-models', 'models', 'demo');

export const DEMO_MODEL_NOTICE =
  'Using the built-in demo model: a small model (8.6 M parameters) trained only on synthetic ' +
  'espeak-ng voices, so it understands synthetic-sounding English and little else. For real ' +
  'dictation, choose a Voxtral model in Settings, or make one there (Make a model) from Mistral\'s ' +
  'Voxtral Mini 4B Realtime checkpoint.';

/** The model files the engine should load. */
export interface ModelFiles {
  pte: string;
  ptd: string | null;
  /** True when this is the embedded demo model (no model chosen). */
  demo: boolean;
}

/** The demo model's files, or null when this install has none. */
export function findDemoModel(search?: BundledSearch): ModelFiles | null {
  const pte = findBundledFile(path.join(DEMO_MODEL_DIR, 'model.pte'), search);
  if (!pte) return null;
  const ptd = path.join(path.dirname(pte), 'model.ptd');
  return existsSync(ptd) ? { pte, ptd, demo: true } : null;
}

/** The user's chosen model, else the demo model, else null. */
export function effectiveModel(chosen: Settings['model'], demo: () => ModelFiles | null = findDemoModel): ModelFiles | null {
  if (chosen.pte) return { pte: chosen.pte, ptd: chosen.ptd, demo: false };
  return demo();
}

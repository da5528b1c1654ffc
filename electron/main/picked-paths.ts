// Which file paths a page may make main open: only ones the user picked in the system dialog
// (during this run, or earlier and saved as the model in settings). A compromised page cannot
// point the core at arbitrary files, because every path it sends must have come from the dialog.

import type { CallName, Result } from '../common/ipc-contract';

const UNPICKED: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'Choose the file with Browse…: the app only opens files picked in the file dialog.' },
};

const asString = (v: unknown): string[] => (typeof v === 'string' ? [v] : []);
const field = (v: unknown, key: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);

/** The file paths a call would make main open. */
export function pathsIn(name: CallName, request: unknown): string[] {
  switch (name) {
    case 'transcribeFile': return asString(field(request, 'path'));
    case 'inspectModel': return [...asString(field(request, 'pte')), ...asString(field(request, 'ptd'))];
    case 'updateSettings': {
      const model = field(request, 'model');
      return [...asString(field(model, 'pte')), ...asString(field(model, 'ptd'))];
    }
    default: return [];
  }
}

export class PickedPaths {
  private readonly picked = new Set<string>();

  /** `saved` = the model paths in settings now (picked in an earlier run). */
  constructor(private readonly saved: () => readonly (string | null)[]) {}

  /** Records what chooseFile answered. */
  remember(name: CallName, result: Result<unknown>): void {
    if (name !== 'chooseFile' || !result.ok) return;
    const chosen = field(result.value, 'path');
    if (typeof chosen === 'string') this.picked.add(chosen);
  }

  /** null when every path in the request was picked, else the refusal to answer with. */
  refusal(name: CallName, request: unknown): Result<never> | null {
    const saved = this.saved();
    const ok = pathsIn(name, request).every((p) => this.picked.has(p) || saved.includes(p));
    return ok ? null : UNPICKED;
  }
}

// Per-app insertion modes (Settings → Text insertion → Per app): the rule naming the focused app
// decides how a dictation's text reaches it; other apps get the default mode. Names match
// case-insensitively, whole (X11 window class or instance, macOS app name or bundle id, Windows
// process name).

import { canonicalAppName } from '../../common/app-insertion-rules';
import type { AppInsertionRule, InsertionMode } from '../../common/ipc-contract';
import type { FocusedApp } from './types';

export function modeForApp(app: FocusedApp | null, rules: readonly AppInsertionRule[]): InsertionMode | null {
  if (!app) return null;
  const names = new Set(app.names.map(canonicalAppName));
  return rules.find((rule) => names.has(canonicalAppName(rule.app)))?.mode ?? null;
}

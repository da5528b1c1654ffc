// Per-app insertion rules as Settings edits them and the inserter matches them: one rule per app,
// named in any case as the system knows it (X11 window class "firefox", macOS app "Slack" or its
// bundle id, Windows process "slack").

import { MAX_APP_NAME_CHARS, MAX_APP_RULES, type AppInsertionRule, type InsertionMode } from './ipc-contract';

export function canonicalAppName(name: string): string {
  return name.trim().toLowerCase();
}

/** `rules` with `app` set to `mode` (replacing its rule, else added last), or why not. */
export function withAppRule(rules: readonly AppInsertionRule[], app: string, mode: InsertionMode): AppInsertionRule[] | string {
  const name = app.trim();
  if (name === '') return 'Name the app (its window class, e.g. firefox).';
  if (name.length > MAX_APP_NAME_CHARS) return `An app name has at most ${MAX_APP_NAME_CHARS} characters.`;
  const key = canonicalAppName(name);
  const at = rules.findIndex((rule) => canonicalAppName(rule.app) === key);
  if (at >= 0) return rules.map((rule, i) => (i === at ? { app: name, mode } : rule));
  if (rules.length >= MAX_APP_RULES) return `At most ${MAX_APP_RULES} apps have their own mode.`;
  return [...rules, { app: name, mode }];
}

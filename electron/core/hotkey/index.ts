export { parseAccelerator, toElectronAccelerator, describeBinding, hotkeyConflicts, hotkeyLabels, type HotkeyBinding, type Modifier } from './accelerator';
export { HotkeyMatcher, type RawKeyEvent } from './matcher';
export { ModifierTracker } from './modifier-tracker';
export { KeystrokeAuditor } from './keystroke-audit';
export { probeHook, hookPreconditions, resolveHookModule, type ProbeResult } from './hook-probe';
export { loadUiohook, type KeyHook } from './uiohook-source';
export { InputActivityTracker, OWN_INPUT_SETTLE_MS, type InputActivity } from './input-activity';
export { HotkeyService, type GlobalShortcutLike, type HotkeyHandlers, type HotkeyStatus, type PasteLastStatus } from './hotkey-service';
export { PortalShortcuts, portalTrigger, type PortalBindResult, type PortalShortcutsLike } from './portal-shortcuts';

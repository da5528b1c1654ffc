// Escape anywhere in the window while `enabled`, unless a form field or an open dialog takes it
// (a text field's Escape reverts its draft, a dialog's closes it).

import { useEffect, useRef } from 'react';

export function useEscape(enabled: boolean, onEscape: () => void): void {
  const handler = useRef(onEscape);
  handler.current = onEscape;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.repeat || e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return;
      const target = e.target instanceof Element ? e.target : null; // the window itself when nothing has focus
      if (target?.closest('input, textarea, select, [contenteditable="true"], dialog[open]')) return;
      e.preventDefault();
      handler.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

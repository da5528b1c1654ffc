// Recording a shortcut by pressing it (renderer/src/components/shortcut-keys.ts): what each press
// becomes, and that the core's parser reads it back as the same binding.
import { describe, expect, it } from 'vitest';
import { parseAccelerator } from '../../../electron/core/hotkey/accelerator';
import { acceleratorOf, ALONE_MODIFIERS, keyName } from '../../../renderer/src/components/shortcut-keys';

const press = (code: string, ...mods: ('ctrl' | 'alt' | 'shift' | 'meta')[]) =>
  ({ code, ctrlKey: mods.includes('ctrl'), altKey: mods.includes('alt'), shiftKey: mods.includes('shift'), metaKey: mods.includes('meta') });

describe('recording a shortcut', () => {
  it('names keys by their place: letters, digits, F-keys, named keys; none for modifiers', () => {
    expect(['KeyD', 'Digit7', 'F9', 'F24', 'Space', 'ArrowLeft', 'Semicolon', 'Backquote'].map(keyName)).toEqual(['D', '7', 'F9', 'F24', 'Space', 'Left', ';', '`']);
    expect(['ControlLeft', 'ShiftRight', 'MetaLeft', 'AltRight', 'F25', 'NumpadEnter'].map(keyName)).toEqual([null, null, null, null, null, null]);
  });

  it('writes a key with its modifiers in the order the parser reads, and the parser agrees', () => {
    const cases: [ReturnType<typeof press>, string][] = [
      [press('Space', 'ctrl', 'shift'), 'Ctrl+Shift+Space'],
      [press('F9'), 'F9'],
      [press('KeyD', 'meta', 'alt'), 'Alt+Super+D'],
      [press('Semicolon', 'ctrl'), 'Ctrl+;'],
    ];
    for (const [p, accel] of cases) {
      expect(acceleratorOf(p)).toBe(accel);
      expect(parseAccelerator(accel, 'linux').ok, accel).toBe(true);
    }
    expect(acceleratorOf(press('ControlLeft', 'ctrl'))).toBeNull(); // still waiting for the key
  });

  it('names the right-hand modifiers alone as the parser takes them', () => {
    for (const name of Object.values(ALONE_MODIFIERS)) {
      const parsed = parseAccelerator(name, 'linux');
      expect(parsed.ok && parsed.binding.modifierOnly, name).toBe(true);
    }
  });
});

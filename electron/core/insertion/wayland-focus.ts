// Which app has focus on Wayland, where the protocol tells no other client: asked of the
// compositors that answer through their own IPC, sway (swaymsg, $SWAYSOCK) and Hyprland (hyprctl,
// $HYPRLAND_INSTANCE_SIGNATURE). It lets a terminal get Ctrl+Shift+V and per-app modes work
// there; GNOME and KDE have no such query for ordinary clients, so there it is null.

import type { CommandRunner } from './command-runner';
import type { FocusedApp } from './types';

export type WaylandFocusLookup = () => Promise<FocusedApp | null>;

/** The lookup this session's compositor answers, or null. */
export function waylandFocusLookup(runner: CommandRunner, env: NodeJS.ProcessEnv): WaylandFocusLookup | null {
  if (env.SWAYSOCK && runner.has('swaymsg')) return () => swayFocused(runner);
  if (env.HYPRLAND_INSTANCE_SIGNATURE && runner.has('hyprctl')) return () => hyprlandFocused(runner);
  return null;
}

interface SwayNode {
  focused?: boolean;
  app_id?: string | null;
  window_properties?: { class?: string; instance?: string };
  nodes?: SwayNode[];
  floating_nodes?: SwayNode[];
}

async function swayFocused(runner: CommandRunner): Promise<FocusedApp | null> {
  const r = await runner.run('swaymsg', ['-t', 'get_tree', '-r'], { timeoutMs: 1500 });
  if (r.code !== 0) return null;
  const focused = findFocused(JSON.parse(r.stdout.toString('utf8')) as SwayNode);
  // Native clients have an app id; XWayland ones a WM_CLASS, as on X11.
  return focused ? appOf([focused.app_id, focused.window_properties?.instance, focused.window_properties?.class]) : null;
}

function findFocused(node: SwayNode): SwayNode | null {
  if (node.focused) return node;
  for (const child of [...(node.nodes ?? []), ...(node.floating_nodes ?? [])]) {
    const found = findFocused(child);
    if (found) return found;
  }
  return null;
}

async function hyprlandFocused(runner: CommandRunner): Promise<FocusedApp | null> {
  const r = await runner.run('hyprctl', ['activewindow', '-j'], { timeoutMs: 1500 });
  if (r.code !== 0) return null;
  const window = JSON.parse(r.stdout.toString('utf8') || '{}') as { class?: string; initialClass?: string };
  return appOf([window.class, window.initialClass]);
}

function appOf(candidates: (string | null | undefined)[]): FocusedApp | null {
  const names = [...new Set(candidates.filter((n): n is string => typeof n === 'string' && n.trim() !== ''))];
  return names.length > 0 ? { name: names[0], names } : null;
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartEntry, autostartFile, quoteExecArgument, setLinuxAutostart } from '../../../electron/core/app/linux-autostart';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

describe('Linux autostart entry', () => {
  it('is written when enabled and removed when disabled, idempotently', async () => {
    const file = autostartFile(await tempDir());
    const command = { exec: '/opt/Voxtral Dictate/voxtral-dictate', args: [] };
    await setLinuxAutostart(true, command, file);
    await setLinuxAutostart(true, command, file);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/Voxtral Dictate/voxtral-dictate"\n');
    expect(path.basename(path.dirname(file))).toBe('autostart');
    await setLinuxAutostart(false, command, file);
    await setLinuxAutostart(false, command, file);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('quotes Exec arguments as the Desktop Entry spec requires', () => {
    expect(quoteExecArgument('/usr/bin/electron')).toBe('/usr/bin/electron');
    expect(quoteExecArgument('/home/me/my app')).toBe('"/home/me/my app"');
    expect(quoteExecArgument('a"b$c`d\\e')).toBe('"a\\"b\\$c\\`d\\\\e"');
    expect(quoteExecArgument('100%')).toBe('100%%');
    expect(autostartEntry({ exec: '/usr/bin/electron', args: ['/src/voxtral dictate'] })).toContain('Exec=/usr/bin/electron "/src/voxtral dictate"\n');
  });
});

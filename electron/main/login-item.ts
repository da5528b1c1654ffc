// Applies the "start at login" setting to the operating system.

import { app } from 'electron';
import { setLinuxAutostart } from '../core/app/linux-autostart';

export async function applyStartAtLogin(enabled: boolean): Promise<void> {
  if (process.platform === 'linux') {
    // Unpackaged (`electron .`), the executable needs the app folder as its argument.
    const args = app.isPackaged ? [] : [app.getAppPath()];
    await setLinuxAutostart(enabled, { exec: process.execPath, args });
  } else {
    app.setLoginItemSettings({ openAtLogin: enabled });
  }
}

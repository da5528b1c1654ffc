// Electron fuses: switches compiled into the Electron binary that electron-builder flips at
// packaging time (afterPack in build/electron-builder.config.ts), so a shipped app cannot be turned
// into a general-purpose Node or debugger host, nor load code from outside its asar.
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

/** Platform names as electron-builder's afterPack context gives them. */
export type ElectronPlatformName = 'linux' | 'darwin' | 'win32' | 'mas';

export function fusesFor(platform: ElectronPlatformName | string): FuseV1Config {
  const macOrWindows = platform === 'darwin' || platform === 'mas' || platform === 'win32';
  return {
    version: FuseVersion.V1,
    // Linux keeps it for the `voxtral` CLI launcher (build/linux/voxtral). On macOS it would let any
    // program run code under the app's microphone and Accessibility grants; Windows has no launcher.
    [FuseV1Options.RunAsNode]: platform === 'linux',
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // Pages load from the app:// protocol (electron/main/app-protocol.ts), never file://.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    // Electron validates the asar against the hash electron-builder embeds, on macOS and Windows only.
    ...(macOrWindows ? { [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true } : {}),
  };
}

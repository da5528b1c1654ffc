// electron-builder configuration for every installer (package.json "build" extends this file).
// How each installer is built, and what was verified offline: docs/packaging.md.
import type { Configuration } from 'electron-builder';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESSIBILITY_USAGE, APPLE_EVENTS_USAGE, MICROPHONE_USAGE } from './first-run';
import { fusesFor } from './fuses';

/** Where cmake-js puts the engine: the addon plus any backend libraries built beside it (CUDA). */
export const NATIVE_ENGINE_DIR = 'native-models/build/Release';

/** The Linux desktop entry's file name; also the app's desktopName (see extraMetadata). */
export const LINUX_DESKTOP_FILE = 'voxtral-dictate.desktop';

/** AppStream metadata for Linux software centres (build/linux/), installed by the .deb. */
export const APPSTREAM_METAINFO = 'io.github.voxtral-dictate.metainfo.xml';
const buildDir = path.dirname(fileURLToPath(import.meta.url));

/** The voice-activity model shipped with the app (small, MIT): the speech model is not. */
export const VAD_MODEL_DIR = 'native-models/vad';

/** The embedded demo speech model (~9.6 MB, trained on synthetic speech; docs/training.md): used
 * until the user chooses a real Voxtral model (electron/core/models/demo-model.ts finds it unpacked). */
export const DEMO_MODEL_DIR = 'native-models/models/demo';

/** Runtime dependencies compiled into the bundles, so the package needs no copy of them (the audio
 * decoders' WebAssembly is inlined in their JavaScript; opus-ml is left out, build/bundle.mjs; the
 * D-Bus library and the packages only it uses). */
export const BUNDLED_DEPENDENCIES = [
  'react', 'react-dom', 'scheduler', 'zustand',
  'mpg123-decoder', 'ogg-opus-decoder', 'opus-decoder', '@wasm-audio-decoders', 'codec-parser', 'simple-yenc', '@eshaz',
  '@homebridge/dbus-native', 'event-stream', 'hexy', 'long', 'xml2js', 'duplexer', 'from', 'map-stream', 'pause-stream', 'split',
  'stream-combiner', 'through',
];

/** Dependencies used only by onnxruntime-node's install script, which we skip (.npmrc). */
export const INSTALL_ONLY_DEPENDENCIES = ['adm-zip', 'global-agent'];

/** Everything the app loads at run time. Anything else (sources, tests, tools) stays out of the asar. */
const appFiles = [
  'package.json',
  'dist/main/**',
  'dist/preload/**',
  'dist/renderer/**',
  'dist/cli/**',
  '!**/*.map',
  `${NATIVE_ENGINE_DIR}/*.node`,
  // Backend libraries (e.g. the CUDA backend) ship only where they were built; the engine probes for
  // them at run time, so a CPU-only build simply has none.
  `${NATIVE_ENGINE_DIR}/*.{so,dylib,dll}`,
  `${NATIVE_ENGINE_DIR}/*.so.*`,
  // Linux: the paste offer helpers (native-models/desktop/), where libX11 / libwayland were found.
  `${NATIVE_ENGINE_DIR}/vxd-x11-offer`,
  `${NATIVE_ENGINE_DIR}/vxd-wl-offer`,
  // The Silero VAD model and its licence (electron/core/vad/model-path.ts looks for it unpacked).
  `${VAD_MODEL_DIR}/*.onnx`,
  `${VAD_MODEL_DIR}/LICENSE*`,
  `${DEMO_MODEL_DIR}/{model.pte,model.ptd,tekken.json}`,
  // Bundled into dist/ by Vite and esbuild (build/bundle.mjs keeps only native modules external).
  `!**/node_modules/{${BUNDLED_DEPENDENCIES.join(',')}}{,/**/*}`,
  `!**/node_modules/{${INSTALL_ONLY_DEPENDENCIES.join(',')}}{,/**/*}`,
  // Runtime dependencies carry sources and build files that nothing loads.
  '!**/node_modules/uiohook-napi/{libuiohook,src,binding.gyp}{,/**/*}',
  '!**/node_modules/onnxruntime-node/script{,/**/*}',
  // Only the target architecture's prebuilt binaries (platforms are filtered per OS below).
  '!**/node_modules/onnxruntime-node/bin/napi-v*/*/!(${arch}){,/**/*}',
  '!**/node_modules/uiohook-napi/prebuilds/*-!(${arch}){,/**/*}',
];

/** Native code cannot read inside an asar: addons, their shared libraries and model files the
 * native runtimes open by path live in app.asar.unpacked (Electron redirects require() there). */
const unpacked = [
  `${NATIVE_ENGINE_DIR}/**`,
  '**/*.node',
  '**/node_modules/onnxruntime-node/bin/**',
  '**/*.onnx',
  `${DEMO_MODEL_DIR}/**`,
  // A worker thread's script is opened by path (core/models/checkpoint-converter.ts: bundledPackRunner).
  'dist/main/pack-worker.cjs',
];

/** The app files for one OS: `appFiles` without the other operating systems' prebuilt binaries,
 * named by the folder names each package uses. */
export function filesFor(node: 'linux' | 'darwin' | 'win32'): string[] {
  const others = (['linux', 'darwin', 'win32'] as const).filter((p) => p !== node);
  return appFiles.concat(...others.map((p) => [
    `!**/node_modules/onnxruntime-node/bin/napi-v*/${p}{,/**/*}`,
    `!**/node_modules/uiohook-napi/prebuilds/${p}-*{,/**/*}`,
  ]));
}

const config: Configuration = {
  appId: 'io.github.voxtral-dictate',
  productName: 'Voxtral Dictate',
  copyright: 'Copyright © 2026 Voxtral Dictate contributors',
  directories: { buildResources: 'build', output: 'out/installers' },
  artifactName: '${name}-${version}-${os}-${arch}.${ext}',
  // Electron takes the Linux window's app_id / WM_CLASS from desktopName, so the desktop entry
  // (named after it, linux.syncDesktopName) and its StartupWMClass match the running window.
  extraMetadata: { desktopName: LINUX_DESKTOP_FILE },

  // Every native module is Node-API: the prebuilt binaries (ours from cmake-js, uiohook-napi's and
  // onnxruntime-node's) are valid for any Electron version, so nothing is rebuilt from source.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,

  // Per-platform fuses (build/fuses.ts), flipped before signing.
  afterPack: async (context) => {
    await context.packager.addElectronFuses(context, fusesFor(context.electronPlatformName));
  },

  asar: true,
  // `files` is given per platform (below), because electron-builder lets a platform's list replace
  // the top-level one rather than add to it.
  asarUnpack: unpacked,
  // Icons the main process uses at run time for windows and the tray (process.resourcesPath/icons).
  extraResources: [{ from: 'build/icons', to: 'icons', filter: ['*.png'] }],
  // The real Voxtral model is never bundled: it is several GB and the user picks or packs one on
  // first run (build/first-run.ts); until then the small demo model above is used.

  linux: {
    target: ['AppImage', 'deb', 'tar.gz'],
    // Lower-case, no space: the command name and the desktop entry's Exec on Linux. macOS and
    // Windows keep the product name ("Voxtral Dictate.app", "Voxtral Dictate.exe").
    executableName: 'voxtral-dictate',
    syncDesktopName: true,
    icon: 'build/icons',
    category: 'Utility',
    synopsis: 'Local, live dictation into any app',
    description: 'Hold a hotkey, speak, and your words appear in the focused app, transcribed live on this computer.',
    maintainer: 'Voxtral Dictate contributors <dev@voxtral-dictate.invalid>',
    desktop: {
      entry: {
        Name: 'Voxtral Dictate',
        GenericName: 'Dictation',
        Comment: 'Local, live dictation into any app',
        Keywords: 'dictation;speech;voice;transcription;',
        Categories: 'Utility;Accessibility;',
      },
    },
    files: filesFor('linux'),
    // `voxtral pack|inspect|transcribe` for installed users (first run's "pack a model" step).
    extraFiles: [{ from: 'build/linux/voxtral', to: 'voxtral' }],
  },
  deb: {
    // Paste/typing helpers are recommended, not required: the app falls back to what is present.
    depends: [
      'libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0',
      'libuuid1', 'libsecret-1-0', 'libasound2 | libasound2t64',
    ],
    recommends: ['xdotool', 'xclip', 'wl-clipboard'],
    priority: 'optional',
    // Extra files as fpm "source=destination" mappings (build/make-deb.mjs installs the same).
    fpm: [`${path.join(buildDir, 'linux', APPSTREAM_METAINFO)}=/usr/share/metainfo/${APPSTREAM_METAINFO}`],
  },

  win: {
    target: ['nsis'],
    icon: 'build/icon.ico',
    files: filesFor('win32'),
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    installerIcon: 'build/icon.ico',
    uninstallerIcon: 'build/icon.ico',
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Voxtral Dictate',
    // Models and history live in the user's data folder; uninstalling must not delete gigabytes
    // the user packed, nor their history, without asking.
    deleteAppDataOnUninstall: false,
  },

  mac: {
    target: ['dmg'],
    icon: 'build/icon.icns',
    category: 'public.app-category.productivity',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.inherit.plist',
    extendInfo: {
      // Without this key macOS kills the app at its first microphone access.
      NSMicrophoneUsageDescription: MICROPHONE_USAGE,
      NSAppleEventsUsageDescription: APPLE_EVENTS_USAGE,
      // Not read by macOS (Accessibility has no Info.plist key); kept here so the explanation the
      // app shows before opening the Accessibility pane travels with the bundle.
      VXDAccessibilityUsageDescription: ACCESSIBILITY_USAGE,
    },
    files: filesFor('darwin'),
  },
  dmg: {
    icon: 'build/icon.icns',
    contents: [
      { x: 130, y: 220 },
      { x: 410, y: 220, type: 'link', path: '/Applications' },
    ],
  },
};

export default config;

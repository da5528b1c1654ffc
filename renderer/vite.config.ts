// Builds the renderer into dist/renderer. Relative asset URLs (base './') work under app://voxtral/
// in Electron and under the browser harness alike.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The CSP forbids inline script; keep every module in a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'chrome130',
    // Two pages: the main window and the dictation overlay (renderer/overlay/).
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), overlay: fileURLToPath(new URL('overlay/index.html', import.meta.url)) } },
  },
});

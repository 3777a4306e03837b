// Builds the web app into dist/web, beside the server's build, so `npm start` and the package
// serve it (src/web-app). Assets get content hashes in their names and are cached for a year.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows scripts and styles from Tend's own origin only: no inline polyfill script.
    modulePreload: { polyfill: false },
    // Every asset a file of its own (an inlined data: font or image would still be allowed, but
    // files are cached once for every page).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:4318', '/1': 'http://127.0.0.1:4318' } },
});

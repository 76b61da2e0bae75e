import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The staff console, built to web/dist for `tocsin serve`. In development the Vite dev server
 * answers the pages and passes /api/ to a running `tocsin serve` (TOCSIN_URL, by default its
 * default listen address), so the session cookie is the dev server's own origin's.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every asset a file of its own: nothing inlined that the CSP would have to allow.
    assetsInlineLimit: 0,
    // The budget that matters is test/console-build.test.ts's, on what a page loads first.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': { target: process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});

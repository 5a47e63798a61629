// The agent console's build: `npm install` (scripts/build.js) writes it to dist/console, which the
// desk serves at / in every mode; a CDN can serve the same files. Vite 8 compiles TSX with oxc
// (the automatic JSX runtime), so no React plugin is needed for a production build.
import { defineConfig } from 'vite';
import { fileURLToPath, URL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  // The wire formats and constants shared with the server (plain TypeScript, no server code).
  resolve: { alias: { '@readerdesk/contracts': fileURLToPath(new URL('../../libs/contracts/src', import.meta.url)) } },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // React libraries mark their modules "use client"; that means nothing in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'http://localhost:3000', ws: true } } },
});

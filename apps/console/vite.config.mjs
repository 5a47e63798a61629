// The agent console's build: `npm install` (scripts/build.js) writes it to dist/console, which the
// desk serves at / in every mode; a CDN can serve the same files. Vite 8 compiles TSX with oxc
// (the automatic JSX runtime), so no React plugin is needed for a production build.
import { defineConfig } from 'vite';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Each script and style sheet also written compressed (.br, .gz), once at build time at the best
 * ratio, so the desk sends them small without compressing on every request (libs/platform's
 * serveConsole picks the variant the browser accepts). A dozen lines of zlib: no plugin needed.
 */
const precompress = () => ({
  name: 'readerdesk-precompress',
  writeBundle(options, bundle) {
    for (const name of Object.keys(bundle).filter((n) => /\.(js|css)$/.test(n))) {
      const file = join(options.dir, name);
      const bytes = readFileSync(file);
      writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    }
  },
});

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [precompress()],
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

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { swaggerDocs } from './plugins/swagger-docs';

// Where `sortie serve` finds the UI; the Makefile may point it elsewhere.
const outDir = process.env.SORTIE_WEB_OUT ?? '../build/web';
// The server `npm run dev` proxies /api to.
const server = process.env.SORTIE_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), swaggerDocs()],
  build: {
    outDir,
    emptyOutDir: true,
    // The server's CSP allows only same-origin scripts: no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/openapi.json': { target: server, changeOrigin: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});

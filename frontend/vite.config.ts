import type { ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// In development the API runs separately (`chatbot-agent serve`, http://localhost:8000) and the dev server proxies
// /graphql to it, so the browser sees one origin, as in production where the backend serves dist/ and /graphql.
const apiTarget = (process.env.API_URL ?? 'http://localhost:8000').replace(/\/$/, '');
const devPort = Number(process.env.DEV_PORT ?? 5173);
const devOrigins = new Set([`http://localhost:${devPort}`, `http://127.0.0.1:${devPort}`]);

// The API refuses cookie-carrying POSTs whose Origin it does not trust (CSRF). A request from this dev server's
// own pages is same-origin in spirit, so its Origin is presented as the API's; any other Origin passes unchanged
// and is refused by the API as it would be in production.
const graphqlProxy: ProxyOptions = {
  target: apiTarget,
  changeOrigin: false,
  configure(proxy) {
    proxy.on('proxyReq', (proxyReq) => {
      const origin = proxyReq.getHeader('origin');
      if (typeof origin === 'string' && devOrigins.has(origin)) proxyReq.setHeader('origin', apiTarget);
    });
  },
};

export default defineConfig({
  plugins: [react()],
  server: {
    port: devPort,
    strictPort: true,
    proxy: { '/graphql': graphqlProxy },
  },
  preview: {
    port: devPort,
    strictPort: true,
    proxy: { '/graphql': graphqlProxy },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    testTimeout: 30000, // jsdom + user-event on a loaded 2-core CI machine: 5 s was not enough
  },
});

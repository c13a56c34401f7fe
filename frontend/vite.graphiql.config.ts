import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// GraphiQL (development only), built from npm into dist/graphiql/ after the web app (whose build empties dist/).
// The service serves these files under /graphiql/ and writes the page at GET /graphql itself from the manifest
// (chatbot_agent/http/graphiql.py), so nothing is loaded from another origin. Monaco's workers are emitted as
// separate same-origin files (graphiql/setup-workers/vite), which CSP `script-src 'self'` allows.
export default defineConfig({
  root: 'graphiql',
  base: '/graphiql/',
  plugins: [react()],
  build: {
    outDir: '../dist/graphiql',
    emptyOutDir: true,
    sourcemap: false,
    manifest: true,
    // GraphiQL bundles Monaco and prettier: large by nature, and only ever loaded by developers.
    chunkSizeWarningLimit: 6000,
    rolldownOptions: {
      input: fileURLToPath(new URL('./graphiql/main.tsx', import.meta.url)),
      // GraphiQL's packages carry React Compiler's "use no memo" directives, which bundling drops harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});

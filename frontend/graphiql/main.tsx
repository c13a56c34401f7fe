// GraphiQL with the explorer plugin, bundled from npm and served by the service itself (see vite.graphiql.config.ts).
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './graphiql.css';

import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

const WELCOME = `# GraphiQL for the chatbot-agent auth API.
#
# It runs on the API's own origin and sends the session cookie, so after signUp or signIn, \`me\` answers with
# your user. The README's "Try it in GraphiQL" section has the whole flow. Run: Ctrl-Enter.

query { me { id firstName lastName email } }
`;

// Same origin, so the browser sends the session cookie and an Origin the CSRF check trusts. Plain JSON POSTs:
// the API serves no subscriptions and no incremental delivery.
const fetcher = createGraphiQLFetcher({
  url: new URL('/graphql', window.location.origin).toString(),
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
  enableIncrementalDelivery: false,
});

const plugins = [explorerPlugin()];

const root = document.getElementById('graphiql');
if (!root) throw new Error('#graphiql is missing from the page');
createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      defaultQuery={WELCOME}
      defaultEditorToolsVisibility
      isHeadersEditorEnabled
      inputValueDeprecation
    />
  </StrictMode>,
);

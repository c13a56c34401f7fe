import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a route change can take longer.
configure({ asyncUtilTimeout: 10_000 });

import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor: wait up to 5 s (default 1 s), as role queries slow down a lot on a loaded machine.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
});

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a route change can take longer.
configure({ asyncUtilTimeout: 10_000 });

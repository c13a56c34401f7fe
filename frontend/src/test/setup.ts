import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// The machine running the tests may be busy: waiting longer for what must appear costs nothing when it appears.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
});

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a route change can take longer.
configure({ asyncUtilTimeout: 10_000 });

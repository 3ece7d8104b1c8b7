import { z } from 'zod';

// Schemas also run in the browser, under a CSP without 'unsafe-eval': zod's compiled fast path, and
// even its probe for whether eval is allowed, would be a CSP violation. Import zod from here.
z.config({ jitless: true });

export { z };

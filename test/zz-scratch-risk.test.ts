import { it } from 'vitest';
import { studentTVarEs, normalVarEs } from '../src/index.js';
it('scratch', async () => {
  const n = normalVarEs(0, 1, 0.99);
  for (let k = 2; k <= 16; k++) { const nu = 10 ** k; const r = studentTVarEs(0, 1, nu, 0.99); console.log(nu, r.var - n.var, r.es - n.es, (r.var - n.var) * nu, (r.es - n.es) * nu); }
});

/**
 * `npx tsx src/cluster-keys.ts <dir> [namespace]`: the key set and tokens of a cluster's JWT
 * authorization (src/infra/cluster-auth.ts) written into <dir>. docker-compose.yml runs it once
 * into a volume that the server (jwks.json), the worker (writer.token) and the set-up (admin.token) mount.
 */
import { resolve } from 'node:path';
import { ensureClusterAuth } from './infra/cluster-auth';

const [dir, namespace = 'default'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: tsx src/cluster-keys.ts <dir> [namespace]');
  process.exit(2);
}
const auth = ensureClusterAuth(resolve(dir), namespace);
console.log(`key set ${auth.jwksFile}; tokens ${(['writer', 'reader', 'admin'] as const).map((r) => auth.tokenFile(r)).join(', ')}`);

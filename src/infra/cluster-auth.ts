/**
 * The cluster's own key set and tokens, for Temporal Server's JWT authorizer (`default` authorizer
 * and claim mapper): an RSA key signs JWTs whose `permissions` claim carries the roles
 * (`<namespace>:write`, `<namespace>:read`, `temporal-system:admin`: the server's system scope); the server reads the public half from
 * a JWKS file (`TEMPORAL_JWT_KEY_SOURCE1=file://...`, reloaded every minute).
 *
 * Layout under `<dir>`: `signing-key.pem` (0600, never leaves the machine), `jwks.json`, and one token
 * per role: `writer.token` (worker, starter, typed client: found there by default), `reader.token`
 * (a read-only Temporal Web), `admin.token` (namespace and search-attribute set-up).
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TokenRole = 'writer' | 'reader' | 'admin';

export interface ClusterAuth {
  dir: string;
  jwksFile: string;
  /** `file://` URI of the key set, as the server's `keySourceURIs` want it. */
  jwksUri: string;
  tokens: Record<TokenRole, string>;
  tokenFile(role: TokenRole): string;
}

/** How long the issued tokens stay valid; the cluster issues fresh ones at every start. */
export const TOKEN_LIFETIME_S = 30 * 24 * 3600;

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Creates the signing key on first use, then (re)writes the key set and issues fresh tokens. */
export function ensureClusterAuth(dir: string, namespace = 'default', nowS = Math.floor(Date.now() / 1000)): ClusterAuth {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'signing-key.pem');
  let privateKey: KeyObject;
  if (existsSync(keyFile)) {
    privateKey = createPrivateKey(readFileSync(keyFile));
  } else {
    privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const kid = 'spdr-cluster-1';
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, `${JSON.stringify({ keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] }, null, 2)}\n`);
  chmodSync(jwksFile, 0o644);

  const permissions: Record<TokenRole, string[]> = {
    writer: [`${namespace}:write`],
    reader: [`${namespace}:read`],
    admin: ['temporal-system:admin'],
  };
  const tokens = {} as Record<TokenRole, string>;
  for (const role of Object.keys(permissions) as TokenRole[]) {
    tokens[role] = signJwt(privateKey, kid, {
      sub: `spdr-${role}`,
      permissions: permissions[role],
      iat: nowS,
      exp: nowS + TOKEN_LIFETIME_S,
      jti: randomUUID(),
    });
    writeFileSync(join(dir, `${role}.token`), `${tokens[role]}\n`, { mode: 0o600 });
  }
  return { dir, jwksFile, jwksUri: `file://${jwksFile}`, tokens, tokenFile: (role) => join(dir, `${role}.token`) };
}

/** A compact RS256 JWT. */
export function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const signingInput = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

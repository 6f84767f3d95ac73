// Verifies an idpool OpenID token with jose's createRemoteJWKSet and jwtVerify
// against a running server's JWKS, and checks that a tampered copy is refused.
// The Go test test/e2e/tokens runs it with:
//   IDPOOL_JWKS_URL  the server's /.well-known/jwks_uri
//   IDPOOL_ISSUER    the expected iss
//   IDPOOL_AUDIENCE  the identity pool id (aud)
//   IDPOOL_SUBJECT   the identity id (sub)
//   IDPOOL_TOKEN     the token
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const env = process.env;
const configured = Boolean(env.IDPOOL_JWKS_URL && env.IDPOOL_TOKEN);
const opts = { skip: configured ? false : 'IDPOOL_JWKS_URL and IDPOOL_TOKEN are not set' };

// One changed character in the payload (kept valid base64url).
function tamper(token) {
  const [h, p, s] = token.split('.');
  const i = Math.floor(p.length / 2);
  const c = p[i] === 'A' ? 'B' : 'A';
  return [h, p.slice(0, i) + c + p.slice(i + 1), s].join('.');
}

test('jose verifies the token against the JWKS', opts, async () => {
  const jwks = createRemoteJWKSet(new URL(env.IDPOOL_JWKS_URL));
  const header = decodeProtectedHeader(env.IDPOOL_TOKEN);
  assert.equal(header.alg, 'RS512');
  assert.equal(header.typ, 'JWS');
  const { payload, protectedHeader } = await jwtVerify(env.IDPOOL_TOKEN, jwks, {
    algorithms: ['RS512'],
    issuer: env.IDPOOL_ISSUER,
    audience: env.IDPOOL_AUDIENCE,
    subject: env.IDPOOL_SUBJECT,
  });
  assert.equal(protectedHeader.kid, header.kid);
  assert.ok(Array.isArray(payload.amr) && payload.amr.length > 0, 'amr is a non-empty array');
  assert.equal(typeof payload.exp, 'number');
});

test('jose refuses a tampered token', opts, async () => {
  const jwks = createRemoteJWKSet(new URL(env.IDPOOL_JWKS_URL));
  await assert.rejects(
    jwtVerify(tamper(env.IDPOOL_TOKEN), jwks, { algorithms: ['RS512'], issuer: env.IDPOOL_ISSUER }),
    (err) => err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || err.code === 'ERR_JWS_INVALID' || err.code === 'ERR_JWT_INVALID',
  );
});

test('jose refuses the token for another audience', opts, async () => {
  const jwks = createRemoteJWKSet(new URL(env.IDPOOL_JWKS_URL));
  await assert.rejects(
    jwtVerify(env.IDPOOL_TOKEN, jwks, { algorithms: ['RS512'], issuer: env.IDPOOL_ISSUER, audience: 'us-east-1:00000000-0000-0000-0000-000000000000' }),
    (err) => err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED',
  );
});

#!/usr/bin/env node
// Okta-shaped test OpenID provider for ssh-oauth tests.
//
// Usage: node tests/idp/server.js [--port N] [--host 127.0.0.1]
//
// Prints exactly one line to stdout once ready:
//   {"issuer":"http://127.0.0.1:PORT/oauth2/default","port":PORT}
// Everything else goes to stderr.
//
// Environment:
//   IDP_TOKEN_TTL      ID token / access token lifetime in seconds (default 3600)
//   IDP_POLL_INTERVAL  "interval" advertised in the device authorization response (default 5)
//   IDP_KEYS_FILE      JWKS file (with private parts) to use for signing instead of a fresh key
//   IDP_DEBUG          if set (non-empty), log every request to stderr

// oidc-provider prints notices with console.info / console.log, which go to
// stdout. stdout is reserved for the ready line, so send those to stderr.
/* eslint-disable no-console */
const toStderr = console.error.bind(console);
console.log = toStderr;
// This is a loopback-only test server: the in-memory adapter, the dev
// interactions etc. are intended, so drop oidc-provider's warnings and
// notices about them (IDP_DEBUG=1 shows them).
const filtered = (...a) => {
  if (!process.env.IDP_DEBUG && typeof a[0] === 'string' && /oidc-provider (WARNING|NOTICE)/.test(a[0])) return;
  toStderr(...a);
};
console.info = filtered;
console.warn = filtered;

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

const ISSUER_PATH = '/oauth2/default';
const CLIENT_ID = 'ssh-oauth-test';
const API_AUDIENCE = 'api://default';
const SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];
const DEVICE_CODE_TTL = 600;

function log(...args) {
  console.error('[idp]', ...args);
}

function fail(msg) {
  console.error(`server.js: ${msg}`);
  process.exit(2);
}

function positiveInt(name, value, dflt) {
  if (value === undefined || value === '') return dflt;
  if (!/^\d+$/.test(value) || Number(value) <= 0) fail(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail(err.message);
}
if (args.help) {
  console.error('usage: node server.js [--port N] [--host 127.0.0.1]');
  process.exit(0);
}
if (!/^\d+$/.test(args.port) || Number(args.port) > 65535) fail(`invalid --port ${args.port}`);

const TOKEN_TTL = positiveInt('IDP_TOKEN_TTL', process.env.IDP_TOKEN_TTL, 3600);
const POLL_INTERVAL = positiveInt('IDP_POLL_INTERVAL', process.env.IDP_POLL_INTERVAL, 5);
const DEBUG = !!process.env.IDP_DEBUG;

// ---------------------------------------------------------------------------
// Accounts

const ACCOUNT_GROUPS = {
  alice: ['ssh-admins', 'everyone'],
  bob: ['developers', 'everyone'],
};

function groupsFor(accountId) {
  return ACCOUNT_GROUPS[accountId] || ['everyone'];
}

function accountClaims(accountId) {
  const display = accountId.charAt(0).toUpperCase() + accountId.slice(1);
  return {
    sub: accountId,
    email: `${accountId}@example.com`,
    email_verified: true,
    preferred_username: accountId,
    name: `${display} Example`,
    groups: groupsFor(accountId),
  };
}

async function findAccount(ctx, id) {
  if (typeof id !== 'string' || id === '') return undefined;
  return {
    accountId: id,
    async claims() {
      return accountClaims(id);
    },
  };
}

// ---------------------------------------------------------------------------
// Signing keys

function loadKeys() {
  const file = process.env.IDP_KEYS_FILE;
  if (file) {
    let jwks;
    try {
      jwks = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      fail(`cannot read IDP_KEYS_FILE ${file}: ${err.message}`);
    }
    if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      fail(`IDP_KEYS_FILE ${file} is not a JWKS with a non-empty "keys" array`);
    }
    for (const jwk of jwks.keys) {
      if (!jwk.kid && jwk.kty === 'RSA') {
        // RFC 7638 thumbprint, as oidc-provider would compute it
        const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
        jwk.kid = crypto.createHash('sha256').update(canonical).digest('base64url');
      }
    }
    return jwks;
  }
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  jwk.kid = crypto.randomBytes(12).toString('base64url');
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return { keys: [jwk] };
}

// ---------------------------------------------------------------------------
// Resource server (Okta custom authorization server "api://default")

function resourceServerInfo() {
  return {
    scope: SCOPES.join(' '),
    audience: API_AUDIENCE,
    accessTokenTTL: TOKEN_TTL,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
}

// ---------------------------------------------------------------------------
// HTTP plumbing

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

async function readJsonBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const obj = JSON.parse(text);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('body must be a JSON object');
  return obj;
}

class HttpError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

function normalizeUserCode(input) {
  // Same normalisation as oidc-provider: upper-case, drop anything that is
  // not a word character (dashes, spaces).
  return input.toUpperCase().replace(/\W/g, '');
}

// ---------------------------------------------------------------------------
// UserInfo. oidc-provider only accepts access tokens minted for its own
// userinfo endpoint, but (like Okta's custom authorization servers) every
// access token here is a JWT for api://default. So /v1/userinfo is served
// here instead: it verifies such a Bearer JWT and returns the claims its
// scopes allow.

const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
};

let verifyKeys; // kid -> KeyObject, filled in once the keys are loaded

function verifyAccessTokenJwt(token, issuer) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let header;
  let payload;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (err) {
    return undefined;
  }
  if (header.alg !== 'RS256' || header.typ !== 'at+jwt') return undefined;
  const key = verifyKeys.get(header.kid);
  if (!key) return undefined;
  const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
  if (!ok) return undefined;
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.iss !== issuer || !aud.includes(API_AUDIENCE)) return undefined;
  if (typeof payload.exp !== 'number' || payload.exp <= Math.floor(Date.now() / 1000)) return undefined;
  if (typeof payload.sub !== 'string') return undefined;
  return payload;
}

function handleUserinfo(req, res, issuer) {
  const challenge = (error, description) => {
    const body = JSON.stringify({ error, error_description: description });
    res.writeHead(error === 'invalid_request' ? 400 : 401, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'www-authenticate': `Bearer realm="${issuer}", error="${error}", error_description="${description}"`,
    });
    res.end(body);
  };
  if (req.method !== 'GET' && req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'use GET or POST' });
    return;
  }
  req.resume();
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(req.headers.authorization || '');
  if (!m) {
    challenge('invalid_request', 'a Bearer access token in the Authorization header is required');
    return;
  }
  const payload = verifyAccessTokenJwt(m[1], issuer);
  if (!payload) {
    challenge('invalid_token', 'invalid token provided');
    return;
  }
  if (payload.cnf) {
    challenge('invalid_token', 'sender-constrained (DPoP) tokens are not supported at this test userinfo endpoint');
    return;
  }
  const scopes = String(payload.scope || '').split(' ');
  if (!scopes.includes('openid')) {
    challenge('insufficient_scope', 'the openid scope is required');
    return;
  }
  const all = accountClaims(payload.sub);
  const out = {};
  for (const scope of scopes) {
    for (const claim of SCOPE_CLAIMS[scope] || []) out[claim] = all[claim];
  }
  sendJson(res, 200, out);
}

// ---------------------------------------------------------------------------

const { default: Provider, errors } = await import('oidc-provider');

const server = http.createServer();
let provider; // set once the port (and so the issuer) is known
let providerCallback;

async function findPendingDeviceCode(body) {
  if (typeof body.user_code !== 'string' || body.user_code.trim() === '') {
    throw new HttpError(400, 'invalid_request', 'user_code (string) is required');
  }
  const userCode = normalizeUserCode(body.user_code);
  const code = await provider.DeviceCode.findByUserCode(userCode, { ignoreExpiration: true });
  if (!code) throw new HttpError(404, 'not_found', `no device code with user_code ${body.user_code}`);
  if (code.isExpired) throw new HttpError(400, 'expired_token', 'the device code has expired');
  if (code.error || code.accountId || code.inFlight) {
    throw new HttpError(400, 'already_used', 'the device code was already approved or denied');
  }
  return code;
}

// Approves a pending device code the way the browser flow (login + consent
// with everything granted) would: a Grant with all requested OIDC scopes,
// requested claims and resource scopes, then the device code gets the
// account and grant so the next token poll succeeds.
async function approve(body) {
  const account = body.account;
  if (typeof account !== 'string' || account === '') {
    throw new HttpError(400, 'invalid_request', 'account (non-empty string) is required');
  }
  const code = await findPendingDeviceCode(body);
  const params = code.params || {};
  const requested = new Set(String(params.scope || '').split(' ').filter(Boolean));

  const grant = new provider.Grant({ accountId: account, clientId: code.clientId });
  const oidcScopes = [...requested].filter((s) => SCOPES.includes(s));
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));

  let claims;
  if (params.claims) {
    claims = typeof params.claims === 'string' ? JSON.parse(params.claims) : params.claims;
    const names = new Set();
    for (const where of ['id_token', 'userinfo']) {
      if (claims[where]) Object.keys(claims[where]).forEach((c) => names.add(c));
    }
    if (names.size) grant.addOIDCClaims([...names]);
    if (Object.keys(claims).length === 0) claims = undefined;
  }

  let resources = params.resource;
  if (resources === undefined) resources = [];
  if (!Array.isArray(resources)) resources = [resources];
  for (const indicator of resources) {
    const info = resourceServerInfo(indicator);
    const rsScopes = new Set(info.scope.split(' '));
    const granted = [...requested].filter((s) => rsScopes.has(s));
    if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
  }

  const grantId = await grant.save();

  const scope = new Set(grant.getOIDCScopeFiltered(requested).split(' ').filter(Boolean));
  for (const indicator of resources) {
    grant.getResourceScopeFiltered(indicator, requested).split(' ').filter(Boolean)
      .forEach((s) => scope.add(s));
  }

  Object.assign(code, {
    accountId: account,
    authTime: Math.floor(Date.now() / 1000),
    grantId,
    scope: [...scope].join(' '),
  });
  if (claims) code.claims = claims;
  if (resources.length === 1) [code.resource] = resources;
  else if (resources.length > 1) code.resource = resources;
  await code.save();
  log(`approved user_code ${code.userCode} as ${account} (scope "${code.scope}")`);
}

async function deny(body) {
  const code = await findPendingDeviceCode(body);
  Object.assign(code, {
    error: 'access_denied',
    errorDescription: 'End-User denied the request',
  });
  await code.save();
  log(`denied user_code ${code.userCode}`);
}

async function handleTestRoute(req, res, pathname) {
  try {
    if (pathname === '/test/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'use GET');
      sendJson(res, 200, { ok: true, issuer: provider.issuer });
      return;
    }
    if (pathname === '/test/approve' || pathname === '/test/deny') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST');
      let body;
      try {
        body = await readJsonBody(req);
      } catch (err) {
        throw new HttpError(400, 'invalid_request', `invalid JSON body: ${err.message}`);
      }
      if (pathname === '/test/approve') await approve(body);
      else await deny(body);
      sendJson(res, 200, { ok: true });
      return;
    }
    throw new HttpError(404, 'not_found', `no such test route ${pathname}`);
  } catch (err) {
    if (err instanceof HttpError) {
      sendJson(res, err.status, { ok: false, error: err.error, error_description: err.message });
    } else {
      log('test route error:', err);
      sendJson(res, 500, { ok: false, error: 'server_error', error_description: String(err.message || err) });
    }
  }
}

server.on('request', (req, res) => {
  if (DEBUG) {
    res.on('finish', () => log(`${req.method} ${req.originalUrl || req.url} -> ${res.statusCode}`));
  }
  let pathname;
  try {
    pathname = new URL(req.url, 'http://localhost').pathname;
  } catch (err) {
    sendJson(res, 400, { error: 'invalid_request' });
    return;
  }
  if (!provider) {
    sendJson(res, 503, { error: 'temporarily_unavailable' });
    return;
  }
  if (pathname.startsWith('/test/')) {
    handleTestRoute(req, res, pathname);
    return;
  }
  if (pathname === `${ISSUER_PATH}/v1/userinfo`) {
    handleUserinfo(req, res, provider.issuer);
    return;
  }
  if (pathname === ISSUER_PATH || pathname.startsWith(`${ISSUER_PATH}/`)) {
    // Mount oidc-provider under the issuer path the same way express does:
    // oidc-provider derives the mount path from req.originalUrl vs req.url.
    req.originalUrl = req.url;
    let rest = req.url.slice(ISSUER_PATH.length);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
    // Okta also serves the RFC 8414 document; same content is fine here.
    rest = rest.replace(/^\/\.well-known\/oauth-authorization-server(?=$|\?)/, '/.well-known/openid-configuration');
    req.url = rest;
    providerCallback(req, res);
    return;
  }
  sendJson(res, 404, { error: 'not_found' });
});

server.on('error', (err) => fail(`server error: ${err.message}`));

await new Promise((resolve) => {
  server.listen(Number(args.port), args.host, resolve);
});

const { port } = server.address();
const hostForUrl = args.host.includes(':') ? `[${args.host}]` : args.host;
const issuer = `http://${hostForUrl}:${port}${ISSUER_PATH}`;

const signingKeys = loadKeys();
verifyKeys = new Map();
for (const jwk of signingKeys.keys) {
  if (jwk.kty !== 'RSA') continue;
  const pub = { kty: jwk.kty, n: jwk.n, e: jwk.e };
  verifyKeys.set(jwk.kid, crypto.createPublicKey({ key: pub, format: 'jwk' }));
}

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  }],
  findAccount,
  jwks: signingKeys,
  scopes: SCOPES,
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // Put scope-derived claims (notably "groups") into the ID token itself.
  conformIdTokenClaims: false,
  enabledJWA: {
    dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****' },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    dPoP: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every request is for the Okta-style "api://default" audience unless
      // the client explicitly asks for something else.
      defaultResource: async (ctx, client, oneOf) => {
        if (oneOf) return oneOf.includes(API_AUDIENCE) ? API_AUDIENCE : oneOf[0];
        return API_AUDIENCE;
      },
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => {
        if (indicator !== API_AUDIENCE) throw new errors.InvalidTarget();
        return resourceServerInfo(indicator);
      },
    },
  },
  // Okta puts the groups claim (and scp/cid) into its access tokens too.
  extraTokenClaims: async (ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const extra = { cid: token.clientId };
    const scopes = String(token.scope || '').split(' ').filter(Boolean);
    extra.scp = scopes;
    if (scopes.includes('groups')) extra.groups = groupsFor(token.accountId);
    return extra;
  },
  routes: {
    authorization: '/v1/authorize',
    code_verification: '/v1/device/verify',
    device_authorization: '/v1/device/authorize',
    end_session: '/v1/logout',
    introspection: '/v1/introspect',
    jwks: '/v1/keys',
    pushed_authorization_request: '/v1/par',
    revocation: '/v1/revoke',
    token: '/v1/token',
    userinfo: '/v1/userinfo',
  },
  ttl: {
    AccessToken: TOKEN_TTL,
    AuthorizationCode: 60,
    BackchannelAuthenticationRequest: DEVICE_CODE_TTL,
    ClientCredentials: TOKEN_TTL,
    DeviceCode: DEVICE_CODE_TTL,
    Grant: 14 * 24 * 3600,
    IdToken: TOKEN_TTL,
    Interaction: 3600,
    RefreshToken: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
  },
  // Public client refresh tokens always rotate; a replayed (already rotated)
  // refresh token revokes the whole grant.
  rotateRefreshToken: true,
  clientBasedCORS: () => false,
  pkce: { required: () => false },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!DOCTYPE html><html><body><h1>${esc(out.error)}</h1><p>${esc(out.error_description || '')}</p></body></html>`;
  },
};

provider = new Provider(issuer, configuration);

// RFC 8628 "interval" (Okta sends 5). oidc-provider leaves it out.
provider.on('device_authorization.success', (ctx, body) => {
  // eslint-disable-next-line no-param-reassign
  body.interval = POLL_INTERVAL;
});
provider.on('server_error', (ctx, err) => log('server_error:', err));
if (DEBUG) {
  provider.on('grant.error', (ctx, err) => log('grant.error:', err.message, err.error_description || ''));
}

providerCallback = provider.callback();

process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
log(`listening, issuer ${issuer}`);

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal} received, shutting down`);
  server.close(() => process.exit(0));
  if (server.closeAllConnections) server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

#!/usr/bin/env node
// A scripted OAuth 2.0 / OpenID provider that answers the device flow in
// the dialects real providers speak, and with their faults, one scenario
// per process. Node.js built-ins only; listens on 127.0.0.1 only.
//
//   node tests/fakeidp/server.js --scenario NAME [--port N] [--second-ms MS]
//       [--token-ttl S] [--refresh-ttl S]
//
// Once ready it prints one line on stdout:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT,"scenario":"NAME"}
//
// Routes: discovery (/.well-known/openid-configuration), the device
// authorization endpoint (/device), the token endpoint (/token), the keys
// (/keys) and, for the test, GET /test/stats: what the server saw - the
// polls, the gaps between them in seconds of --second-ms milliseconds
// (the client's SSH_OAUTH_TEST_SECOND_MS), refreshes, and client
// authentication that did not match the scenario's ("violations").
//
// ID tokens are RS256 JWTs with iss, aud (the client_id), sub, email, iat
// and exp (--token-ttl seconds, default 3600; --refresh-ttl for those a
// refresh hands out, default the same), signed with a key made at start;
// the client decodes them only.
'use strict';

const crypto = require('crypto');
const http = require('http');

const CLIENT_ID = 'dialect-client';
const SECRET = 'Sec ret:+/%&=1';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE_CODE = 'dc-' + crypto.randomBytes(12).toString('hex');
const USER_CODE = 'WDJB-MJHT';
const REFRESH_TOKEN = 'rt-' + crypto.randomBytes(12).toString('hex');

function usage(msg) {
  process.stderr.write(`server.js: ${msg}\nusage: node server.js ` +
    '--scenario NAME [--port N] [--second-ms MS] [--token-ttl S] ' +
    '[--refresh-ttl S]\n');
  process.exit(2);
}

// Options, each "--name value".
const opts = {
  scenario: '', port: '0', 'second-ms': '1000', 'token-ttl': '3600', 'refresh-ttl': '',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const name = argv[i].replace(/^--/, '');
  if (!(name in opts) || argv[i + 1] === undefined) usage(`bad option ${argv[i]}`);
  opts[name] = argv[i + 1];
}
if (opts['refresh-ttl'] === '') opts['refresh-ttl'] = opts['token-ttl'];
for (const n of ['port', 'second-ms', 'token-ttl', 'refresh-ttl']) {
  if (!/^\d+$/.test(opts[n])) usage(`--${n} must be a number`);
}
const SECOND_MS = Number(opts['second-ms']);
const TOKEN_TTL = Number(opts['token-ttl']);
const REFRESH_TTL = Number(opts['refresh-ttl']);

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = crypto.randomBytes(8).toString('hex');
let issuer = '';

// What the test may ask about afterwards.
const stats = {
  scenario: opts.scenario,
  device_requests: 0,
  polls: 0,
  gaps: [],          // seconds between the code and poll 1, poll 1 and 2...
  last_poll_at: null, // seconds after the code was handed out
  refreshes: 0,
  auth_seen: [],     // "none", "post" or "basic", per request
  violations: [],
};
let codeAt = 0;
let lastAt = 0;

function b64url(x) {
  return Buffer.from(x).toString('base64url');
}

function idToken(ttl) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: KID };
  const claims = {
    iss: issuer, aud: CLIENT_ID, sub: 'alice', email: 'alice@example.com',
    iat: now, exp: now + ttl,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = crypto.sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

function tokens(withRefresh, ttl = TOKEN_TTL) {
  const t = {
    access_token: idToken(ttl), id_token: idToken(ttl), token_type: 'Bearer',
    expires_in: ttl, scope: 'openid email profile',
  };
  if (withRefresh) t.refresh_token = REFRESH_TOKEN;
  return t;
}

// Answers: JSON, form-encoded, plain text, or none at all.
const json = (status, body, headers = {}) => ({ status, body: JSON.stringify(body), type: 'application/json', headers });
const form = (status, body) => ({ status, body: new URLSearchParams(body).toString(), type: 'application/x-www-form-urlencoded', headers: {} });
const text = (status, body, headers = {}) => ({ status, body, type: 'text/plain', headers });
const HANG = { hang: true };

const pending = json(400, { error: 'authorization_pending', error_description: 'waiting for the user' });

// The RFC 8628 device authorization response, as Okta sends it.
function codeAnswer(extra = {}, drop = []) {
  const port = issuer.replace(/.*:/, '');
  const b = {
    device_code: DEVICE_CODE, user_code: USER_CODE,
    verification_uri: `http://127.0.0.1:${port}/activate`,
    verification_uri_complete: `http://127.0.0.1:${port}/activate?user_code=${USER_CODE}`,
    expires_in: 600, interval: 1,
  };
  for (const k of drop) delete b[k];
  return Object.assign(b, extra);
}

// A token endpoint that answers polls from a list, then approves.
function script(...answers) {
  return (n) => (n <= answers.length ? answers[n - 1] : json(200, tokens(true)));
}

function httpDate(secondsAhead) {
  return new Date(Date.now() + secondsAhead * 1000).toUTCString();
}

const ESC = '\u001b';

// Each scenario: the client authentication it expects (auth), what the
// device endpoint answers (device), what poll n answers (token), and
// optionally what a refresh answers and what wrong authentication gets.
const SCENARIOS = {
  okta: { device: () => json(200, codeAnswer()), token: script(pending) },
  google: {
    auth: 'post',
    device: (f) => {
      const bad = (f.scope || '').split(' ').filter((s) => !['openid', 'email', 'profile'].includes(s));
      if (bad.length) {
        return json(400, { error: 'invalid_scope', error_description: `Some requested scopes were invalid. {invalid=[${bad.join(', ')}]}` });
      }
      return json(200, codeAnswer({ verification_url: 'https://www.google.com/device', expires_in: 1800 },
        ['verification_uri', 'verification_uri_complete']));
    },
    token: script(json(428, { error: 'authorization_pending', error_description: 'Precondition Required' })),
    // Google does not rotate refresh tokens.
    refresh: () => json(200, tokens(false, REFRESH_TTL)),
  },
  basic: { auth: 'basic', device: () => json(200, codeAnswer()), token: script(pending) },
  'entra-v1': {
    device: () => json(200, codeAnswer({
      verification_url: 'https://microsoft.com/devicelogin', expires_in: '900', interval: '1',
      message: `To sign in, open https://microsoft.com/devicelogin and enter ${USER_CODE}.${ESC}[2J`,
    }, ['verification_uri', 'verification_uri_complete'])),
    token: script(pending),
  },
  'entra-public': {
    device: () => json(200, codeAnswer({}, ['verification_uri_complete'])),
    token: () => json(401, { error: 'invalid_client', error_description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'." }),
  },
  'entra-secret': {
    auth: 'none',
    badAuth: () => json(401, { error: 'invalid_client', error_description: 'AADSTS700025: Client is public so neither client_assertion nor client_secret should be presented.' }),
    device: () => json(200, codeAnswer({}, ['verification_uri_complete'])),
    token: script(pending),
  },
  'auth0-secret': {
    auth: 'none',
    badAuth: () => json(403, { error: 'unauthorized_client', error_description: 'Unauthorized or unknown client' }),
    device: () => json(200, codeAnswer()),
    token: script(pending),
  },
  'invalid-client': {
    device: () => json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
    token: script(),
  },
  'interval-missing': { device: () => json(200, codeAnswer({}, ['interval'])), token: script(pending) },
  'interval-zero': { device: () => json(200, codeAnswer({ interval: 0 })), token: script(pending) },
  'interval-5s': { device: () => json(200, codeAnswer({ interval: '5s' })), token: script() },
  'interval-minus': { device: () => json(200, codeAnswer({ interval: '-1' })), token: script() },
  'interval-1e3': { device: () => json(200, codeAnswer({ interval: '1e3' })), token: script() },
  'interval-huge': { device: () => json(200, codeAnswer({ interval: 100000 })), token: script() },
  'expires-abc': { device: () => json(200, codeAnswer({ expires_in: 'abc' })), token: script() },
  'expires-zero': { device: () => json(200, codeAnswer({ expires_in: '0' })), token: script() },
  dex: {
    device: () => text(200, JSON.stringify(codeAnswer())),
    token: script(json(401, { error: 'authorization_pending' }), json(401, { error: 'authorization_pending' })),
  },
  github: {
    device: () => form(200, codeAnswer({ expires_in: '900', interval: '1' }, ['verification_uri_complete'])),
    token: (n) => (n <= 2 ? form(200, { error: 'authorization_pending', error_description: 'The authorization request is still pending.' })
      : form(200, tokens(true))),
  },
  'plain-text': { device: () => json(200, codeAnswer()), token: script(text(400, 'Bad Request: no such thing')) },
  'slow-down': {
    device: () => json(200, codeAnswer()),
    token: script(pending, json(400, { error: 'slow_down' }), json(400, { error: 'slow_down' }), pending),
  },
  'retry-429': {
    device: () => json(200, codeAnswer()),
    token: script(text(429, 'Too Many Requests', { 'Retry-After': '3' }), pending),
  },
  'auth0-429': {
    device: () => json(200, codeAnswer()),
    token: script(json(429, { error: 'slow_down', error_description: 'You are polling faster than allowed' })),
  },
  'retry-503-date': {
    device: () => json(200, codeAnswer()),
    token: (n) => (n === 1 ? text(503, 'Service Unavailable', { 'Retry-After': httpDate(3) }) : json(200, tokens(true))),
  },
  'expired-token': { device: () => json(200, codeAnswer()), token: script(pending, json(400, { error: 'expired_token' })) },
  'code-expired': { device: () => json(200, codeAnswer({}, ['verification_uri_complete'])), token: script(json(400, { error: 'code_expired' })) },
  'access-denied': { device: () => json(200, codeAnswer()), token: script(json(400, { error: 'access_denied', error_description: 'The user said no' })) },
  'odd-error': {
    device: () => json(200, codeAnswer()),
    token: script(json(400, { error: `authorization_declined${ESC}]0;owned${ESC}\\`, error_description: `The end ${ESC}[31mred${ESC}[0m ${'x'.repeat(3000)}` })),
  },
  'pending-forever': { device: () => json(200, codeAnswer({ expires_in: 4 })), token: () => pending },
  'hang-token': { device: () => json(200, codeAnswer()), token: () => HANG },
  'hang-device': { device: () => HANG, token: script() },
};

const scenario = SCENARIOS[opts.scenario];
if (!scenario) usage(`unknown scenario "${opts.scenario}"; known: ${Object.keys(SCENARIOS).join(' ')}`);

// Which client authentication a request used, and whether it was right.
function clientAuth(req, f) {
  const h = req.headers.authorization || '';
  let kind = 'none';
  let ok = true;
  if (/^Basic /i.test(h)) {
    kind = 'basic';
    const raw = Buffer.from(h.slice(6), 'base64').toString();
    const i = raw.indexOf(':');
    const dec = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
    ok = i > 0 && dec(raw.slice(0, i)) === CLIENT_ID && dec(raw.slice(i + 1)) === SECRET &&
      f.client_secret === undefined;
  } else if (f.client_secret !== undefined) {
    kind = 'post';
    ok = f.client_id === CLIENT_ID && f.client_secret === SECRET;
  } else {
    ok = f.client_id === CLIENT_ID;
  }
  stats.auth_seen.push(kind);
  if (kind !== (scenario.auth || 'none')) ok = false;
  return ok;
}

function badAuth(where) {
  stats.violations.push(`${where}: client authentication ${stats.auth_seen[stats.auth_seen.length - 1]}`);
  return scenario.badAuth ? scenario.badAuth()
    : json(401, { error: 'invalid_client', error_description: 'client authentication failed' });
}

// The token endpoint: device code polls and refreshes.
function token(req, f) {
  if (!clientAuth(req, f)) return badAuth('token');
  if (f.grant_type === 'refresh_token') {
    stats.refreshes++;
    if (f.refresh_token !== REFRESH_TOKEN) return json(400, { error: 'invalid_grant' });
    return scenario.refresh ? scenario.refresh() : json(200, tokens(true, REFRESH_TTL));
  }
  if (f.grant_type !== DEVICE_GRANT || f.device_code !== DEVICE_CODE) {
    stats.violations.push(`token: grant_type ${f.grant_type}, device_code ${f.device_code}`);
    return json(400, { error: 'invalid_grant' });
  }
  const now = Date.now();
  stats.polls++;
  // A client waits whole seconds after each answer, so a gap is never
  // short; it may be long by the answer's latency: round down, with 20 ms
  // to spare for clock granularity.
  stats.gaps.push(Math.floor((now - lastAt + 20) / SECOND_MS));
  stats.last_poll_at = Math.floor((now - codeAt + 20) / SECOND_MS);
  lastAt = now;
  return scenario.token(stats.polls);
}

function route(req, f) {
  const base = issuer;
  if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
    return json(200, {
      issuer: base, device_authorization_endpoint: `${base}/device`,
      token_endpoint: `${base}/token`, jwks_uri: `${base}/keys`,
    });
  }
  if (req.method === 'GET' && req.url === '/keys') {
    const jwk = publicKey.export({ format: 'jwk' });
    return json(200, { keys: [Object.assign(jwk, { kid: KID, alg: 'RS256', use: 'sig' })] });
  }
  if (req.method === 'GET' && req.url === '/test/stats') return json(200, stats);
  if (req.method === 'POST' && req.url === '/device') {
    stats.device_requests++;
    if (!clientAuth(req, f)) return badAuth('device');
    codeAt = lastAt = Date.now();
    return scenario.device(f);
  }
  if (req.method === 'POST' && req.url === '/token') return token(req, f);
  return json(404, { error: 'not_found' });
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const f = Object.fromEntries(new URLSearchParams(body));
    const a = route(req, f);
    if (a.hang) return; // never answer; the client's timeout must end it
    res.writeHead(a.status, Object.assign({ 'Content-Type': a.type }, a.headers));
    res.end(a.body);
  });
});

server.listen(Number(opts.port), '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}`;
  process.stdout.write(`${JSON.stringify({ issuer, port, scenario: opts.scenario })}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0));
}

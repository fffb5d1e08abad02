// panva's oidc-provider as the real identity-provider peer of the test suite.
//
// The controller talks RFC 7591/7592 dynamic client registration and the
// client-credentials grant to its IdP; testing that against a conforming,
// independent implementation catches protocol mistakes a hand-written fake
// would share with the code under test.
//
// Start: `node server.mjs`. It binds 127.0.0.1 on port 0 (or $PORT) and then
// prints one JSON line on stdout:
//   {"ready": true, "issuer": "http://127.0.0.1:PORT", "initialAccessToken": "...",
//    "profile": "default"}
// oidc-provider may print NOTICE lines on stdout too: readers must skip lines
// that are not that JSON object.
//
// Environment:
//   PORT                    port to bind (default 0: any free port)
//   OIDC_SCOPES             space-separated scopes the provider knows
//                           (default: DEFAULT_SCOPES below)
//   EXIT_ON_STDIN_EOF=1     exit when stdin closes, so that a test run that
//                           dies without stopping the server leaves no orphan
//   OIDC_PROFILE            which real server's habits to imitate on top of
//                           oidc-provider's own (default: `default`):
//     default   oidc-provider as configured below: the registration access
//               token rotates on every PUT; application_type is `web` or
//               `native` only (RFC 7591 servers need not know `service`)
//     keycloak  the registration access token also rotates on every GET, as
//               Keycloak rotates it on every use; the old one dies at once
//     okta      a registration (POST or PUT) that has, or defaults to, the
//               client_credentials grant must say `application_type:
//               "service"`, else 400 invalid_client_metadata, as Okta's DCR
//               does. Management stays RFC 7592 (real Okta manages apps with
//               its admin API instead: see PROFILE_NOTES in the harness)
//
// Every profile accepts the custom client metadata field `x_cost_center`,
// so that a test can show that fields the controller does not own survive
// its RFC 7592 updates.
//
// Test hooks (outside the provider's routes; never do this in production):
//   POST /__test/reset                 forget every client and token except
//                                      the initial access token
//   GET  /__test/clients               every stored client's metadata, so a
//                                      test can prove no client was left behind
//   GET  /__test/clients/<client_id>   the stored client metadata
//   POST /__test/clients/<client_id>   merge a JSON object into the stored
//                                      metadata (null removes a field), to
//                                      imitate an out-of-band change by an
//                                      IdP administrator

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

// Both spellings the controller may meet in the wild: `domain.action` and
// `domain:action`.
const DEFAULT_SCOPES = [
  'orders.read', 'orders.write', 'payments.read', 'payments.write',
  'inventory.read', 'inventory.write', 'reports.read', 'reports.write',
  'audit.read', 'audit.write', 'users.read', 'users.write',
  'billing.read', 'billing.write', 'shipping.read', 'shipping.write',
  'catalog.read', 'catalog.write', 'notifications.send', 'metrics.read',
  'orders:read', 'orders:write', 'payments:read', 'payments:write',
  'inventory:read', 'inventory:write', 'reports:read', 'audit:read',
  'users:read', 'users:write', 'billing:read', 'catalog:read',
  'api.read', 'api.write', 'admin', 'read', 'write',
];

// The audience of every access token unless the client asks for another
// resource indicator.
const DEFAULT_RESOURCE = 'urn:ecs-oauth:test-api';

const ACCESS_TOKEN_TTL_SECONDS = 3600;

const REGISTRATION_ROUTE = '/reg';

// Client metadata an IdP administrator may set that no RFC defines.
const CUSTOM_METADATA = ['x_cost_center'];

const PROFILES = new Set(['default', 'keycloak', 'okta']);
const profile = process.env.OIDC_PROFILE || 'default';
if (!PROFILES.has(profile)) {
  process.stderr.write(`unknown OIDC_PROFILE ${JSON.stringify(profile)}\n`);
  process.exit(2);
}

const scopes = (process.env.OIDC_SCOPES ?? '').split(/\s+/).filter(Boolean);
const providerScopes = scopes.length ? scopes : DEFAULT_SCOPES;

// Plain Maps, one per model name. The built-in memory adapter is an LRU of
// about 1,000 entries shared by clients and tokens: under load it silently
// drops clients, which would look like an IdP losing registrations.
const stores = new Map();

function storeFor(model) {
  let store = stores.get(model);
  if (!store) {
    store = new Map();
    stores.set(model, store);
  }
  return store;
}

class MapAdapter {
  constructor(model) {
    this.store = storeFor(model);
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    this.store.set(id, { payload, expiresAt });
  }

  async find(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    for (const [id, { payload }] of this.store) {
      if (payload.uid === uid) return this.find(id);
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [id, { payload }] of this.store) {
      if (payload.userCode === userCode) return this.find(id);
    }
    return undefined;
  }

  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(id);
  }

  async revokeByGrantId(grantId) {
    for (const [id, { payload }] of this.store) {
      if (payload.grantId === grantId) this.store.delete(id);
    }
  }
}

const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const config = {
  adapter: MapAdapter,
  scopes: providerScopes,
  routes: { registration: REGISTRATION_ROUTE },
  extraClientMetadata: { properties: CUSTOM_METADATA },
  jwks: {
    keys: [{
      ...signingKey.export({ format: 'jwk' }),
      kid: crypto.randomUUID(),
      use: 'sig',
      alg: 'RS256',
    }],
  },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  clientDefaults: {
    grant_types: ['client_credentials'],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  ttl: {
    ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    registration: { enabled: true, initialAccessToken: true },
    // Every PUT issues a new registration access token and kills the old one
    // at once, as Keycloak does: the strictest behaviour a client must survive.
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? DEFAULT_RESOURCE,
      useGrantedResource: async () => true,
      // Any absolute URI is a resource server that accepts every provider
      // scope; its tokens are RS256 JWTs a test can verify against the JWKS.
      getResourceServerInfo: async (_ctx, resourceIndicator) => ({
        audience: resourceIndicator,
        scope: providerScopes.join(' '),
        accessTokenFormat: 'jwt',
        accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
};

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, config);

// The okta profile's `service` clients: oidc-provider itself only knows `web`
// and `native`, so the field is taken off the request before the provider
// sees it and put back on every answer about such a client.
const serviceClients = new Set();

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readText(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// Okta's DCR: "service" is the application type of client_credentials clients,
// and a client_credentials registration of any other type is refused.
async function oktaApplicationType(ctx, next) {
  const create = ctx.method === 'POST' && ctx.path === REGISTRATION_ROUTE;
  const update = ctx.method === 'PUT' && ctx.path.startsWith(`${REGISTRATION_ROUTE}/`);
  if (!(create || update) || !ctx.is('application/json')) {
    await next();
    markServiceClient(ctx);
    return;
  }
  const text = await readText(ctx.req);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  // The request stream is spent: oidc-provider reads an already parsed body
  // from req.body (a string it parses itself, so bad JSON fails as usual).
  ctx.req.body = isObject(body) ? body : text;
  let service = false;
  if (isObject(body)) {
    const grants = Array.isArray(body.grant_types)
      ? body.grant_types
      : config.clientDefaults.grant_types;
    service = body.application_type === 'service';
    if (grants.includes('client_credentials') && !service) {
      ctx.status = 400;
      ctx.set('cache-control', 'no-store');
      ctx.body = {
        error: 'invalid_client_metadata',
        error_description: "'application_type' must be 'service' for the client_credentials grant",
      };
      return;
    }
    if (service) delete body.application_type;
  }
  await next();
  if (ctx.status < 300 && isObject(ctx.body) && typeof ctx.body.client_id === 'string') {
    if (service) serviceClients.add(ctx.body.client_id);
    else serviceClients.delete(ctx.body.client_id);
  }
  markServiceClient(ctx);
}

function markServiceClient(ctx) {
  if (isObject(ctx.body) && serviceClients.has(ctx.body.client_id)) {
    ctx.body.application_type = 'service';
  }
}

// Keycloak: every use of a registration access token, a read included, hands
// out a new one and kills the one used. oidc-provider's own option covers PUT.
async function keycloakRotateOnRead(ctx, next) {
  await next();
  if (ctx.oidc?.route !== 'client' || ctx.status !== 200 || !isObject(ctx.body)) return;
  const used = ctx.oidc.entities.RegistrationAccessToken;
  const rotated = new provider.RegistrationAccessToken({
    client: ctx.oidc.client,
    policies: used.policies,
  });
  await used.destroy();
  ctx.body.registration_access_token = await rotated.save();
}

if (profile === 'okta') provider.use(oktaApplicationType);
if (profile === 'keycloak') provider.use(keycloakRotateOnRead);

const providerCallback = provider.callback();

const initialAccessToken = await new provider.InitialAccessToken({}).save();

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function resetStores() {
  for (const [model, store] of stores) {
    if (model !== 'InitialAccessToken') store.clear();
  }
  serviceClients.clear();
}

// The stored metadata as the profile's server would show it.
function shown(metadata) {
  return serviceClients.has(metadata.client_id)
    ? { ...metadata, application_type: 'service' }
    : metadata;
}

async function patchClient(clientId, patch) {
  const entry = storeFor('Client').get(clientId);
  if (!entry) return undefined;
  const metadata = { ...entry.payload };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete metadata[key];
    else metadata[key] = value;
  }
  metadata.client_id = clientId;
  // Refuse what the provider itself could not load back, so that a bad patch
  // fails here and not as a baffling error on the next token request.
  await provider.Client.validate(metadata);
  entry.payload = metadata;
  return metadata;
}

async function handleTestHook(req, res) {
  const { pathname } = new URL(req.url, issuer);
  if (req.method === 'POST' && pathname === '/__test/reset') {
    resetStores();
    res.writeHead(204);
    res.end();
    return;
  }

  if (req.method === 'GET' && pathname === '/__test/clients') {
    sendJson(res, 200, [...storeFor('Client').values()].map((entry) => shown(entry.payload)));
    return;
  }

  const match = /^\/__test\/clients\/([^/]+)$/.exec(pathname);
  if (!match) {
    sendJson(res, 404, { error: 'not_found' });
    return;
  }
  const clientId = decodeURIComponent(match[1]);

  if (req.method === 'GET') {
    const entry = storeFor('Client').get(clientId);
    if (entry) sendJson(res, 200, shown(entry.payload));
    else sendJson(res, 404, { error: 'unknown_client' });
    return;
  }
  if (req.method === 'POST') {
    let patch;
    try {
      patch = await readJson(req);
    } catch (err) {
      sendJson(res, 400, { error: 'invalid_json', error_description: err.message });
      return;
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      sendJson(res, 400, { error: 'invalid_json', error_description: 'body must be a JSON object' });
      return;
    }
    try {
      const metadata = await patchClient(clientId, patch);
      if (metadata) sendJson(res, 200, shown(metadata));
      else sendJson(res, 404, { error: 'unknown_client' });
    } catch (err) {
      sendJson(res, 400, {
        error: err.error ?? 'invalid_client_metadata',
        error_description: err.error_description ?? err.message,
      });
    }
    return;
  }
  sendJson(res, 405, { error: 'method_not_allowed' });
}

server.on('request', (req, res) => {
  if (req.url.startsWith('/__test/')) {
    handleTestHook(req, res).catch((err) => {
      sendJson(res, 500, { error: 'server_error', error_description: err.message });
    });
  } else {
    providerCallback(req, res);
  }
});

if (process.env.EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

process.stdout.write(`${JSON.stringify({ ready: true, issuer, initialAccessToken, profile })}\n`);

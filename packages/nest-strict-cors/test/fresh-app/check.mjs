// Black-box checks of the fresh app: `node check.mjs <port> <label>`. Prints one line per check
// and exits 1 when any fails.
import { request } from 'node:http';

const [port, label, mode] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

function send(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let failed = 0;
function check(name, ok, detail) {
  if (!ok) failed++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${name}${ok ? '' : ` (${detail})`}\n`);
}
const json = { 'Content-Type': 'application/json' };
const calls = async () => JSON.parse((await send('GET', '/calls')).body);

const pre = await send('OPTIONS', '/greet', {
  Origin: APP,
  'Access-Control-Request-Method': 'POST',
  'Access-Control-Request-Headers': 'content-type',
});
check(
  'allowed preflight: 204, exact origin, methods, headers, max-age, full Vary',
  pre.status === 204 &&
    pre.headers['access-control-allow-origin'] === APP &&
    pre.headers['access-control-allow-methods'] === 'GET, HEAD, POST' &&
    pre.headers['access-control-allow-headers'] === 'content-type' &&
    pre.headers['access-control-max-age'] === '600' &&
    pre.headers.vary === 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  JSON.stringify([pre.status, pre.headers]),
);

const before = await calls();
for (const origin of [
  'https://APP.example.com',
  'https://app.example.com:443',
  'null',
  'https://app.example.com.evil.com',
  'https://evilapp.example.com',
  'http://app.example.com',
  'https://app.example.com/',
]) {
  const refused = await send('POST', '/greet', { Origin: origin, ...json }, '{"name":"x"}');
  check(
    `refused ${JSON.stringify(origin)}: 403 JSON, no Allow-Origin, Vary: Origin`,
    refused.status === 403 &&
      JSON.parse(refused.body).message === 'Origin not allowed' &&
      refused.headers['access-control-allow-origin'] === undefined &&
      refused.headers.vary === 'Origin',
    JSON.stringify([refused.status, refused.headers, refused.body]),
  );
  const preflight = await send('OPTIONS', '/greet', {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
  });
  check(`refused preflight ${JSON.stringify(origin)}: 403`, preflight.status === 403, preflight.status);
}
check('the handler never ran for a refused origin', (await calls()).greet === before.greet, JSON.stringify(await calls()));

const ok = await send('POST', '/greet', { Origin: APP, ...json }, '{"name":"Ada"}');
check(
  'allowed POST: 200 with the exact origin and Vary: Origin',
  ok.status === 200 && ok.headers['access-control-allow-origin'] === APP && ok.headers.vary === 'Origin',
  JSON.stringify([ok.status, ok.headers]),
);
const bad = await send('POST', '/greet', { Origin: APP, ...json }, '{"name":7}');
check(
  "a handler's 400 keeps the CORS headers and Vary",
  bad.status === 400 && bad.headers['access-control-allow-origin'] === APP && bad.headers.vary === 'Origin',
  JSON.stringify([bad.status, bad.headers]),
);
const plain = await send('POST', '/greet', json, '{"name":"Ada"}');
check(
  'no Origin: served, no CORS headers',
  plain.status === 200 && plain.headers['access-control-allow-origin'] === undefined,
  JSON.stringify([plain.status, plain.headers]),
);
const pub = await send('GET', '/languages', { Origin: 'https://anyone.example' });
check(
  'public @CorsPolicy({ origins: "*" }) route: `*` without credentials',
  pub.status === 200 &&
    pub.headers['access-control-allow-origin'] === '*' &&
    pub.headers['access-control-allow-credentials'] === undefined,
  JSON.stringify([pub.status, pub.headers]),
);
const adminPre = await send('OPTIONS', '/admin', { Origin: ADMIN, 'Access-Control-Request-Method': 'POST' });
check(
  'credentials route: its preflight carries Allow-Credentials: true',
  adminPre.status === 204 &&
    adminPre.headers['access-control-allow-origin'] === ADMIN &&
    adminPre.headers['access-control-allow-credentials'] === 'true',
  JSON.stringify([adminPre.status, adminPre.headers]),
);
const admin = await send('POST', '/admin', { Origin: ADMIN });
check(
  'credentials route: its answer carries Allow-Credentials: true',
  admin.status === 200 && admin.headers['access-control-allow-credentials'] === 'true',
  JSON.stringify([admin.status, admin.headers]),
);
const adminRefused = await send('POST', '/admin', { Origin: APP });
check("the module's origin is refused on the route's policy", adminRefused.status === 403, adminRefused.status);

if (mode === 'before-routing') {
  const missing = await send('GET', '/nowhere', { Origin: APP });
  check(
    "before routing: the platform's 404 carries the CORS headers",
    missing.status === 404 && missing.headers['access-control-allow-origin'] === APP,
    JSON.stringify([missing.status, missing.headers]),
  );
  const refusedMalformed = await send('POST', '/greet', { Origin: 'https://evil.example', ...json }, '{"name":');
  check(
    'before routing: a refused malformed body gets the 403, never the parser',
    refusedMalformed.status === 403,
    refusedMalformed.status,
  );
  const malformed = await send('POST', '/greet', { Origin: APP, ...json }, '{"name":');
  check(
    "before routing: the body parser's 400 carries the CORS headers",
    malformed.status === 400 && malformed.headers['access-control-allow-origin'] === APP,
    JSON.stringify([malformed.status, malformed.headers]),
  );
}

process.exit(failed === 0 ? 0 : 1);

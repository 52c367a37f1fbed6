// Drives the demo site through the edge in Debian's chromium (playwright-core, no downloaded
// browser). Run by tests/integration/site_browser_test.cc; also by hand against a running demo:
//
//   node tests/browser/site.mjs http://127.0.0.1:8080 /tmp/shots
//
// Registers (first with a bad email: the API's 400 must show next to the field), waits on the
// result page until the certificate image has loaded through the edge with the signed cookies
// the API set, finds the registration on the history page, saves form.png, result.png and
// history.png into OUTDIR, and checks that static files come from the edge's cache on a second
// load and that no page logged a console error. Exit 0 when all holds, 1 otherwise (the reason
// on stderr).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, failRun, launchChromium } from './chromium.mjs';

const [edge, outDir] = process.argv.slice(2);
if (!edge || !outDir) {
  console.error('usage: node site.mjs EDGE_URL OUTDIR');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error('site.mjs: timed out after 80 s');
  process.exit(1);
}, 80_000);

mkdirSync(outDir, { recursive: true });
const context = await launchChromium('edged-site-chromium-', { width: 1000, height: 800 });

// Console errors and uncaught exceptions fail the run, except the HTTP errors a step provokes on
// purpose (chromium logs a 400 answer to fetch() as "Failed to load resource").
const consoleErrors = [];
let expectedHttpError = null;
const watched = new WeakSet();
function watch(page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (expectedHttpError && text.includes(`status of ${expectedHttpError}`)) return;
    consoleErrors.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: uncaught ${err.message}`));
}
context.on('page', watch);

const summary = {};
try {
  const page = context.pages()[0] || (await context.newPage());
  watch(page);

  // Static files as the browser loaded them: remember the Accept-Encoding it sent, so the second
  // load below asks for the same cache entry (the key holds the normalised encoding).
  let acceptEncoding = null;
  page.on('request', async (req) => {
    if (req.url().includes('/vendor/mdl/material.min.css') && !acceptEncoding) {
      acceptEncoding = (await req.allHeaders())['accept-encoding'] || null;
    }
  });

  // 1. The form: sessions from the API, MDL upgraded.
  const first = await page.goto(`${edge}/`);
  check(first.status() === 200, `GET / answered ${first.status()}`);
  await page.waitForFunction(() => document.querySelectorAll('#session option').length > 1 &&
    !document.getElementById('session').disabled, null, { timeout: 15000 });
  await page.waitForFunction(() => window.componentHandler &&
    document.querySelector('.mdl-js-textfield').classList.contains('is-upgraded'), null, { timeout: 10000 });
  const sessions = await page.$$eval('#session option', (os) => os.map((o) => o.value).filter(Boolean));
  summary.sessions = sessions;

  // 2. A bad email: the API's 400 shows next to the email field.
  const email = `ada.${Date.now()}@example.org`;
  await page.fill('#name', 'Ada Lovelace');
  await page.fill('#email', 'not-an-email');
  await page.fill('#affiliation', 'Analytical Engines Ltd');
  await page.selectOption('#session', sessions[0]);
  expectedHttpError = 400;
  await page.click('#submit');
  await page.waitForFunction(() => document.querySelector('[data-error-for="email"]').textContent !== '',
    null, { timeout: 10000 });
  expectedHttpError = null;
  check(await page.$eval('[data-field="email"]', (e) => e.classList.contains('is-invalid')),
    'the email field is not marked invalid after the 400');
  check(await page.$eval('[data-error-for="name"]', (e) => e.textContent === ''),
    'the valid name field shows an error');
  summary.emailError = await page.textContent('[data-error-for="email"]');
  await page.screenshot({ path: join(outDir, 'form-errors.png') });

  // 3. Register for real.
  await page.fill('#email', email);
  check(await page.$eval('[data-error-for="email"]', (e) => e.textContent === ''),
    'editing the email did not clear its error');
  await page.screenshot({ path: join(outDir, 'form.png') });
  const posted = page.waitForResponse((r) => r.url() === `${edge}/api/registrations` &&
    r.request().method() === 'POST');
  await page.click('#submit');
  const created = await posted;
  check(created.status() === 201, `POST /api/registrations answered ${created.status()}`);
  await page.waitForURL(/\/result\.html\?id=r_[a-z2-7]+$/, { timeout: 10000 });
  const id = new URL(page.url()).searchParams.get('id');
  summary.id = id;

  // 4. The result page polls until issued, then shows the certificate through the edge.
  const certResponse = page.waitForResponse((r) => r.url().startsWith(`${edge}/certificates/`),
    { timeout: 30000 });
  await page.waitForSelector('#certificate[data-loaded]', { timeout: 30000 });
  check(await page.$eval('#certificate', (e) => e.dataset.loaded) === 'true',
    'the certificate image failed to load');
  const cert = await certResponse;
  check(cert.status() === 200, `certificate answered ${cert.status()}`);
  check(cert.url() === `${edge}/certificates/${id}.svg`, `certificate URL ${cert.url()}`);
  const certHeaders = await cert.allHeaders();
  check(/cloudfront/.test(certHeaders['x-cache'] || ''), `certificate without X-Cache: ${JSON.stringify(certHeaders)}`);
  check((certHeaders['content-type'] || '').startsWith('image/svg+xml'), `certificate type ${certHeaders['content-type']}`);
  const cookieHeader = (await cert.request().allHeaders()).cookie || '';
  for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
    check(cookieHeader.includes(`${name}=`), `certificate request without ${name}: ${cookieHeader}`);
  }
  const size = await page.$eval('#certificate-img', (img) => [img.naturalWidth, img.naturalHeight]);
  check(size[0] > 0 && size[1] > 0, `certificate natural size ${size}`);
  check(await page.textContent('#status') !== 'pending', 'status still pending');
  summary.certificate = { url: cert.url(), naturalSize: size, xCache: certHeaders['x-cache'] };
  await page.waitForTimeout(300);  // let the MDL spinner's fade end
  await page.screenshot({ path: join(outDir, 'result.png'), fullPage: true });

  // Without the cookies the edge refuses the certificate (403 from the signed behaviour).
  const bare = await fetch(`${edge}/certificates/${id}.svg`);
  check(bare.status === 403, `certificate without cookies answered ${bare.status}`);

  // 5. History: the registration is listed and links to its result page.
  await page.click('#history-link');
  await page.waitForURL(/\/history\.html\?email=/);
  await page.waitForSelector(`tr[data-id="${id}"]`, { timeout: 10000 });
  // Also through the form, as a visitor would.
  await page.goto(`${edge}/history.html`);
  await page.fill('#email', email.toUpperCase());
  await page.click('#lookup');
  const row = await page.waitForSelector(`tr[data-id="${id}"]`, { timeout: 10000 });
  check(await row.$eval('a', (a) => a.getAttribute('href')) === `/result.html?id=${id}`,
    'history row does not link to the result page');
  check(/issued/.test(await row.textContent()), 'history row not issued');
  await page.screenshot({ path: join(outDir, 'history.png'), fullPage: true });

  // 6. A second load of the static files is a cache hit at the edge.
  summary.secondLoad = {};
  for (const path of ['/', '/index.html', '/vendor/mdl/material.min.css', '/vendor/mdl/material.min.js']) {
    const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
    let r = await page.request.get(`${edge}${path}`, { headers });
    if (path === '/index.html') r = await page.request.get(`${edge}${path}`, { headers });  // the browser asked for / only
    const xCache = r.headers()['x-cache'];
    summary.secondLoad[path] = xCache;
    check(r.status() === 200, `${path} answered ${r.status()}`);
    check(xCache === 'Hit from cloudfront', `${path} second load: X-Cache ${xCache}`);
  }

  check(consoleErrors.length === 0, `console errors:\n  ${consoleErrors.join('\n  ')}`);
  console.log(JSON.stringify(summary, null, 2));
  await context.close();
  clearTimeout(deadline);
} catch (e) {
  await failRun('site.mjs', context, outDir, e, consoleErrors, summary);
}

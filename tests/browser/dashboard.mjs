// Drives the admin dashboard (GET / on Edge.AdminListen) in Debian's chromium (playwright-core,
// no downloaded browser). Run by tests/integration/dashboard_browser_test.cc; also by hand
// against a running edged in front of the tests' test_origin (the load asks for /size/N), given
// its admin and viewer listeners:
//
//   node tests/browser/dashboard.mjs http://127.0.0.1:8090 http://127.0.0.1:8080 /tmp/shots
//
// Loads the page, then sends viewer requests to the edge for about 8 s (a bounded loop: a few
// keys requested again and again, so most are hits, plus a fresh key now and then) while it
// checks that the three charts gain points and show the traffic; waits for the top-keys table
// to list the keys and, after an invalidation it posts, the invalidations table to list it;
// submits the explain form and checks the answer; saves dashboard.png into OUTDIR. Fails on any
// console error. Exit 0 when all holds, 1 otherwise (the reason on stderr).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, failRun, launchChromium } from './chromium.mjs';

const [admin, edge, outDir] = process.argv.slice(2);
if (!admin || !edge || !outDir) {
  console.error('usage: node dashboard.mjs ADMIN_URL EDGE_URL OUTDIR');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error('dashboard.mjs: timed out after 80 s');
  process.exit(1);
}, 80_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

mkdirSync(outDir, { recursive: true });
const context = await launchChromium('edged-dashboard-chromium-', { width: 1280, height: 1000 });

const consoleErrors = [];
const summary = {};

// Viewer traffic: `workers` concurrent loops for `ms`, each request awaited (bounded in time
// and, by the loop's own pace, in count). Eight keys reused, one new key every tenth request.
async function load(ms, workers = 4) {
  const until = Date.now() + ms;
  let sent = 0;
  let failed = 0;
  async function loop(w) {
    for (let i = 0; Date.now() < until && sent < 100000; i += 1) {
      const path = i % 10 === 9 ? `/size/512?fresh=${w}-${i}` : `/size/1024?item=${(i + w) % 8}`;
      sent += 1;
      try {
        const r = await fetch(`${edge}${path}`);
        await r.arrayBuffer();
        if (r.status !== 200) failed += 1;
      } catch {
        failed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return { sent, failed };
}

const chartState = (page) => page.evaluate(() => {
  const d = window.edgedDashboard;
  const points = (id) => Number(document.getElementById(id).dataset.points);
  const max = (arr) => arr.reduce((m, v) => (v !== null && v > m ? v : m), -1);
  return {
    points: { rate: points('chart-rate'), hit: points('chart-hit'), offload: points('chart-offload') },
    uplotLengths: Object.fromEntries(Object.entries(d.state.charts).map(([k, u]) => [k, u.data[0].length])),
    maxRate: max(d.samples.rate),
    maxHit: max(d.samples.hit),
    maxOffload: max(d.samples.offload),
    polls: d.state.polls,
    errors: d.state.errors,
  };
});

try {
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: uncaught ${err.message}`));
  page.on('requestfailed', (req) => consoleErrors.push(`request failed: ${req.url()}`));

  // 1. The page and its files, all from the admin listener.
  const first = await page.goto(`${admin}/`);
  check(first.status() === 200, `GET / answered ${first.status()}`);
  check((first.headers()['content-type'] || '').startsWith('text/html'), 'GET / is not HTML');
  await page.waitForSelector('#status[data-state="live"]', { timeout: 10000 });
  await page.waitForFunction(() => Number(document.getElementById('chart-rate').dataset.points) >= 1,
    null, { timeout: 10000 });
  const before = await chartState(page);
  summary.before = before;
  check(await page.$$eval('.uplot', (els) => els.length) === 3, 'not three uPlot charts');

  // 2. Load: the charts gain a point a second and show it.
  const loaded = load(8000);
  const during = [];
  for (let i = 0; i < 4; i += 1) {
    await sleep(2000);
    during.push(await chartState(page));
  }
  summary.load = await loaded;
  check(summary.load.sent > 50 && summary.load.failed === 0,
    `load: ${JSON.stringify(summary.load)}`);
  await sleep(1500);  // the poll after the last request
  const after = await chartState(page);
  summary.during = during.map((s) => s.points.rate);
  summary.after = after;
  check(after.points.rate >= before.points.rate + 5,
    `the rate chart went from ${before.points.rate} to ${after.points.rate} points in ~9.5 s`);
  // A point a second: every 2 s look should see new ones (one slow look is tolerated: two cores
  // run edged, chromium and the load together).
  const grew = during.filter((s, i) => s.points.rate > (i ? during[i - 1] : before).points.rate);
  check(grew.length >= 3, `the charts did not update while the load ran: ${summary.during}`);
  for (const key of ['rate', 'hit', 'offload']) {
    check(after.points[key] === after.points.rate, `chart ${key} has ${after.points[key]} points`);
    check(after.uplotLengths[key] === after.points[key], `uPlot ${key} holds ${after.uplotLengths[key]}`);
  }
  check(after.maxRate > 5, `max request rate ${after.maxRate}`);
  check(after.maxHit > 50, `max hit ratio ${after.maxHit} %`);
  check(after.maxOffload > 50, `max origin offload ${after.maxOffload} %`);
  check(after.errors === 0, `${after.errors} failed polls`);
  summary.tiles = {
    rate: await page.textContent('#now-rate'),
    hit: await page.textContent('#now-hit'),
    offload: await page.textContent('#now-offload'),
    objects: await page.textContent('#now-objects'),
  };

  // 3. Top keys (polled every 5 s): the reused keys, with hits and TTL left.
  await page.waitForSelector('#keys tr[data-path^="/size/1024?item="]', { timeout: 12000 });
  const firstRow = await page.$eval('#keys tbody tr', (tr) =>
    Array.from(tr.cells).map((c) => c.textContent));
  summary.topKey = firstRow;
  check(firstRow[0].startsWith('/size/1024?item='), `top key ${firstRow[0]}`);
  check(Number(firstRow[1].replace(/,/g, '')) > 5, `top key hits ${firstRow[1]}`);
  check(/^\d+ (s|min)$/.test(firstRow[4]), `top key TTL left ${firstRow[4]}`);

  // 4. An invalidation (of the one-off keys) shows up in its table.
  const created = await fetch(`${admin}/invalidations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ CallerReference: `dash-${Date.now()}`, Paths: { Quantity: 1, Items: ['/size/512*'] } }),
  });
  check(created.status === 201, `POST /invalidations answered ${created.status}`);
  const id = (await created.json()).Invalidation.Id;
  await page.waitForSelector(`#invalidations tr[data-id="${id}"]`, { timeout: 12000 });
  summary.invalidation = await page.textContent(`#invalidations tr[data-id="${id}"]`);

  // 5. The explain form.
  await page.fill('#explain-url', '/size/1024?item=3');
  await page.selectOption('#explain-method', 'GET');
  await page.fill('#explain-headers', 'Accept-Encoding: gzip');
  await page.click('#explain-submit');
  await page.waitForSelector('#explain-output[data-state="done"]', { timeout: 10000 });
  const text = await page.textContent('#explain-result');
  check(text.startsWith('request: GET /size/1024?item=3\n'), `explain text: ${text}`);
  check(text.includes('Accept-Encoding: gzip') && text.includes('ttl: '), `explain text: ${text}`);
  summary.explainSummary = await page.$$eval('#explain-summary dd', (dds) => dds.map((d) => d.textContent));
  summary.explainLines = text.split('\n').length;

  // 6. The screenshot, once the latest point is drawn.
  await sleep(1200);
  await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });

  check(consoleErrors.length === 0, `console errors:\n  ${consoleErrors.join('\n  ')}`);
  console.log(JSON.stringify(summary, null, 2));
  await context.close();
  clearTimeout(deadline);
} catch (e) {
  await failRun('dashboard.mjs', context, outDir, e, consoleErrors, summary);
}

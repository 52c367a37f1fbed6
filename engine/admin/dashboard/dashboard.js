// The edged admin dashboard: polls GET /stats every second and keeps the last five minutes of
// request rate, hit ratio and origin offload in memory (nothing is stored server-side), drawn
// with uPlot; GET /cache/keys and GET /invalidations every five seconds for the tables; the
// explain form calls GET /explain. Same origin only.
//
// For tests: every chart's element carries data-points (the points plotted), and
// window.edgedDashboard exposes the samples and the uPlot instances.
'use strict';

(() => {
  const WINDOW_SECONDS = 300;
  const POLL_MS = 1000;
  const TABLE_POLL_MS = 5000;

  const $ = (id) => document.getElementById(id);
  const samples = { t: [], rate: [], hit: [], offload: [] };
  const state = { prev: null, polls: 0, errors: 0, charts: {} };
  window.edgedDashboard = { samples, state };

  // ---- numbers -------------------------------------------------------------------------------

  function fmtCount(n) {
    return Number(n).toLocaleString('en-US');
  }
  function fmtBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = Number(n);
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i += 1;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  }
  function fmtDuration(seconds) {
    const s = Math.abs(Math.round(seconds));
    if (s < 120) return `${s} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} d`;
  }
  function fmtPercent(v) {
    return v === null || v === undefined ? '–' : `${v.toFixed(1)} %`;
  }

  // The totals a sample is computed from (GET /stats: monotonic counters).
  function totalsOf(stats) {
    const r = stats.ResultTypes || {};
    return {
      requests: stats.Requests,
      hits: (r.Hit || 0) + (r.RefreshHit || 0),
      misses: r.Miss || 0,
      fetches: stats.OriginFetches,
    };
  }

  // One point from two polls `seconds` apart: requests/s, hit ratio (hits ÷ (hits + misses)) and
  // origin offload (1 − origin fetches ÷ requests), both in percent, null without traffic.
  function pointBetween(a, b, seconds) {
    const requests = Math.max(0, b.requests - a.requests);
    const hits = Math.max(0, b.hits - a.hits);
    const misses = Math.max(0, b.misses - a.misses);
    const fetches = Math.max(0, b.fetches - a.fetches);
    const offload = requests > 0 ? Math.min(1, Math.max(0, 1 - fetches / requests)) : null;
    return {
      rate: requests / seconds,
      hit: hits + misses > 0 ? (100 * hits) / (hits + misses) : null,
      offload: offload === null ? null : 100 * offload,
    };
  }

  // ---- charts --------------------------------------------------------------------------------

  const chartSpecs = [
    { key: 'rate', id: 'chart-rate', label: 'requests/s', stroke: '#1559b3', fill: 'rgba(21,89,179,.12)', percent: false },
    { key: 'hit', id: 'chart-hit', label: 'hit ratio', stroke: '#1e7a34', fill: 'rgba(30,122,52,.12)', percent: true },
    { key: 'offload', id: 'chart-offload', label: 'origin offload', stroke: '#7b2c99', fill: 'rgba(123,44,153,.12)', percent: true },
  ];

  function chartWidth(el) {
    return Math.max(280, Math.floor(el.clientWidth || 360));
  }

  function makeChart(spec) {
    const el = $(spec.id);
    const value = spec.percent ? (u, v) => (v === null ? '–' : `${v.toFixed(1)} %`)
      : (u, v) => (v === null ? '–' : v.toFixed(1));
    const opts = {
      width: chartWidth(el),
      height: 200,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: spec.percent ? { range: [0, 100] } : { range: (u, min, max) => [0, Math.max(1, max * 1.15)] },
      },
      axes: [
        { stroke: '#5a6675', grid: { stroke: '#eef1f5' } },
        {
          stroke: '#5a6675',
          grid: { stroke: '#eef1f5' },
          size: 52,
          values: (u, vals) => vals.map((v) => (spec.percent ? `${v} %` : `${v}`)),
        },
      ],
      series: [
        { value: (u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
        { label: spec.label, stroke: spec.stroke, fill: spec.fill, width: 2, value, spanGaps: false },
      ],
    };
    const chart = new uPlot(opts, [[], []], el);
    state.charts[spec.key] = chart;
    return chart;
  }

  function redraw() {
    for (const spec of chartSpecs) {
      const chart = state.charts[spec.key];
      if (!chart) continue;
      chart.setData([samples.t.slice(), samples[spec.key].slice()]);
      const el = $(spec.id);
      el.dataset.points = String(samples.t.length);
      const last = samples[spec.key][samples[spec.key].length - 1];
      const shown = last === null || last === undefined ? 'no traffic'
        : spec.percent ? fmtPercent(last) : last.toFixed(1);
      el.setAttribute('aria-label', `${spec.label}, last value ${shown}`);
    }
  }

  function resizeCharts() {
    for (const spec of chartSpecs) {
      const chart = state.charts[spec.key];
      if (chart) chart.setSize({ width: chartWidth($(spec.id)), height: 200 });
    }
  }

  // ---- polling -------------------------------------------------------------------------------

  function setStatus(kind, text) {
    const el = $('status');
    el.dataset.state = kind;
    el.textContent = text;
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && body.Error ? body.Error.Message : `HTTP ${response.status}`;
      throw new Error(`${path}: ${message}`);
    }
    return body;
  }

  function addSample(stats) {
    const now = performance.now();
    const totals = totalsOf(stats);
    if (state.prev) {
      const seconds = (now - state.prev.at) / 1000;
      if (seconds > 0.2) {
        const p = pointBetween(state.prev.totals, totals, seconds);
        samples.t.push(Date.now() / 1000);
        samples.rate.push(p.rate);
        samples.hit.push(p.hit);
        samples.offload.push(p.offload);
        const cutoff = Date.now() / 1000 - WINDOW_SECONDS;
        while (samples.t.length && samples.t[0] < cutoff) {
          for (const k of Object.keys(samples)) samples[k].shift();
        }
      }
    }
    state.prev = { at: now, totals };
  }

  // A value over the whole window: the ratio of the summed numerators, not the mean of ratios.
  function updateTiles(stats) {
    const n = samples.t.length;
    $('now-rate').textContent = n ? samples.rate[n - 1].toFixed(1) : '–';
    const lastDefined = (arr) => {
      for (let i = arr.length - 1; i >= 0; i -= 1) if (arr[i] !== null) return arr[i];
      return null;
    };
    $('now-hit').textContent = fmtPercent(lastDefined(samples.hit));
    $('now-offload').textContent = fmtPercent(lastDefined(samples.offload));
    $('now-requests').textContent = fmtCount(stats.Requests);
    const cache = stats.Cache || {};
    $('now-objects').textContent = cache.Objects === undefined ? '–' : fmtCount(cache.Objects);
    $('now-bytes').textContent = cache.Bytes === undefined ? '–' : fmtBytes(cache.Bytes);
  }

  async function pollStats() {
    try {
      const body = await getJson('/stats');
      addSample(body.Stats);
      state.polls += 1;
      redraw();
      updateTiles(body.Stats);
      setStatus('live', `Live · ${body.Stats.Workers} worker${body.Stats.Workers === 1 ? '' : 's'} · updated ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      state.errors += 1;
      setStatus('error', `Cannot reach the admin API (${e.message}); retrying`);
    }
    setTimeout(pollStats, POLL_MS);
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function fillTable(tbody, items, columns, emptyText, render) {
    tbody.replaceChildren();
    if (!items.length) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      const td = cell(tr, emptyText);
      td.colSpan = columns;
      tbody.appendChild(tr);
      return;
    }
    for (const item of items) {
      const tr = document.createElement('tr');
      render(tr, item);
      tbody.appendChild(tr);
    }
  }

  function renderKeys(body) {
    const items = body.CacheKeys.Items;
    fillTable($('keys').tBodies[0], items, 6, 'Nothing cached yet.', (tr, k) => {
      tr.dataset.path = k.Path;
      cell(tr, k.Path, 'path').title = k.Key;
      cell(tr, fmtCount(k.Hits), 'num');
      cell(tr, fmtBytes(k.BodyBytes), 'num');
      cell(tr, fmtDuration(k.AgeSeconds), 'num');
      cell(tr, k.TtlLeftSeconds >= 0 ? fmtDuration(k.TtlLeftSeconds) : `−${fmtDuration(k.TtlLeftSeconds)}`, 'num');
      cell(tr, k.Freshness, `state-${k.Freshness}`);
    });
  }

  function renderInvalidations(body) {
    const items = body.InvalidationList.Items;
    fillTable($('invalidations').tBodies[0], items, 4, 'No invalidation yet.', (tr, inv) => {
      tr.dataset.id = inv.Id;
      cell(tr, inv.Id, 'path');
      cell(tr, new Date(inv.CreateTime).toLocaleString());
      cell(tr, inv.Status);
      cell(tr, fmtCount(inv.ObjectsInvalidated), 'num');
    });
  }

  async function pollTables() {
    const [keys, invalidations] = await Promise.allSettled([
      getJson('/cache/keys?MaxItems=15'),
      getJson('/invalidations?MaxItems=10'),
    ]);
    if (keys.status === 'fulfilled') renderKeys(keys.value);
    if (invalidations.status === 'fulfilled') renderInvalidations(invalidations.value);
    setTimeout(pollTables, TABLE_POLL_MS);
  }

  // ---- explain -------------------------------------------------------------------------------

  // encodeURIComponent, not URLSearchParams: the admin API does not read '+' as a space.
  function explainQuery(url, method, headerText) {
    const parts = [`url=${encodeURIComponent(url)}`, `method=${encodeURIComponent(method)}`];
    for (const line of headerText.split('\n')) {
      if (line.trim()) parts.push(`h=${encodeURIComponent(line.trim())}`);
    }
    return parts.join('&');
  }

  function showExplanation(ex) {
    const dl = $('explain-summary');
    dl.replaceChildren();
    const rows = [
      ['Request', ex.Request],
      ['Behaviour', `${ex.Behavior} (PathPattern ${ex.PathPattern}) → ${ex.TargetOriginId}`],
      ['Method allowed', ex.MethodAllowed ? 'yes' : 'no (403)'],
      ['Cache key', ex.CacheKey],
      ['TTL', ex.Ttl],
      ['Origin URL', ex.OriginUrl || '–'],
    ];
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dl.append(dt, dd);
    }
    $('explain-result').textContent = ex.Text;
  }

  async function explain(event) {
    event.preventDefault();
    const out = $('explain-output');
    const button = $('explain-submit');
    const url = $('explain-url').value.trim();
    if (!url) return;
    button.disabled = true;
    out.dataset.state = 'loading';
    try {
      const query = explainQuery(url, $('explain-method').value, $('explain-headers').value);
      const response = await fetch(`/explain?${query}`, { cache: 'no-store' });
      const body = await response.json();
      if (!response.ok || !body.Explanation) {
        const err = body && body.Error ? body.Error : { Message: `HTTP ${response.status}` };
        $('explain-summary').replaceChildren();
        $('explain-result').textContent = err.Message;
        out.dataset.state = 'error';
      } else {
        showExplanation(body.Explanation);
        out.dataset.state = 'done';
      }
    } catch (e) {
      $('explain-summary').replaceChildren();
      $('explain-result').textContent = `The admin API did not answer: ${e.message}`;
      out.dataset.state = 'error';
    } finally {
      button.disabled = false;
    }
  }

  // ---- start ---------------------------------------------------------------------------------

  function start() {
    for (const spec of chartSpecs) makeChart(spec);
    let pending = null;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(resizeCharts, 100);
    });
    $('explain-form').addEventListener('submit', explain);
    pollStats();
    pollTables();
  }

  if (typeof uPlot !== 'function') {
    setStatus('error', 'uPlot did not load: the charts are off');
    return;
  }
  start();
})();

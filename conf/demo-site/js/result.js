// result.html?id=…: one registration (GET /api/registrations/<id>), polled every second while
// pending. Once issued, that same GET answer sets the CloudFront signed cookies for
// /certificates/, so the certificate image then loads through the edge's signed behaviour.
import { api, showConference, showMessage, formatTime, historyUrl } from './api.js';

const id = new URLSearchParams(window.location.search).get('id');
const details = document.getElementById('details');
const pending = document.getElementById('pending');
const figure = document.getElementById('certificate');
const img = document.getElementById('certificate-img');
const status = document.getElementById('status');

function render(r) {
  for (const dd of details.querySelectorAll('[data-key]')) {
    const key = dd.dataset.key;
    dd.textContent = key === 'createdAt' ? formatTime(r[key]) : (r[key] || '—');
  }
  status.textContent = r.status === 'issued' ? `issued ${formatTime(r.issuedAt)}` : r.status;
  status.dataset.status = r.status;
  details.hidden = false;
  pending.hidden = r.status !== 'pending';
  document.getElementById('history-link').href = historyUrl(r.email);
}

function showCertificate(url) {
  img.addEventListener('load', () => {
    figure.dataset.loaded = 'true';
  }, { once: true });
  img.addEventListener('error', () => {
    figure.dataset.loaded = 'false';
    showMessage('The certificate could not be loaded through the edge (signed cookies missing or expired?). Reload the page to try again.');
  }, { once: true });
  img.src = url;
  document.getElementById('certificate-link').href = url;
  figure.hidden = false;
}

async function poll() {
  try {
    const r = await api(`/api/registrations/${encodeURIComponent(id)}`);
    showMessage('');
    render(r);
    if (r.status === 'issued' && r.certificateUrl) {
      showCertificate(r.certificateUrl);
      return;
    }
    setTimeout(poll, 1000);
  } catch (e) {
    if (e.status === 404) {
      showMessage('There is no registration with this id.');
      pending.hidden = true;
      return;
    }
    // Network errors and 5xx: say so and keep trying.
    showMessage(`${e.message} Retrying…`);
    setTimeout(poll, 2000);
  }
}

showConference('Registration');
if (id) {
  poll();
} else {
  showMessage('No registration id in the address (result.html?id=…).');
}

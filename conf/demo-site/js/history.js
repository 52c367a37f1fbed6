// history.html: the registrations of one email (GET /api/registrations?email=), newest first,
// each linking to its result page. ?email= in the page URL looks it up at once.
import { api, ApiError, showConference, clearFieldErrors, showFieldErrors, showMessage, watchFields, setFieldValue,
  formatTime, resultUrl, historyUrl } from './api.js';

const form = document.getElementById('history-form');
const table = document.getElementById('registrations');
const empty = document.getElementById('empty');
const button = document.getElementById('lookup');

function cell(content) {
  const td = document.createElement('td');
  td.className = 'mdl-data-table__cell--non-numeric';
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function render(registrations) {
  const rows = registrations.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    const link = document.createElement('a');
    link.href = resultUrl(r.id);
    link.textContent = r.sessionTitle || r.session;
    const status = document.createElement('span');
    status.className = 'site-status';
    status.dataset.status = r.status;
    status.textContent = r.status;
    tr.append(cell(link), cell(r.name), cell(formatTime(r.createdAt)), cell(status));
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = rows.length === 0;
  empty.hidden = rows.length !== 0;
}

async function lookUp(email) {
  clearFieldErrors(form);
  showMessage('');
  button.disabled = true;
  try {
    const { registrations } = await api(`/api/registrations?email=${encodeURIComponent(email)}`);
    render(registrations);
    history.replaceState(null, '', historyUrl(email));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    table.hidden = true;
    empty.hidden = true;
    const unplaced = showFieldErrors(form, e.errors);
    showMessage(unplaced.length ? unplaced.join('. ') : e.message);
  } finally {
    button.disabled = false;
  }
}

showConference('My registrations');
watchFields(form);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  lookUp(form.elements.email.value.trim());
});
const initial = new URLSearchParams(window.location.search).get('email');
if (initial) {
  setFieldValue(form.elements.email, initial);
  lookUp(initial);
}

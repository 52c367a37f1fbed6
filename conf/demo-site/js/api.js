// Same-origin calls to the registration API behind the edge's /api/* behaviour, and the form
// helpers the three pages share (field errors next to MDL text fields, the message line).

// An API call that did not end in a 2xx. `status` is 0 for a network error (no answer at all);
// `errors` holds the 400/409 body's [{field, message}] list.
export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

// GET or POST `path` (JSON both ways). Resolves with the parsed body of a 2xx answer; rejects
// with ApiError otherwise. Cookies go with it (same origin), so the signed cookies that
// GET /api/registrations/<id> sets apply to the certificate image afterwards.
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, `Network error: the site could not be reached (${e.message}).`);
  }
  let data = null;
  if ((response.headers.get('Content-Type') || '').includes('application/json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  if (data && typeof data.message === 'string') {
    throw new ApiError(response.status, data.message, Array.isArray(data.errors) ? data.errors : []);
  }
  // Not the API's JSON: the edge's own error page (502/504 when the API is down, 403, …).
  const what = response.status >= 502 ? 'The registration service is unavailable' : 'Unexpected answer';
  throw new ApiError(response.status, `${what} (HTTP ${response.status}). Please try again.`);
}

// The message line under a form: kind is 'error' or 'info'; empty text hides it.
export function showMessage(text, kind = 'error') {
  const el = document.getElementById('form-message');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = !text;
}

// The element holding field `name` (an MDL text field or the session select).
function fieldBox(form, name) {
  return form.querySelector(`[data-field="${CSS.escape(name)}"]`);
}

export function clearFieldErrors(form) {
  for (const box of form.querySelectorAll('[data-field]')) {
    box.classList.remove('is-invalid');
    const control = box.querySelector('input, select');
    if (control) control.setCustomValidity('');
    const error = box.querySelector('[data-error-for]');
    if (error) error.textContent = '';
  }
}

// Puts each {field, message} next to its field. Returns the messages for fields the form does
// not have (e.g. "body"), for the message line.
export function showFieldErrors(form, errors) {
  const unplaced = [];
  for (const { field, message } of errors) {
    const box = fieldBox(form, String(field));
    if (!box) {
      unplaced.push(field ? `${field}: ${message}` : message);
      continue;
    }
    const error = box.querySelector('[data-error-for]');
    error.textContent = error.textContent ? `${error.textContent}; ${message}` : message;
    // MDL shows .mdl-textfield__error while the field is invalid: the custom validity keeps it
    // invalid until the user edits it (see watchFields).
    box.querySelector('input, select').setCustomValidity(message);
    box.classList.add('is-invalid');
  }
  const first = form.querySelector('.is-invalid input, .is-invalid select');
  if (first) first.focus();
  return unplaced;
}

// Editing a field clears its server-side error.
export function watchFields(form) {
  for (const control of form.querySelectorAll('[data-field] input, [data-field] select')) {
    const clear = () => {
      const box = control.closest('[data-field]');
      control.setCustomValidity('');
      box.classList.remove('is-invalid');
      box.querySelector('[data-error-for]').textContent = '';
    };
    control.addEventListener('input', clear);
    control.addEventListener('change', clear);
  }
}

// Sets an MDL text field's value and keeps its floating label right (before or after MDL's
// upgrade).
export function setFieldValue(input, value) {
  input.value = value;
  const box = input.closest('.mdl-textfield');
  if (box && box.MaterialTextfield) box.MaterialTextfield.checkDirty();
  else if (box && value) box.classList.add('is-dirty');
}

export function formatTime(iso) {
  if (!iso) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString();
}

export function resultUrl(id) {
  return `/result.html?id=${encodeURIComponent(id)}`;
}

export function historyUrl(email) {
  return `/history.html?email=${encodeURIComponent(email)}`;
}

// Puts the conference's name (from GET /api/sessions) in the page's title bar and <title>,
// after `page` ("Register", …). Returns the sessions answer, or null when it failed (the
// static "EdgeConf" stays; the caller decides whether that matters).
export async function showConference(page) {
  let data;
  try {
    data = await api('/api/sessions');
  } catch {
    return null;
  }
  if (data && data.conference) {
    for (const el of document.querySelectorAll('[data-conference]')) el.textContent = data.conference;
    document.title = `${page} — ${data.conference}`;
  }
  return data;
}

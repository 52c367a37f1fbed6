// index.html: the registration form. Sessions come from GET /api/sessions; a 201 goes to the
// result page; 400 errors are shown next to their fields, 409 next to the email.
import { api, ApiError, clearFieldErrors, showFieldErrors, showMessage, watchFields, resultUrl } from './api.js';

const form = document.getElementById('register-form');
const select = document.getElementById('session');
const submit = document.getElementById('submit');

async function loadSessions() {
  try {
    const { conference, sessions } = await api('/api/sessions');
    select.replaceChildren(new Option('Choose a session…', ''));
    for (const s of sessions) select.add(new Option(s.title, s.id));
    select.disabled = false;
    if (conference) {
      document.querySelector('[data-conference]').textContent = conference;
      document.title = `Register — ${conference}`;
    }
  } catch (e) {
    select.replaceChildren(new Option('Sessions unavailable', ''));
    showMessage(`Could not load the sessions. ${e.message}`);
  }
}

async function register(event) {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage('');
  const body = {
    name: form.elements.name.value,
    email: form.elements.email.value,
    affiliation: form.elements.affiliation.value,
    session: form.elements.session.value,
  };
  submit.disabled = true;
  try {
    const registration = await api('/api/registrations', { method: 'POST', body });
    window.location.assign(resultUrl(registration.id));
    return;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const unplaced = showFieldErrors(form, e.errors);
    if (e.status === 409) showMessage(e.message);
    else if (e.status === 400) showMessage(unplaced.length ? unplaced.join('. ') : 'Please correct the fields marked in red.');
    else showMessage(e.message);
  } finally {
    submit.disabled = false;
  }
}

watchFields(form);
form.addEventListener('submit', register);
loadSessions();

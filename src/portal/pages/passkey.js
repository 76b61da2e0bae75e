// Researchers' passkeys (WebAuthn), on the sign-in page and on their reports page: asks the
// server for the ceremony's options, lets the browser make or use the passkey, and sends its
// answer back. Served as a file (the public listener's policy runs no inline script); the words
// it shows come from the page (data-* attributes), in the page's language.
'use strict';

const status = document.getElementById('passkey-status');

function say(text) {
  status.textContent = text;
}

async function post(path, body) {
  const response = await fetch(path, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential: body }) });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error?.code ?? String(response.status));
  return answer;
}

/** Runs a ceremony when `button` is pressed: its options from `optionsPath`, the browser's answer to `answerPath`, then `done`. */
function ceremony(button, optionsPath, answerPath, browserStep, done) {
  if (!button) return;
  if (!window.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    button.disabled = true;
    say(button.dataset.unsupported);
    return;
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    say('');
    try {
      const { options } = await post(optionsPath);
      const credential = await browserStep(options);
      await post(answerPath, credential.toJSON());
      done();
    } catch (error) {
      say(`${button.dataset.failed} (${error.name === 'Error' ? error.message : error.name})`);
    } finally {
      button.disabled = false;
    }
  });
}

const lang = document.documentElement.lang;

ceremony(
  document.getElementById('passkey-sign-in'),
  '/api/bounty/session/passkey/options',
  '/api/bounty/session/passkey',
  (options) => navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) }),
  () => window.location.assign(`/bounty/reports?lang=${encodeURIComponent(lang)}`),
);

const add = document.getElementById('passkey-add');
ceremony(
  add,
  '/api/bounty/passkeys/options',
  '/api/bounty/passkeys',
  (options) => navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) }),
  () => say(add.dataset.added),
);

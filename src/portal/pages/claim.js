// The claim page of a report sent by email: the link's token is its fragment (#TOKEN), which
// never reaches the server's logs nor a Referer. This puts it in the form and shows the form;
// without a token the page only says to open the mailed link.
'use strict';

function takeToken() {
  const token = decodeURIComponent(window.location.hash.slice(1));
  const found = /^[A-Za-z0-9_-]{43}$/.test(token);
  document.getElementById('claim-token').value = found ? token : '';
  document.getElementById('claim-form').hidden = !found;
  document.getElementById('claim-no-token').hidden = found;
  // Choosing another language loads the page again: the token goes with it, still as a fragment.
  for (const link of document.querySelectorAll('nav.languages a[hreflang]')) {
    link.hash = found ? token : '';
  }
}

takeToken();
// The link opened on the page already (only its fragment differs) does not load it again.
window.addEventListener('hashchange', takeToken);

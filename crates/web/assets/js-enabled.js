// Marks the page as having JavaScript, as the NHS.UK frontend expects (kept out of the page so the
// Content Security Policy can forbid inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');

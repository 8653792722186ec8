/*
 * The kiosk's only script (pages/kiosk): everything works without it, it only keeps a shared PC clean.
 * - Navigation inside the kiosk replaces the current history entry (location.replace), so the back button never
 *   leads to the previous user's searches and history.length does not grow.
 * - After the idle time set on <body data-reset-after> (seconds), with a visible warning and countdown for the last
 *   data-reset-warning seconds, it clears what the origin may have stored and replaces the page with a clean start
 *   page (data-reset-to). Any input counts as activity.
 * - The print view's button.
 */
(() => {
  const body = document.body;
  const resetAfter = Number(body.dataset.resetAfter) * 1000;
  const warnFor = Number(body.dataset.resetWarning) * 1000;
  const resetTo = body.dataset.resetTo;
  const warning = document.getElementById('reset-warning');
  const countdown = warning?.querySelector('.reset-countdown');
  const template = countdown?.getAttribute('data-template') ?? '';
  const question = document.getElementById('reset-question');
  const questionText = question?.textContent ?? '';
  let lastInput = Date.now();
  let dirty = body.dataset.clean !== 'true';

  function clearStorage() {
    try {
      localStorage.clear();
    } catch {}
    try {
      sessionStorage.clear();
    } catch {}
    for (const cookie of document.cookie.split(';')) {
      const name = cookie.split('=')[0]?.trim();
      // biome-ignore lint/suspicious/noDocumentCookie: expiring every cookie by name; the Cookie Store API is not in every kiosk browser
      if (name) document.cookie = `${name}=; Max-Age=0; path=/`;
    }
  }

  function reset() {
    clearStorage();
    for (const form of document.forms) form.reset();
    location.replace(resetTo);
  }

  function hideWarning() {
    if (warning && !warning.hidden) warning.hidden = true;
  }

  function activity(event) {
    lastInput = Date.now();
    if (event.type === 'input' || event.type === 'change') dirty = true;
    hideWarning();
  }

  // What a person does; not 'scroll' or 'resize', which the page also gets without anyone there.
  for (const type of ['pointerdown', 'keydown', 'input', 'change', 'wheel', 'touchstart']) {
    addEventListener(type, activity, { capture: true, passive: true });
  }
  document.getElementById('reset-continue')?.addEventListener('click', hideWarning);

  setInterval(() => {
    if (!dirty || !resetTo) return;
    const idle = Date.now() - lastInput;
    if (idle >= resetAfter) {
      reset();
      return;
    }
    if (idle >= resetAfter - warnFor && warning && countdown) {
      countdown.textContent = template.replace('{n}', String(Math.ceil((resetAfter - idle) / 1000)));
      if (warning.hidden) {
        warning.hidden = false;
        // Re-set so screen readers announce the alert each time it appears.
        if (question) question.textContent = questionText;
      }
    }
  }, 1000);

  function sameDocument(url) {
    return url.pathname === location.pathname && url.search === location.search && url.hash !== '';
  }

  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || sameDocument(url)) return;
    event.preventDefault();
    location.replace(url.href);
  });

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'get') return;
    event.preventDefault();
    const url = new URL(form.action);
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string' && value !== '') params.append(name, value);
    }
    url.search = params.toString();
    location.replace(url.href);
  });

  for (const button of document.querySelectorAll('[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => print());
  }
})();

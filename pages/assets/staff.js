// Small helps for the sign-in pages and the employer portal; every page works without this script.
(() => {
  // After a refused form, the error summary takes the focus so a screen reader reads it first (WCAG 3.3.1).
  const summary = document.querySelector('[data-error-summary]');
  if (summary instanceof HTMLElement) summary.focus();

  // A form sends once: a second click while the first request runs would only wait for the same answer.
  for (const form of document.querySelectorAll('form[data-once]')) {
    form.addEventListener('submit', (event) => {
      if (form.dataset.sent === 'true') event.preventDefault();
      else form.dataset.sent = 'true';
    });
  }

  // Occupation suggestions while typing the job title; without script the "Vorschlag" button asks the server.
  const box = document.querySelector('[data-suggest-url]');
  const title = document.getElementById('vacancy-title');
  if (!(box instanceof HTMLElement) || !(title instanceof HTMLInputElement)) return;
  const list = box.querySelector('[data-suggest-list]');
  const level = document.getElementById('vacancy-requirement_level');
  let timer;
  let last = '';
  const render = (items) => {
    if (!list) return;
    list.replaceChildren();
    for (const item of items) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button--secondary';
      button.textContent = item.title;
      button.addEventListener('click', () => {
        // The choice states the requirement level; the title stays the employer's own wording.
        if (level instanceof HTMLSelectElement && item.level) level.value = String(item.level);
        for (const other of list.querySelectorAll('button')) other.setAttribute('aria-pressed', 'false');
        button.setAttribute('aria-pressed', 'true');
      });
      li.append(button);
      list.append(li);
    }
    const status = box.querySelector('[data-suggest-status]');
    if (status) status.textContent = items.length ? box.dataset.foundText || '' : box.dataset.noneText || '';
  };
  title.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = title.value.trim();
      if (text.length < 3 || text === last) return;
      last = text;
      try {
        const response = await fetch(`${box.dataset.suggestUrl}?titel=${encodeURIComponent(text)}`, {
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
        });
        if (response.ok) render((await response.json()).items || []);
      } catch {
        // Offline or signed out: the button still works.
      }
    }, 400);
  });
})();

// The workbench's small helpers; every page works without them.
// 1. A refused form's error summary (or an import report) takes the focus, so a screen reader announces it.
// 2. On a vacancy, choosing candidates says how many are chosen and how many proposals the cap still allows.
document.addEventListener('DOMContentLoaded', () => {
  const first = document.querySelector('[data-autofocus]');
  if (first) first.focus();

  const caps = document.getElementById('obergrenzen');
  const status = document.getElementById('auswahl-status');
  const boxes = [...document.querySelectorAll('input.candidate-choice')];
  if (!caps || !status || boxes.length === 0) return;
  const left = Number(caps.getAttribute('data-cap-left') || '0');
  const update = () => {
    const chosen = boxes.filter((b) => b.checked).length;
    status.hidden = chosen === 0;
    status.textContent = `${chosen} ausgewählt, noch ${left} möglich.${chosen > left ? ' Das sind zu viele.' : ''}`;
  };
  for (const box of boxes) box.addEventListener('change', update);
  update();
});

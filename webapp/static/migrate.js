// The migration plan: choose all or none of the instances that can move, and confirm before moving them.
(() => {
  const form = document.getElementById('migrate-form');
  if (!form) {
    return;
  }
  const boxes = () => [...form.querySelectorAll('input[name=instance]')];
  const choose = form.querySelector('.migrate-choose');
  if (choose) {
    choose.hidden = false;
    choose.addEventListener('click', (event) => {
      const which = event.target.dataset.choose;
      if (which) {
        boxes().forEach((box) => { box.checked = which === 'all'; });
      }
    });
  }
  form.addEventListener('submit', (event) => {
    const chosen = boxes().filter((box) => box.checked).length;
    if (chosen && !window.confirm(form.dataset.confirm.replace('{n}', String(chosen)))) {
      event.preventDefault();
    }
  });
})();

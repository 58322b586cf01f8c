// Duban's own script: small, optional. Pages work without it.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submitting filters and period pickers degrade to a normal form submit.
  // A form that changes many rows at once says how many and asks once.
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => {
      if (!window.htmx) form.requestSubmit();
    });
  });
});

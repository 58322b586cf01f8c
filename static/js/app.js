// Duban's own script: small, optional. Pages work without it.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submitting filters and period pickers degrade to a normal form submit.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => {
      if (!window.htmx) form.requestSubmit();
    });
  });
});

// Duban's own script: small, optional. Pages work without it.
const KEEP = "duban:keep:";

function fieldsOf(form) {
  const values = {};
  for (const el of form.elements) {
    if (el.name && !el.disabled && (el.tagName === "TEXTAREA" || ["text", "search", ""].includes(el.type))) {
      values[el.name] = el.value;
    }
  }
  return values;
}

// Typed text survives a reload or a lost connection: forms marked data-keep remember their
// fields in this browser as they are typed, and give them back when the page opens again,
// unless someone saved a different value meanwhile.
function restore(form) {
  let kept;
  try { kept = JSON.parse(localStorage.getItem(KEEP + form.dataset.keep) || "null"); } catch { kept = null; }
  if (!kept) return;
  let restored = false;
  for (const [name, typed] of Object.entries(kept.typed || {})) {
    const el = form.elements[name];
    if (el && el.value === (kept.orig || {})[name] && typed !== el.value) {
      el.value = typed;
      restored = true;
    }
  }
  if (restored) {
    form.dataset.dirty = "1";
    const note = document.createElement("p");
    note.className = "alert alert-warning kept-note";
    note.textContent = "已恢复上次未保存的输入，请核对后保存。";
    form.prepend(note);
  } else {
    localStorage.removeItem(KEEP + form.dataset.keep);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-keep]").forEach((form) => {
    form.dataset.orig = JSON.stringify(fieldsOf(form));
    restore(form);
  });
  // Auto-submitting filters and period pickers degrade to a normal form submit.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => {
      if (!window.htmx) form.requestSubmit();
    });
  });
});

document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-keep]");
  if (!form) return;
  if (!form.dataset.orig) form.dataset.orig = JSON.stringify(fieldsOf(form));  // swapped in by htmx
  form.dataset.dirty = "1";
  localStorage.setItem(KEEP + form.dataset.keep,
    JSON.stringify({ orig: JSON.parse(form.dataset.orig), typed: fieldsOf(form) }));
});

// Saved: nothing to keep. (A plain submit leaves the page; a refused one comes back filled.)
function saved(form) {
  delete form.dataset.dirty;
  localStorage.removeItem(KEEP + form.dataset.keep);
}
document.addEventListener("submit", (event) => {
  const form = event.target;
  // A form that changes many rows at once says how many and asks once.
  const message = form.dataset && form.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); return; }
  if (form.matches("form[data-keep]") && !form.hasAttribute("hx-post")) delete form.dataset.dirty;
}, true);
document.addEventListener("htmx:after:request", (event) => {
  const form = event.target.closest && event.target.closest("form[data-keep]");
  const ctx = event.detail && event.detail.ctx;
  if (form && ctx && ctx.response && ctx.response.status < 300) saved(form);
});

// Leaving with typed, unsaved input asks first.
window.addEventListener("beforeunload", (event) => {
  if (document.querySelector("form[data-dirty]")) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// 保存并报送全部: every open row of the grid saved as typed and reported, one after another;
// a row that is refused shows its message in place. Without JavaScript each row has its own
// 保存并报送 button.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-save-all-box]");
  if (!box) return;
  box.hidden = false;
  box.querySelector("[data-save-all]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    for (const submit of document.querySelectorAll("button[data-save-submit]")) {
      const form = submit.form;
      const data = new FormData(form);
      data.set("then", "submit");
      const response = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      const html = await response.text();
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const row = holder.querySelector("article.report-row");
      const summary = holder.querySelector("#report-summary");
      if (response.ok) saved(form);
      if (row) form.closest("article.report-row").replaceWith(row);
      if (summary) document.getElementById("report-summary").replaceWith(summary);
    }
    button.disabled = false;
    if (window.htmx) window.htmx.process(document.body);
  });
});

// The web app's own behaviour, small and optional: every page works without it.

// Upload progress: htmx reports the request body's progress on the form that sends it.
document.addEventListener("htmx:xhr:progress", (event) => {
  const bar = event.target.querySelector("progress[data-upload-progress]");
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});

// A file input names what was chosen or dropped on it.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const label = document.querySelector(`[data-files-for="${input.id}"]`);
  if (label) {
    const names = Array.from(input.files, (file) => file.name);
    label.textContent = names.length ? names.join(", ") : label.dataset.empty;
  }
});

// A form marked data-reset-on-success starts empty again once htmx has sent it successfully.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset-on-success") || !event.detail.successful) return;
  form.reset();
  form.querySelectorAll("progress[data-upload-progress]").forEach((bar) => { bar.hidden = true; bar.value = 0; });
  form.querySelectorAll("[data-files-for]").forEach((label) => { label.textContent = label.dataset.empty; });
});

// --- Bulk selection on the workspace list -------------------------------------------------
// A "select all" checkbox (data-select-all="<name>") ticks every checkbox of that name in its
// form. It is shown only here, where script can drive it; without script each row is ticked alone.
document.addEventListener("htmx:load", (event) => {
  event.detail.elt.querySelectorAll("input[data-select-all]").forEach((box) => { box.hidden = false; });
});

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) return;
  const all = box.form.querySelector("input[data-select-all]");
  if (!all) return;
  const rows = Array.from(box.form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`));
  if (box === all) {
    rows.forEach((row) => { row.checked = all.checked; });
  } else if (rows.includes(box)) {
    const ticked = rows.filter((row) => row.checked).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
});

// A fragment that brings its own messages (the outcome of a bulk change) replaces the page's
// older ones, so only the latest outcome is on screen.
document.addEventListener("htmx:afterSwap", (event) => {
  if (!event.detail.target.querySelector(".messages")) return;
  document.querySelectorAll("main > .messages").forEach((old) => old.remove());
});

// --- Operations: filters the server refuses ---
// htmx leaves a 4xx answer unswapped; a filter form marked data-swap-bad-request shows its 400 fragment
// (which names each problem) in place of the results instead.
document.addEventListener("htmx:beforeSwap", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 400 && source instanceof Element && source.closest("[data-swap-bad-request]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// --- Document picker (evaluation questions) --------------------------------------------------
// Enter in its search box searches at once instead of sending the question's form.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (event.key !== "Enter" || !(box instanceof HTMLInputElement) || !box.hasAttribute("data-picker-search")) return;
  event.preventDefault();
  box.dispatchEvent(new Event("search"));
});

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

// The chat page: the answer streams in as Server-Sent Events read from a POST (fetch),
// then the server's rendering of it (citations, sources, rating) takes its place.
// Without JavaScript the same form posts and the page comes back with the answer.

(() => {
  const form = document.querySelector("form[data-chat-stream]");
  if (!form) return;
  const box = form.querySelector("textarea[name=question]");
  const sessionInput = form.querySelector("input[name=session_id]");
  const send = form.querySelector("[data-send]");
  const stop = form.querySelector("[data-stop]");
  const status = form.querySelector("[data-composer-status]");
  const conversation = document.getElementById("chat-history");
  const panel = document.getElementById("citation-panel");
  const panelContent = document.getElementById("citation-content");
  const PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  let running = null; // the AbortController of the answer being streamed

  const fromTemplate = (id) => document.getElementById(id).content.firstElementChild.cloneNode(true);
  const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  const keepInView = (wasNearBottom) => { if (wasNearBottom) window.scrollTo(0, document.body.scrollHeight); };

  // Enter sends, Shift+Enter is a new line (and nothing is sent while an IME is composing).
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (running || !box.value.trim()) return;
    ask(box.value.trim());
  });

  stop.addEventListener("click", () => running && running.abort());

  async function ask(question) {
    conversation.querySelector("[data-chat-empty]")?.remove();
    const asked = fromTemplate("question-template");
    asked.querySelector(".message-text").textContent = question;
    const answer = fromTemplate("answer-template");
    const text = answer.querySelector("[data-answer-text]");
    const answerStatus = answer.querySelector("[data-answer-status]");
    conversation.append(asked, answer);
    keepInView(true); // the question just asked is always brought into view
    setRunning(true);
    performance.mark("chat:sent");

    const body = new FormData(form);
    body.set("question", question);
    const outcome = { meta: null, done: null, error: null, firstToken: true };
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "text/event-stream" },
        signal: running.signal,
      });
      if (!response.ok || !response.headers.get("Content-Type")?.startsWith("text/event-stream")) {
        outcome.error = { message: await refusalOf(response) };
      } else {
        await readEvents(response, (name, data) => {
          if (name === "meta") outcome.meta = data;
          else if (name === "token") {
            if (outcome.firstToken) {
              outcome.firstToken = false;
              performance.mark("chat:first-token");
              answerStatus.textContent = "Writing…";
            }
            const follow = nearBottom();
            text.append(data.text);
            keepInView(follow);
          } else if (name === "done") outcome.done = data;
          else if (name === "error") outcome.error = data;
        });
      }
    } catch (failure) {
      outcome.error = { message: failure.name === "AbortError" ? "Stopped." : "The connection was lost." };
    }
    setRunning(false);

    if (outcome.meta && outcome.meta.session_id) rememberSession(outcome.meta.session_id);
    if (outcome.done) {
      box.value = "";
      status.textContent = "";
      showAnswer(answer, outcome.done.chat_log_id);
    } else {
      // A failed or cut stream: the question stays in the box, one click asks it again.
      const message = outcome.error ? outcome.error.message : "The answer was cut off before it finished.";
      failed(answer, asked, message);
    }
  }

  function setRunning(on) {
    running = on ? new AbortController() : null;
    send.disabled = on;
    stop.hidden = !on;
    status.textContent = on ? "Answering…" : status.textContent;
  }

  async function readEvents(response, onEvent) {
    // Server-Sent Events: blocks separated by a blank line, "event:" and "data:" fields, ":" comments.
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  async function refusalOf(response) {
    // A page error (an HTML page) or an envelope: say what it was in one line.
    if (response.status === 409) return "This workspace is archived: it is read-only.";
    if (response.status === 403) return "Your role does not allow asking questions here.";
    if (response.status === 429) return "Too many requests: wait a moment, then retry.";
    if (response.status === 401 || response.redirected) return "Your session has ended: sign in again, then retry.";
    return `The answer could not be started (HTTP ${response.status}).`;
  }

  function rememberSession(sessionId) {
    if (sessionInput.value === sessionId) return;
    sessionInput.value = sessionId;
    const url = form.dataset.sessionUrl.replace(PLACEHOLDER, sessionId);
    window.history.replaceState(null, "", url);
    // The new conversation joins the list on the left and gets its title and controls.
    // Each request has its own source element: htmx drops a second request from the same one.
    for (const part of ["#chat-sessions", "#chat-head"]) {
      htmx.ajax("GET", url, { source: part, target: part, select: part, swap: "outerHTML" });
    }
  }

  function showAnswer(answer, chatLogId) {
    answer.removeAttribute("aria-busy");
    answer.classList.remove("streaming");
    answer.querySelector("[data-answer-status]").textContent = "";
    // Swapped below the text that was streamed: the sources and rating appear without moving it.
    const url = form.dataset.answerUrl.replace(PLACEHOLDER, chatLogId);
    htmx.ajax("GET", url, { source: answer, target: answer, swap: "outerHTML" });
  }

  function failed(answer, asked, message) {
    answer.removeAttribute("aria-busy");
    answer.classList.remove("streaming");
    answer.classList.add("failed");
    const note = answer.querySelector("[data-answer-status]");
    note.textContent = message + " ";
    note.classList.add("error-text");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "small";
    retry.textContent = "Retry";
    retry.setAttribute("data-retry", "");
    retry.addEventListener("click", () => {
      asked.remove();
      answer.remove();
      ask(box.value.trim());
    });
    note.append(retry);
    status.textContent = "";
    box.focus();
  }

  // Citations open the side panel with the cited passage among its neighbours.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-cite]");
    if (link) {
      event.preventDefault();
      openPanel(link.href);
    } else if (event.target.closest("[data-close-panel]")) {
      panel.hidden = true;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) panel.hidden = true;
  });

  function openPanel(url) {
    panel.hidden = false;
    panelContent.textContent = "Loading…";
    htmx.ajax("GET", url, { source: panelContent, target: panelContent, swap: "innerHTML" }).then(() => {
      panelContent.focus();
      panelContent.querySelector("#cited-chunk")?.scrollIntoView({ block: "center" });
    });
  }
  document.body.addEventListener("htmx:responseError", (event) => {
    if (event.detail.target === panelContent) {
      panelContent.textContent = "This passage is no longer available: its document was changed or deleted.";
    }
  });

  // Forms marked data-confirm ask first (deleting a conversation).
  document.addEventListener("submit", (event) => {
    const confirmed = event.target.closest("form[data-confirm]");
    if (confirmed && !window.confirm(confirmed.dataset.confirm)) event.preventDefault();
  });
})();

/* The staff tablet: call next, act on the current customer, the live queue, undo, shortcuts. */
(function () {
  "use strict";
  const { h, format, request, live } = window.QServe;
  const cfg = JSON.parse(document.getElementById("tablet-config").textContent);
  const T = cfg.strings;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);

  const state = {
    queue: null, current: null, offsetMs: 0, busy: false, lastCallAt: 0,
    online: false, wasOnline: false, undo: null, notesTimer: null,
  };
  const view = window.QServe.createTabletView(cfg, state, {
    call: (ticket) => openCallDialog(ticket),
    callBack: (ticket) => callBack(ticket),
    resume: (ticket) => act("resume", ticket),
  });
  const { render, renderCurrent, serviceName, serviceOf } = view;
  const DONE = {
    recall: "recalled", start: "started", finish: "finished", "no-show": "no_show_done", park: "parked",
    transfer: "transferred", cancel: "cancelled", resume: "resumed",
  };

  /* ---------- messages ---------- */

  /** Say what happened: news replaces news; problems stay longer, in an alert region. */
  function toast(text, kind) {
    const box = kind ? $("alerts") : $("toasts");
    const item = h("p", { class: "toast " + (kind || "info") }, text);
    if (!kind) box.replaceChildren();
    box.append(item);
    setTimeout(() => item.remove(), kind ? 10000 : 4000);
    while (box.children.length > 2) box.firstElementChild.remove();
  }

  function failure(result, quiet) {
    const detail = (result.error && result.error.message) || "";
    if (result.status === 0) {
      if (!quiet) toast(T.offline, "error");
    } else if (result.status === 401 || (result.status === 403 && /token|session/i.test(detail))) {
      showBanner(T.expired);
    } else if (result.status === 409) {
      toast(format(T.collision, { detail: sentence(detail) }), "collision");
    } else if (!quiet) {
      toast(format(T.error, { detail: sentence(detail) }), "error");
    }
  }

  function sentence(text) {
    const trimmed = String(text || "").trim();
    if (!trimmed) return "";
    const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
    return /[.!?]$/.test(capital) ? capital : capital + ".";
  }

  function showBanner(text) {
    $("banner").textContent = text;
    $("banner").hidden = !text;
  }

  /* ---------- loading the queue ---------- */

  let loading = null;
  let loadAgain = false;

  function refresh() {
    if (loading) {
      loadAgain = true;
      return loading;
    }
    loading = (async () => {
      do {
        loadAgain = false;
        const sent = Date.now();
        const result = await request("GET", `${API}/locations/${cfg.location}/queue`);
        if (result.ok) apply(result.data, sent);
        else failure(result, true);
      } while (loadAgain);
      loading = null;
    })();
    return loading;
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 60);
  }

  function apply(data, sent) {
    state.offsetMs = Date.parse(data.generated_at) - (sent + Date.now()) / 2;
    state.queue = data;
    const mine = data.called
      .filter((t) => t.counter_id === cfg.counter_id)
      .sort((a, b) => Date.parse(b.called_at || 0) - Date.parse(a.called_at || 0));
    setCurrent(mine[0] || null);
    render();
  }

  function setCurrent(ticket) {
    const previous = state.current;
    const notes = $("cur-notes");
    // Typed notes belong to the customer they were typed for, even when the next one is called.
    if (previous && (!ticket || previous.id !== ticket.id)) saveNotesFor(previous, notes.value);
    state.current = ticket;
    if (!ticket) return;
    // Keep what the staff member is typing; take the server's notes for a new customer.
    if (!previous || previous.id !== ticket.id) {
      notes.value = ticket.notes || "";
      $("notes-status").textContent = "";
    } else if (document.activeElement !== notes) {
      notes.value = ticket.notes || "";
    }
  }

  /** Once a second: the view's clocks and the undo countdown. */
  function tick() {
    view.tick();
    if (state.undo) {
      const left = Math.ceil((state.undo.until - Date.now()) / 1000);
      if (left <= 0) clearUndo();
      else $("undo-left").textContent = `(${left})`;
    }
  }

  /* ---------- actions ---------- */

  async function send(method, url, body) {
    state.busy = true;
    document.body.classList.add("busy");
    const result = await request(method, url, body, csrf);
    state.busy = false;
    document.body.classList.remove("busy");
    return result;
  }

  async function callNext() {
    // A second tap within moments would finish the customer just called: ignore it.
    if (state.busy || Date.now() - state.lastCallAt < 1200) return;
    const result = await send("POST", `${API}/counters/${cfg.counter_id}/call-next`, {});
    if (result.status === 204) {
      toast(T.none_waiting);
    } else if (result.ok) {
      calledNow(result.data);
    } else {
      failure(result);
    }
    await refresh();
  }

  function calledNow(ticket) {
    state.lastCallAt = Date.now();
    // Show the call at once; the refresh that follows brings the rest of the line.
    for (const service of state.queue ? state.queue.services : []) {
      service.waiting = service.waiting.filter((t) => t.id !== ticket.id);
      service.waiting_count = service.waiting.length;
    }
    setCurrent(ticket);
    if (state.queue) render();
    $("toasts").replaceChildren();
    offerUndo(format(T.called, { number: ticket.number }), "requeue", ticket, T.undo_call);
  }

  async function act(action, ticket, body) {
    if (state.busy || !ticket) return;
    const result = await send("POST", `${API}/tickets/${ticket.id}/${action}`, body || {});
    if (result.ok) {
      state.lastCallAt = 0; // a deliberate action in between: the next press of Call next is meant
      const service = serviceName(serviceOf(result.data.service_id));
      const text = format(T[DONE[action]], { number: ticket.number, service });
      if (action === "no-show") offerUndo(text, "reactivate", ticket, T.undo_no_show);
      else clearUndo();
      toast(text);
    } else {
      failure(result);
    }
    await refresh();
  }

  async function callSpecific(ticket, reason) {
    if (state.busy) return;
    const result = await send("POST", `${API}/counters/${cfg.counter_id}/call`, { ticket_id: ticket.id, reason });
    if (result.ok) calledNow(result.data);
    else failure(result);
    await refresh();
  }

  async function callBack(ticket) {
    if (state.busy) return;
    const result = await send("POST", `/staff/api/counters/${cfg.counter_id}/call-back`, { ticket_id: ticket.id });
    if (result.ok) {
      clearUndo();
      toast(format(T.called_back, { number: ticket.number }));
    } else {
      failure(result);
    }
    await refresh();
  }

  /* ---------- undo ---------- */

  function offerUndo(text, action, ticket, doneText) {
    state.undo = { action, ticket, doneText, until: Date.now() + cfg.undo_s * 1000 };
    $("undo-text").textContent = text;
    $("undo").hidden = false;
    tick();
  }

  function clearUndo() {
    state.undo = null;
    $("undo").hidden = true;
  }

  async function undo() {
    const pending = state.undo;
    if (!pending || state.busy) return;
    clearUndo();
    const result = await send("POST", `${API}/tickets/${pending.ticket.id}/${pending.action}`, {});
    if (result.ok) {
      state.lastCallAt = 0;
      toast(format(pending.doneText, { number: pending.ticket.number }));
    } else {
      failure(result);
    }
    await refresh();
    $("call-next").focus();
  }

  /* ---------- notes ---------- */

  function notesChanged() {
    clearTimeout(state.notesTimer);
    state.notesTimer = setTimeout(saveNotes, 1200);
  }

  function saveNotes() {
    if (state.current) saveNotesFor(state.current, $("cur-notes").value);
  }

  async function saveNotesFor(ticket, text) {
    clearTimeout(state.notesTimer);
    if (text === (ticket.notes || "")) return;
    ticket.notes = text;
    $("notes-status").textContent = T.saving;
    const result = await request("POST", `/staff/api/tickets/${ticket.id}/notes`, { notes: text }, csrf);
    const stillShown = state.current && state.current.id === ticket.id;
    if (result.ok) {
      if (stillShown) $("notes-status").textContent = T.saved;
    } else {
      if (stillShown) $("notes-status").textContent = "";
      failure(result);
    }
  }

  /* ---------- dialogs ---------- */

  function openDialog(id, ticket, onConfirm) {
    const dialog = $(id);
    dialog.querySelector(".dialog-number").textContent = ticket.number;
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok") onConfirm(dialog);
    };
    dialog.showModal();
  }

  function openTransferDialog() {
    const ticket = state.current;
    if (!ticket) return;
    const select = $("transfer-service");
    for (const option of select.options) option.disabled = Number(option.value) === ticket.service_id;
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
      const first = [...select.options].find((o) => !o.disabled);
      if (first) select.value = first.value;
    }
    openDialog("transfer-dialog", ticket, (dialog) => {
      const keep = dialog.querySelector('input[name="keep_place"]:checked').value === "1";
      act("transfer", ticket, { service_id: Number(select.value), keep_place: keep });
    });
  }

  function openCancelDialog() {
    const ticket = state.current;
    if (!ticket) return;
    $("cancel-reason").value = "";
    openDialog("cancel-dialog", ticket, () => act("cancel", ticket, { reason: $("cancel-reason").value.trim() }));
  }

  function openCallDialog(ticket) {
    $("call-reason").value = "";
    openDialog("call-dialog", ticket, () => callSpecific(ticket, $("call-reason").value.trim()));
  }

  /* ---------- wiring ---------- */

  function onAction(event) {
    const action = event.currentTarget.dataset.action;
    if (action === "transfer") openTransferDialog();
    else if (action === "cancel") openCancelDialog();
    else act(action, state.current);
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select") || document.querySelector("dialog[open]")) {
      if (event.key === "Escape" && target.id === "cur-notes") target.blur();
      return;
    }
    const key = event.key.toLowerCase();
    if (event.key === "?") {
      event.preventDefault();
      $("help-dialog").showModal();
    } else if (key === "q") {
      const first = document.querySelector("#queues button, #parked-list button");
      if (first) first.focus();
    } else if (key === "e" && state.current) {
      event.preventDefault();
      $("cur-notes").focus();
    } else {
      const button = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
      if (button && !button.disabled && !button.closest("[hidden]") && !button.hidden) {
        event.preventDefault();
        button.click();
      }
    }
  }

  function online(socket) {
    socket.emit("watch", { location: cfg.location, counter_id: cfg.counter_id });
    document.getElementById("connection").dataset.online = "1";
    if (state.wasOnline && !state.online) toast(T.back_online);
    state.online = state.wasOnline = true;
    showBanner("");
  }

  function offline() {
    document.getElementById("connection").dataset.online = "0";
    if (state.online) showBanner(T.reconnecting);
    state.online = false;
  }

  $("call-next").addEventListener("click", callNext);
  $("undo-button").addEventListener("click", undo);
  $("help-button").addEventListener("click", () => $("help-dialog").showModal());
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close("back"));
  }
  for (const button of document.querySelectorAll("[data-action]")) button.addEventListener("click", onAction);
  $("cur-notes").addEventListener("input", notesChanged);
  $("cur-notes").addEventListener("blur", saveNotes);
  document.addEventListener("keydown", onKey);
  setInterval(tick, 1000);
  renderCurrent();
  refresh();
  live("/staff", {
    onOnline: online,
    onOffline: offline,
    resync: refresh,
    handlers: { queue_updated: refreshSoon, ticket_called: refreshSoon },
    pollMs: 5000,
    staleMs: 30000,
  });
})();

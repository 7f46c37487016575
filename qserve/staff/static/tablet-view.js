/* The staff tablet's drawing: header, current customer, queue per service and parked list, from state.
   Loaded before tablet.js, which owns the state, the requests and the keys. */
(function (global) {
  "use strict";
  const { h, format, clock } = global.QServe;
  const $ = (id) => document.getElementById(id);

  /**
   * Make the view of a tablet: cfg is the page's config, state the tablet's live state (read only here),
   * handlers {call(ticket), callBack(ticket), resume(ticket)} for the buttons of the lists.
   */
  function createView(cfg, state, handlers) {
    const T = cfg.strings;

    // Buttons shown per status of the current ticket (the server checks again).
    const ALLOWED = {
      called: ["recall", "start", "finish", "no-show", "park", "transfer", "cancel"],
      serving: ["finish", "park", "transfer"],
    };

    /* ---------- small helpers ---------- */

    const serverNow = () => Date.now() + state.offsetMs;
    const clockTime = (iso) => (iso ? clock(new Date(iso), cfg.clock, cfg.time_zone) : "");
    const secondsSince = (iso) => Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 1000));

    function duration(seconds) {
      if (seconds < 60) return format(T.seconds, { seconds });
      const minutes = Math.floor(seconds / 60);
      if (minutes < 60) return format(T.minutes, { minutes });
      return format(T.hours, { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
    }

    function serviceOf(id) {
      return ((state.queue && state.queue.services) || []).find((s) => s.id === id);
    }

    function serviceName(service) {
      if (!service) return "";
      return (service.names && service.names[cfg.locale]) || service.name;
    }

    function myCounter() {
      return ((state.queue && state.queue.counters) || []).find((c) => c.id === cfg.counter_id);
    }


    /* ---------- rendering ---------- */

    function render() {
      keepFocus(() => {
        renderHeader();
        renderQueues();
        renderParked();
      });
      renderCurrent();
      tick();
    }

    /** Re-render without losing keyboard focus: refocus the element with the same data-key. */
    function keepFocus(draw) {
      const active = document.activeElement;
      const key = active && active.dataset ? active.dataset.key : null;
      draw();
      if (key) {
        const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
        if (again) again.focus();
        else if (!document.activeElement || document.activeElement === document.body) $("call-next").focus();
      }
    }

    function servedIds() {
      const counter = myCounter();
      return new Set(counter ? counter.serving_service_ids : []);
    }

    function renderHeader() {
      const served = servedIds();
      const chips = $("serving-services");
      chips.replaceChildren(...state.queue.services
        .filter((s) => served.has(s.id))
        .map((s) => h("span", { class: "chip", title: serviceName(s) }, s.prefix)));
      const waiting = state.queue.services
        .filter((s) => served.has(s.id))
        .reduce((sum, s) => sum + s.waiting_count, 0);
      let detail = format(T.waiting_count, { count: waiting });
      if (state.current) detail += " · " + format(T.serves_current, { number: state.current.number });
      $("call-next-detail").textContent = detail;
    }

    function renderQueues() {
      const served = servedIds();
      const services = [...state.queue.services].sort(
        (a, b) => Number(served.has(b.id)) - Number(served.has(a.id)));
      $("queues").replaceChildren(...services.map((s) => queueSection(s, served.has(s.id))));
    }

    function queueSection(service, servedHere) {
      // Prefix, name (wrapping in its own column) and count; "not served here" on a line of its own, so no
      // separator is left at the end or the start of a wrapped line.
      const title = h("h3", { class: "queue-title" },
        h("span", { class: "prefix" }, service.prefix), " ",
        h("span", { class: "name" }, serviceName(service)), " ",
        h("span", { class: "count" }, format(T.waiting_count, { count: service.waiting_count })),
        servedHere ? null : [" ", h("span", { class: "not-here" }, T.not_here)]);
      const rows = service.waiting.slice(0, 40).map((t) => queueRow(t));
      const list = rows.length ? h("ol", { class: "rows" }, rows) : h("p", { class: "empty small" }, T.empty_queue);
      return h("section", { class: "queue" + (servedHere ? "" : " elsewhere"), dataset: { service: service.id } },
        title, list);
    }

    function marks(ticket) {
      return [
        ticket.priority > 0 ? h("span", { class: "mark priority" }, T.priority) : null,
        ticket.appointment_at
          ? h("span", { class: "mark appointment" }, format(T.appointment, { time: clockTime(ticket.appointment_at) }))
          : null,
      ];
    }

    function queueRow(ticket) {
      const estimate = ticket.estimated_wait
        ? format(T.estimate, { minutes: Math.round(ticket.estimated_wait.p50_s / 60) }) : "";
      return h("li", { class: "row" },
        h("span", { class: "pos" }, ticket.position),
        h("span", { class: "number" }, ticket.number),
        h("span", { class: "waited", dataset: { since: ticket.joined_at } }, duration(secondsSince(ticket.joined_at))),
        h("span", { class: "marks" }, marks(ticket)),
        h("span", { class: "estimate" }, estimate),
        h("button", {
          type: "button", class: "small", dataset: { key: "call-" + ticket.id },
          onclick: () => handlers.call(ticket),
        }, T.call, srOnly(ticket.number)));
    }

    /** Words for screen readers only, e.g. which ticket a short "Call" button is for. */
    function srOnly(text) {
      return h("span", { class: "visually-hidden" }, " " + text);
    }

    function renderParked() {
      const parked = state.queue.parked;
      const list = $("parked-list");
      if (!parked.length) {
        list.replaceChildren(h("li", { class: "empty small" }, T.no_parked));
        return;
      }
      // The buttons keep their words on one line and move under the ticket when the row is too narrow for
      // them and the service's name.
      list.replaceChildren(...parked.map((t) => h("li", { class: "row" },
        h("span", { class: "number" }, t.number),
        h("span", { class: "service-small" }, serviceName(serviceOf(t.service_id))),
        h("span", { class: "waited", dataset: { since: t.joined_at } }, duration(secondsSince(t.joined_at))),
        h("span", { class: "row-actions" },
          h("button", {
            type: "button", class: "small primary", dataset: { key: "back-" + t.id }, onclick: () => handlers.callBack(t),
          }, T.call_back, srOnly(t.number)),
          h("button", {
            type: "button", class: "small", dataset: { key: "resume-" + t.id }, onclick: () => handlers.resume(t),
          }, T.to_queue, srOnly(t.number))))));
    }


    function fact(name, value) {
      const row = document.querySelector(`[data-fact="${name}"]`);
      row.hidden = value === null || value === undefined || value === "";
      row.querySelector("dd").textContent = row.hidden ? "" : value;
    }

    function renderCurrent() {
      const ticket = state.current;
      $("current-body").hidden = !ticket;
      $("current-empty").hidden = Boolean(ticket);
      $("current-empty").textContent = ticket ? "" : T.no_customer;
      if (!ticket) {
        $("cur-number").textContent = "";
        return;
      }
      $("cur-number").textContent = ticket.number;
      $("cur-status").textContent = T["status_" + ticket.status] || ticket.status;
      $("cur-status").dataset.status = ticket.status;
      $("cur-service").textContent = serviceName(serviceOf(ticket.service_id)) || ticket.service_name;
      fact("waited", duration(ticket.waited_s));
      fact("called", clockTime(ticket.called_at));
      fact("recalls", ticket.recall_count ? String(ticket.recall_count) : "");
      fact("channel", T["channel_" + ticket.channel] || ticket.channel);
      fact("priority", ticket.priority > 0 ? T.priority + " " + ticket.priority : "");
      fact("appointment", clockTime(ticket.appointment_at));
      fact("name", ticket.name || "");
      fact("phone", ticket.phone || "");
      renderAnswers(ticket);
      const allowed = ALLOWED[ticket.status] || [];
      for (const button of document.querySelectorAll("[data-action]")) {
        button.hidden = !allowed.includes(button.dataset.action);
      }
    }

    function renderAnswers(ticket) {
      const service = serviceOf(ticket.service_id);
      const questions = (service && service.questions) || [];
      const label = (labels, fallback) =>
        (labels && typeof labels === "object" ? labels[cfg.locale] || labels.en : labels) || fallback;
      const items = Object.entries(ticket.answers || {}).map(([id, value]) => {
        const question = questions.find((q) => q.id === id) || {};
        let shown = value;
        if (value === true || value === false) shown = value ? T.yes : T.no;
        const option = (question.options || []).find((o) => (o && o.value) === value);
        if (option) shown = label(option.label, value);
        return h("div", {}, h("dt", {}, label(question.label, id)), h("dd", {}, shown));
      });
      $("cur-answers").replaceChildren(...items);
    }


    /** Once a second: waited times and the no-show countdown. */
    function tick() {
      const ticket = state.current;
      const noShow = document.querySelector('[data-action="no-show"]');
      let wait = 0;
      if (ticket && ticket.status === "called" && ticket.called_at) {
        wait = Math.max(0, cfg.no_show_grace_s - secondsSince(ticket.called_at));
      }
      noShow.disabled = wait > 0;
      noShow.querySelector(".countdown").textContent = wait > 0 ? format(T.no_show_in, { seconds: wait }) : "";
      for (const cell of document.querySelectorAll("[data-since]")) {
        cell.textContent = duration(secondsSince(cell.dataset.since));
      }
    }


    return { render, renderCurrent, tick, duration, serviceOf, serviceName };
  }

  global.QServe.createTabletView = createView;
})(window);

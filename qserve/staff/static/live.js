/* Shared by the staff tablet and the waiting-room display: JSON requests, small DOM helpers, and a
   Socket.IO connection that says when it is up or down, resyncs on every (re)connect and polls as a
   fallback. No build step: plain functions on window.QServe. */
(function (global) {
  "use strict";

  /** Build an element: h("li", {class: "row", dataset: {key: "a"}}, "text", child). */
  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "dataset") Object.assign(element.dataset, value);
      else if (name === "class") element.className = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** Fill "%(name)s" placeholders of a translated string. */
  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, (match, key) =>
      values && key in values ? String(values[key]) : match);
  }

  /** Send a JSON request; never throws: {ok, status, data} or {ok: false, status, error: {code, message}}. */
  async function request(method, url, body, csrfToken) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrfToken) headers["X-CSRFToken"] = csrfToken;
    let response;
    try {
      response = await fetch(url, {
        method, headers, credentials: "same-origin", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      return { ok: false, status: 0, error: { code: "offline", message: String(error) } };
    }
    if (response.status === 204) return { ok: true, status: 204, data: null };
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    if (!response.ok) {
      const fallback = { code: "http_" + response.status, message: response.statusText };
      return { ok: false, status: response.status, error: (data && data.error) || fallback };
    }
    return { ok: true, status: response.status, data };
  }

  /**
   * Connect to a Socket.IO namespace and keep the page in sync with the server.
   * options: onOnline(socket) after every (re)connect, onOffline(), handlers {event: fn},
   * resync() to reload the state, pollMs (when offline) and staleMs (resync anyway when this old).
   */
  function live(namespace, options) {
    const socket = global.io(namespace, {
      reconnectionDelay: 500, reconnectionDelayMax: 4000, timeout: 8000,
    });
    let lastSync = 0;
    async function resync() {
      lastSync = Date.now();
      await options.resync();
    }
    socket.on("connect", () => {
      options.onOnline(socket);
      resync();
    });
    socket.on("disconnect", (reason) => {
      options.onOffline(reason);
      // The server closed us on purpose (e.g. a restart that kept the port): dial again ourselves.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => {
      options.onOffline("connect_error");
      // A namespace that refused us (session expired) is not retried by the client: retry slowly.
      if (!socket.active) setTimeout(() => socket.connect(), 5000);
    });
    for (const [name, handler] of Object.entries(options.handlers || {})) socket.on(name, handler);
    const pollMs = options.pollMs || 10000;
    const staleMs = options.staleMs || 60000;
    setInterval(() => {
      if (!socket.connected || Date.now() - lastSync > staleMs) resync();
    }, pollMs);
    return socket;
  }

  /**
   * Write a moment as a clock time in a time zone, by the server's CLDR pattern for the page's language
   * ("H.mm" in Finnish: "9.05", "HH:mm" otherwise), so scripts and server pages write the same.
   */
  function clock(moment, pattern, timeZone) {
    const parts = {};
    new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone })
      .formatToParts(moment).forEach((part) => { parts[part.type] = part.value; });
    const fields = { HH: parts.hour, H: String(Number(parts.hour)), mm: parts.minute };
    return pattern.replace(/HH|H|mm/g, (field) => fields[field]);
  }

  global.QServe = { h, format, request, live, clock };
})(window);

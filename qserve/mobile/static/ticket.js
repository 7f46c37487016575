/* qserve live ticket: Socket.IO with a polling fallback, resync on wake, your-turn screen, push opt-in. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ticket-data").textContent);
  var T = data.texts, lang = data.lang, view = data.view, token = view.token;
  var POLL_MS = window.qservePollMs || 15000;
  var CLOSED = ["done", "no_show", "cancelled"];
  var socket = null, pollTimer = null, stamp = 0, shownCall = null, shownAt = 0, audio = null;
  var $ = function (id) { return document.getElementById(id); };

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function pluralIndex(n) {
    if (n === 1) return 0;
    if (lang === "pl") {
      var last = n % 10, lastTwo = n % 100;
      return last >= 2 && last <= 4 && !(lastTwo >= 12 && lastTwo <= 14) ? 1 : 2;
    }
    return 2;
  }
  function plural(key, n) { return fill(T[key][pluralIndex(n)], { num: n }); }

  function positionText(v) {
    var ahead = v.people_ahead, appointments = v.ahead_appointments;
    if (ahead === null || ahead === undefined) return "";
    if (ahead === 0) return T.next;
    if (ahead === 1 && appointments === 1) return T.one_with_appointment;
    return plural("ahead", ahead) + (appointments ? plural("with_appointments", appointments) : "");
  }
  /** A wait of whole minutes: "25 min", from an hour "1 h 35 min" rounded to five (as qserve.formats). */
  function waitWords(minutes) {
    if (minutes < 60) return minutes + " min";
    var rounded = 5 * Math.round(minutes / 5), hours = Math.floor(rounded / 60), rest = rounded % 60;
    return hours + " " + T.hour_unit + (rest ? " " + rest + " min" : "");
  }
  function waitText(e) {
    if (!e) return "";
    var low = Math.floor(Math.floor(e.p10_s / 60) / 5) * 5;
    var high = Math.max(5, Math.ceil(e.p90_s / 300) * 5, low + 5);
    if (high <= 5) return T.wait_short;
    if (high >= 60) {
      if (low === 0) return fill(T.wait_upto_long, { high: waitWords(high) });
      return waitWords(low) + " – " + waitWords(high);
    }
    if (low === 0) return fill(T.wait_upto, { high: high });
    return fill(T.wait_range, { low: low, high: high });
  }
  /** Write a local clock time by the server's pattern for the language ("H.mm" in Finnish: "9.05"). */
  function clock(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: data.tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    var fields = { HH: parts.hour, H: String(Number(parts.hour)), mm: parts.minute };
    return T.clock.replace(/HH|H|mm/g, function (field) { return fields[field]; });
  }
  /** The local calendar day of a moment in the location's zone, as days since 1970 (for differences). */
  function localDay(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: data.tz, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / 86400000;
  }
  /** The expected call time as shown: rounded to five minutes. */
  function callTime(iso) {
    var step = 300000;
    return new Date(Math.round(new Date(iso).getTime() / step) * step);
  }
  /** How many local days after today the ticket will probably be called (0 today), or null. */
  function callDay(iso) {
    return iso ? localDay(callTime(iso)) - localDay(new Date()) : null;
  }
  function etaText(iso) {
    var days = callDay(iso);
    if (days === null || days >= 7) return "";
    var rounded = callTime(iso), time = clock(rounded);
    if (days <= 0) return fill(T.eta, { time: time });
    if (days === 1) return fill(T.eta_tomorrow, { time: time });
    var weekday = (new Date(localDay(rounded) * 86400000).getUTCDay() + 6) % 7;  // Monday first
    return fill(T.eta_on, { day: T.on_weekday[weekday], time: time });
  }
  function statusText(v) {
    var key = "status_" + v.status;
    if (v.cancel_code && T[key + "_" + v.cancel_code]) key = key + "_" + v.cancel_code;
    return T[key] ? fill(T[key], { counter: v.counter || "?" }) : "";
  }
  function setText(id, text) {
    var node = $(id);
    if (node.textContent !== text) node.textContent = text;  // unchanged text is not announced again
  }

  function render(v) {
    var waiting = v.status === "waiting", closed = CLOSED.indexOf(v.status) >= 0;
    if (v.status !== view.status) say("");  // a note about the old state is stale
    view = v;
    document.body.className = "ticket-page status-" + v.status;
    $("number").textContent = v.number;
    // After a transfer the names known at load belong to the old service: use the view's own name.
    var sameService = v.service_id === data.view.service_id;
    $("service").textContent = (sameService && (data.names[lang] || data.names.en)) || v.service_name;
    document.title = v.number + " · " + $("service").textContent;  // the tab says the service it is in now
    $("place").hidden = !waiting;
    if (waiting) {
      setText("position", positionText(v));
      // On a later day the day and the time say it better than hundreds of minutes.
      var days = callDay(v.expected_call_at), wait = days !== null && days > 0 ? "" : waitText(v.estimated_wait);
      setText("wait", wait);
      $("wait-line").hidden = !wait;
      setText("eta", etaText(v.expected_call_at));
    }
    var status = statusText(v);
    setText("status", status);
    $("status").hidden = !status;
    $("postpone-form").hidden = !v.can_postpone;
    $("cancel").hidden = !v.can_cancel;
    $("again").hidden = !closed;
    $("extras").hidden = closed;
    if (v.status === "called") {
      var key = v.called_at + "/" + v.recall_count;
      if (key !== shownCall) { shownCall = key; if ($("turn").hidden) showTurn(v.counter); }
    } else if (!$("turn").hidden) {
      $("turn").hidden = true;
    }
    setLive(true);
  }
  function update(v) {
    if (!v || v.token !== token) return;
    stamp += 1;
    render(v);
    if (v.status === "done" && watchedOpen) openFeedback("/t/" + token + "/feedback");
    watchedOpen = watchedOpen || CLOSED.indexOf(v.status) < 0;
  }
  // When staff finish while this page is open, the feedback form opens by itself
  // (the feedback_requested event, or polling that sees the ticket turn "done").
  var watchedOpen = false, feedbackOpened = false;
  function openFeedback(url) {
    if (feedbackOpened) return;
    feedbackOpened = true;
    window.location.assign(url);
  }

  function setLive(ok) {
    var live = $("live");
    live.className = ok ? "live" : "live offline";
    live.textContent = ok ? fill(T.updated, { time: clock(new Date()) }) : T.offline;
  }
  function refresh() {
    var mine = stamp;
    return fetch(data.api, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) { if (mine === stamp) update(v); })
      .catch(function () { setLive(false); });
  }
  function startPolling() { if (!pollTimer) pollTimer = setInterval(refresh, POLL_MS); }
  function stopPolling() { clearInterval(pollTimer); pollTimer = null; }
  function wake() {
    refresh();
    if (socket && !socket.connected) socket.connect();
  }

  function connect() {
    if (!window.io) { startPolling(); return; }
    socket = window.io("/ticket", { reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      stopPolling();
      // Once the server has the page in the ticket's room, say so (tests wait for it before acting).
      socket.emit("watch", { token: token }, function () { $("live").dataset.socket = "watching"; });
    });
    socket.on("disconnect", function () { delete $("live").dataset.socket; setLive(false); startPolling(); });
    socket.on("connect_error", function () { setLive(false); startPolling(); });
    socket.on("ticket_updated", update);
    socket.on("feedback_requested", function (m) { openFeedback(m.url); });
    socket.on("ticket_called", function (call) {
      if ($("turn").hidden || Date.now() - shownAt > 3000) showTurn(call.counter);  // a recall rings again
    });
  }

  function unlockAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }
  function chime() {
    unlockAudio();
    if (!audio) return false;
    var start = audio.currentTime + 0.05;
    [0, 1.4].forEach(function (offset) {
      [659, 880, 1047].forEach(function (frequency, i) {
        var at = start + offset + i * 0.22, osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.7);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(at); osc.stop(at + 0.75);
      });
    });
    return audio.state === "running";
  }
  function showTurn(counter) {
    var turn = $("turn");
    $("turn-counter").textContent = fill(T.turn_counter, { counter: counter || view.counter || "?" });
    turn.hidden = false;
    shownAt = Date.now();
    turn.classList.remove("turn-flash"); void turn.offsetWidth; turn.classList.add("turn-flash");
    turn.setAttribute("data-sound", chime() ? "played" : "blocked");
    var vibrated = navigator.vibrate ? navigator.vibrate([400, 200, 400, 200, 800]) : false;
    turn.setAttribute("data-vibrated", vibrated ? "yes" : "no");
    $("turn-ok").focus();
  }

  // The note under the ticket: what an action did, or, refused, why not (in the colour of a warning).
  function say(text, refused) {
    $("note").textContent = text;
    $("note").classList.toggle("refused", Boolean(refused));
  }

  // onRefused: the note for a refusal, or an object of notes by error code with a "default".
  function act(path, onRefused) {
    say("");
    return fetch(data.api + path, { method: "POST", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (r.ok) { update(body); return true; }
          var code = body && body.error && body.error.code;
          var notes = typeof onRefused === "object" ? onRefused : { "default": onRefused };
          say(notes[code] || notes["default"] || T.action_failed, true);
          refresh();
          return false;
        });
      })
      .catch(function () { say(T.action_failed, true); return false; });
  }

  function urlKey(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function pushState(text) { $("push-state").textContent = text; }
  function postSubscription(subscription) {
    var json = subscription.toJSON();
    return fetch(data.api + "/push-subscriptions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } })
    }).then(function (r) {
      if (!r.ok) throw new Error("refused");
      $("push").hidden = true; pushState(T.push_on);
    });
  }
  function subscribe() {
    unlockAudio();
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { pushState(T.push_denied); return; }
      return navigator.serviceWorker.ready.then(function (registration) {
        return fetch("/api/v1/push/public-key").then(function (r) {
          if (!r.ok) throw new Error("no key");
          return r.json();
        }).then(function (body) {
          var key = body.public_key || body.publicKey || body.key;
          return registration.pushManager.getSubscription().then(function (existing) {
            return existing || registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlKey(key) });
          });
        }).then(postSubscription);
      });
    }).catch(function () { pushState(T.push_unavailable); });
  }
  function offerPush() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    navigator.serviceWorker.addEventListener("message", function () { refresh(); });
    if (Notification.permission === "denied" || CLOSED.indexOf(view.status) >= 0) return;
    $("push").hidden = false;
    $("push-on").addEventListener("click", subscribe);
    if (Notification.permission !== "granted") return;
    // Allowed before (an earlier ticket, or a reload): tie this browser's subscription to this ticket too.
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (existing) { if (existing) return postSubscription(existing); }).catch(function () {});
  }

  $("postpone-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("postpone").disabled = true;
    act("/postpone", { nobody_behind: T.postpone_last, "default": T.postpone_refused }).then(function (ok) {
      $("postpone").disabled = false;
      if (ok) say(T.postponed);
    });
  });
  $("cancel").addEventListener("click", function (event) {
    var dialog = $("cancel-dialog");
    if (!dialog.showModal) return;  // old browsers follow the link to the confirmation page
    event.preventDefault();
    dialog.showModal();
  });
  $("cancel-no").addEventListener("click", function () { $("cancel-dialog").close(); });
  $("cancel-yes").addEventListener("click", function () {
    act("/cancel").then(function () { $("cancel-dialog").close(); });
  });
  $("turn-ok").addEventListener("click", function () { $("turn").hidden = true; });
  $("sound-test").addEventListener("click", function () { chime(); });
  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, unlockAudio, { passive: true }); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") wake(); });
  window.addEventListener("online", wake);
  window.addEventListener("pageshow", function (event) { if (event.persisted) wake(); });

  window.qserveTicket = { refresh: refresh };
  render(view);
  // A page opened while its visit was open opens the feedback form even when the first news it gets (a
  // live connection slow to come up, a phone waking) already says the visit is done.
  watchedOpen = CLOSED.indexOf(view.status) < 0;
  offerPush();
  connect();
}());

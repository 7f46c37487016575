/* The waiting-room display: latest calls, waiting counts, clock, message line, chime and spoken calls. */
(function () {
  "use strict";
  const { h, format, request, live, clock } = window.QServe;
  const cfg = JSON.parse(document.getElementById("display-config").textContent);
  const T = cfg.strings;
  const $ = (id) => document.getElementById(id);
  const SHOWN = 7; // the newest call plus six earlier ones
  const FRESH_MS = 12000; // how long the newest call is highlighted

  let state = cfg.state;
  let offsetMs = Date.parse(state.server_time) - Date.now();
  let freshUntil = 0;
  let syncedAt = Date.parse(state.server_time); // server time of the last complete picture
  const announcedAt = new Map(); // ticket id -> when this page announced it
  const MISSED_MS = 120000; // calls made while we were cut off are still announced when this recent
  let disconnected = false;

  /* ---------- rendering ---------- */

  function serviceName(service) {
    return (service.names && service.names[cfg.language]) || service.name;
  }

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  function render() {
    const [newest, ...earlier] = state.calls;
    $("now").hidden = !newest;
    $("now-empty").hidden = Boolean(newest);
    $("now-empty").textContent = newest ? "" : T.no_calls;
    if (newest) {
      // Touch the live region only when the call changes, so screen readers do not repeat it.
      setText($("now-number"), newest.number);
      setText($("now-counter"), newest.counter || "");
    }
    // Until a second call, "Previous calls" would head an empty area: the current call takes its place.
    document.body.classList.toggle("no-previous", !earlier.length);
    $("previous-list").replaceChildren(...earlier.slice(0, SHOWN - 1).map((call) =>
      h("li", {}, h("span", { class: "fit" },
        h("span", { class: "number" }, call.number),
        h("span", { class: "arrow", "aria-hidden": "true" }, "→"),
        h("span", { class: "counter" }, h("span", { class: "counter-word" }, T.counter), " ", call.counter || "")))));
    $("waiting-list").replaceChildren(...state.services.map((service) =>
      h("li", { class: service.is_open === false ? "closed" : "" },
        h("span", { class: "prefix" }, service.prefix),
        h("span", { class: "name" }, serviceName(service)),
        h("span", { class: "count" }, service.is_open === false ? T.closed : service.waiting))));
    $("counters-open").textContent = format(T.counters_open, { count: state.counters_open });
    showMessage(state.message || "");
    highlight();
    layout();
  }

  /** Fit the calls and the waiting list to the screen, as it is now (landscape or portrait). */
  function layout() {
    fit($("now"));
    for (const item of $("previous-list").children) fit(item);
    fitList($("waiting-list"));
  }

  /** Show the message line; one too long for the screen slides slowly back and forth. */
  function showMessage(text, resized = false) {
    const box = $("message");
    const line = box.firstElementChild;
    box.hidden = !text;
    if (line.textContent === text && !resized) return; // keep a sliding line sliding
    line.textContent = text;
    box.classList.remove("long");
    const overflow = line.offsetWidth - box.clientWidth;
    if (overflow > 0) {
      box.style.setProperty("--shift", `-${overflow}px`);
      box.style.setProperty("--slide", `${Math.max(8, Math.round(overflow / 40))}s`);
      box.classList.add("long");
    }
  }

  /** Shrink a box's type until its call (the .fit span inside) fits its width and height (long numbers,
   *  counter names, or a number standing over its counter in portrait). */
  function fit(box) {
    box.style.fontSize = "";
    const line = box.querySelector(".fit");
    const style = getComputedStyle(box);
    const width = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const height = box.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (!line || width <= 0 || height <= 0) return;
    const scale = Math.min(width / line.offsetWidth, height / line.offsetHeight);
    if (scale < 1) box.style.fontSize = `${Math.floor(parseFloat(style.fontSize) * scale * 0.97)}px`;
  }

  /** Fit a long list of services with every name whole: first in slightly smaller type, then, when the
   *  list is wide (a portrait screen), in two columns, then in smaller type down to 60 %. */
  function fitList(list) {
    list.style.fontSize = "";
    list.classList.remove("columns");
    const base = parseFloat(getComputedStyle(list).fontSize);
    const wide = list.clientWidth > 20 * base;
    const cut = (element) => element.scrollHeight > element.clientHeight + 1;
    const fits = () => !cut(list) && ![...list.querySelectorAll(".name")].some(cut);
    const scales = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6];
    const tries = [
      ...scales.slice(1, 5).map((scale) => [false, scale]),
      ...(wide ? scales : scales.slice(5)).map((scale) => [wide, scale]),
    ];
    for (const [columns, scale] of tries) {
      if (fits()) return;
      list.classList.toggle("columns", columns);
      list.style.fontSize = `${base * scale}px`;
    }
  }

  function highlight() {
    document.body.classList.toggle("fresh", Date.now() < freshUntil);
  }

  function tickClock() {
    const now = new Date(Date.now() + offsetMs);
    const zone = { timeZone: state.time_zone };
    $("clock-time").textContent = clock(now, cfg.clock, state.time_zone);
    $("clock-date").textContent = now.toLocaleDateString(cfg.language, {
      weekday: "long", day: "numeric", month: "long", ...zone,
    });
    highlight();
  }

  /* ---------- live updates ---------- */

  function onCalled(call) {
    announcedAt.set(call.ticket_id, Date.now());
    const rest = state.calls.filter((c) => c.ticket_id !== call.ticket_id);
    state.calls = [call, ...rest].slice(0, SHOWN);
    freshUntil = Date.now() + FRESH_MS;
    // Restart the highlight animation even when the same ticket is recalled.
    document.body.classList.remove("fresh");
    void document.body.offsetWidth;
    render();
    announce(call);
  }

  function onWithdrawn(withdrawn) {
    // Staff undid a call: the ticket is back in line, so it leaves the board.
    state.calls = state.calls.filter((c) => c.ticket_id !== withdrawn.ticket_id);
    render();
  }

  function onCounts(summary) {
    const byId = new Map(summary.services.map((s) => [s.id, s]));
    if (summary.services.some((s) => !state.services.find((known) => known.id === s.id))) {
      resync(); // a service was added: take the whole state
      return;
    }
    state.services = state.services.map((s) => (byId.has(s.id) ? { ...s, ...byId.get(s.id) } : s));
    state.counters_open = summary.counters_open;
    if (typeof summary.message === "string") state.message = summary.message;
    render();
  }

  async function resync() {
    const sent = Date.now();
    const result = await request("GET", `/display/${encodeURIComponent(cfg.location)}/state`);
    if (!result.ok) return;
    const previous = syncedAt;
    state = result.data;
    syncedAt = Date.parse(state.server_time);
    offsetMs = syncedAt - (sent + Date.now()) / 2;
    const missed = state.calls.filter((call) => {
      const at = Date.parse(call.at);
      const announced = announcedAt.get(call.ticket_id) || 0;
      return at > previous && at > syncedAt - MISSED_MS && announced < Date.now() - MISSED_MS;
    });
    if (missed.length) freshUntil = Date.now() + FRESH_MS;
    render();
    // A call made while the network was down is still worth saying: oldest first.
    for (const call of missed.reverse()) {
      announcedAt.set(call.ticket_id, Date.now());
      announce(call);
    }
  }

  /* ---------- sound: a chime through WebAudio, then the call in each language ---------- */

  let soundOn = localStorage.getItem("qserve.display.sound") !== "off";
  let audio = null;
  let speaking = Promise.resolve();
  let pending = 0;

  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    return audio;
  }

  function chime() {
    const context = audioContext();
    if (!context || context.state !== "running") return Promise.resolve();
    const start = context.currentTime + 0.05;
    [[659.25, 0], [523.25, 0.45]].forEach(([frequency, delay]) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + delay);
      gain.gain.exponentialRampToValueAtTime(0.5, start + delay + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 0.9);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + delay);
      oscillator.stop(start + delay + 1);
    });
    return new Promise((resolve) => setTimeout(resolve, 1300));
  }

  function voiceFor(lang) {
    const voices = window.speechSynthesis ? window.speechSynthesis.getVoices() : [];
    const wanted = lang.toLowerCase();
    return voices.find((v) => v.lang.toLowerCase() === wanted)
      || voices.find((v) => v.lang.toLowerCase().startsWith(wanted.split("-")[0]));
  }

  function say(text, lang) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      const voice = voiceFor(lang);
      if (voice) utterance.voice = voice;
      utterance.rate = 0.9;
      // A speech engine that never answers must not stop the next announcement.
      const guard = setTimeout(resolve, 9000);
      utterance.onend = utterance.onerror = () => {
        clearTimeout(guard);
        resolve();
      };
      window.speechSynthesis.speak(utterance);
    });
  }

  function announce(call) {
    if (!soundOn || pending >= 4) return;
    pending += 1;
    speaking = speaking.then(async () => {
      await chime();
      for (const phrase of cfg.speech) {
        if (!soundOn) break;
        await say(format(phrase.text, { number: call.spoken, counter: call.counter || "" }), phrase.lang);
      }
    }).finally(() => {
      pending -= 1;
    });
  }

  function showSound() {
    $("sound").setAttribute("aria-pressed", String(soundOn));
    $("sound-text").textContent = soundOn ? T.sound_on : T.sound_off;
    const blocked = soundOn && audioContext() && audioContext().state !== "running";
    $("status").textContent = blocked ? T.enable_sound : (disconnected ? T.reconnecting : "");
  }

  function unlock() {
    const context = audioContext();
    if (context && context.state !== "running") context.resume().then(showSound, showSound);
  }

  $("sound").addEventListener("click", () => {
    soundOn = !soundOn;
    localStorage.setItem("qserve.display.sound", soundOn ? "on" : "off");
    if (!soundOn && window.speechSynthesis) window.speechSynthesis.cancel();
    unlock();
    showSound();
  });
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);

  /* ---------- connection ---------- */

  live("/display", {
    onOnline(socket) {
      // Online once the server has put us in the location's room, and only then read the state: a call made
      // between the connect and the join would otherwise be missed until the next stale resync (30 s).
      socket.emit("watch", { location: cfg.location }, () => {
        disconnected = false;
        document.body.dataset.online = "1";
        showSound();
        resync();
      });
    },
    onOffline() {
      disconnected = true;
      document.body.dataset.online = "0";
      showSound();
    },
    resync,
    handlers: { ticket_called: onCalled, call_withdrawn: onWithdrawn, queue_updated: onCounts },
    pollMs: 10000,
    staleMs: 30000,
  });

  /* ---------- a display runs for weeks: hide an idle pointer, start afresh once a night ---------- */

  let pointerTimer = null;
  function pointerMoved() {
    document.body.classList.remove("idle");
    clearTimeout(pointerTimer);
    pointerTimer = setTimeout(() => document.body.classList.add("idle"), 3000);
  }
  document.addEventListener("mousemove", pointerMoved);

  const loadedAt = Date.now();
  async function nightlyReload() {
    const hour = new Date(Date.now() + offsetMs).toLocaleString("en-GB", {
      hour: "2-digit", hourCycle: "h23", timeZone: state.time_zone,
    });
    if (Number(hour) !== 3 || Date.now() - loadedAt < 6 * 3600 * 1000) return;
    // Only reload when the server answers, so the screen never ends on a browser error page.
    const probe = await request("GET", `/display/${encodeURIComponent(cfg.location)}/state`);
    if (probe.ok) window.location.reload();
  }
  setInterval(nightlyReload, 10 * 60 * 1000);

  pointerMoved();
  window.addEventListener("resize", () => {
    layout();
    showMessage(state.message || "", true);
  });
  render();
  tickClock();
  showSound();
  setInterval(tickClock, 1000);
  if (audioContext()) audioContext().onstatechange = showSound;
})();

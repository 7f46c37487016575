/* The walk-in kiosk: tap a service, get a printed ticket and the same ticket on screen. */
(function () {
  "use strict";

  const state = JSON.parse(document.getElementById("kiosk-state").textContent);
  const settings = state.settings;
  const $ = (id) => document.getElementById(id);
  const screens = ["start", "phone-panel", "booking-panel", "question-panel", "result"];
  const PRINT_POLL_MS = 700;
  const PRINT_SLOW_MS = 6000;
  const FAILED_RESULT_S = 30;
  const REFRESH_MS = 20000;
  const SECOND_TAP_MS = 400; // a double tap must not also answer the question that its first tap brought up

  let language = settings.default_language;
  let assistance = false;
  let phone = "";
  let bookingCode = "";
  let pending = null; // {key, serviceId}: one idempotency key per intent, reused by a repeated tap or a retry
  let asking = null; // {service, index, answers}: a service's questions, answered one screen at a time
  let busy = false;
  let services = state.services;
  let closed = state.closed; // {opens_at, texts} while the location takes no walk-ins, else null
  let idleTimer = null;
  let resultTimer = null;
  let countdownAnimation = null;
  let printPoll = null;
  let camera = null;

  function t(key, values) {
    const text = (state.texts[language] || state.texts.en)[key] || state.texts.en[key] || key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : ""));
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // available outside secure contexts too
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /* ---------- screens and texts ---------- */

  function show(id) {
    for (const name of screens) $(name).hidden = name !== id;
    document.querySelector(".languages").hidden = id !== "start"; // the language is chosen before a tap
    if (id !== "booking-panel") stopCamera();
    if (id === "start") fitServices();
  }

  function applyTexts() {
    document.documentElement.lang = language;
    for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
    for (const button of document.querySelectorAll(".language")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    }
    const sms = $("sms");
    sms.classList.toggle("has-value", Boolean(phone));
    $("sms-label").textContent = phone ? t("sms_to", { phone }) : t("sms");
    renderServices();
    renderNote();
  }

  function renderServices() {
    const list = $("services");
    list.replaceChildren();
    list.classList.toggle("few", services.length <= 4);
    list.classList.toggle("many", services.length > 6);
    list.dataset.count = services.length;
    for (const service of services) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "service-button";
      button.dataset.serviceId = service.id;
      button.disabled = !service.is_open || Boolean(closed);
      const prefix = document.createElement("span");
      prefix.className = "prefix";
      prefix.textContent = service.prefix;
      const body = document.createElement("span");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = service.names[language] || service.names.en || service.prefix;
      const wait = document.createElement("span");
      wait.className = "wait";
      wait.textContent = waitLine(service);
      body.append(name, wait);
      button.append(prefix, body);
      button.addEventListener("click", () => chooseService(service));
      list.append(button);
    }
    renderClosed();
    fitServices();
  }

  // While the location is closed, the line under the welcome says when it opens instead of inviting a tap
  // (booked customers still check in with the button below).
  function renderClosed() {
    const lead = document.querySelector("#start .lead");
    lead.textContent = closed ? closed.texts[language] || closed.texts.en : t("choose_service");
    lead.classList.toggle("closed", Boolean(closed));
  }

  // Every service in sight, never behind a scroll a customer would not guess: when the full-size buttons
  // do not all fit (a short landscape screen, the assistance note showing), they take a compact size.
  function fitServices() {
    const list = $("services");
    if ($("start").hidden) return; // measured when the start screen shows again
    list.classList.remove("compact");
    if (list.scrollHeight > list.clientHeight + 1) list.classList.add("compact");
  }

  function waitLine(service) {
    if (closed && closed.last_call && service.is_open) return t("no_new_tickets"); // open, past the last call
    if (!service.is_open || closed) return t("closed");
    if (!service.waiting) return t("no_queue");
    const count = t("waiting", { count: service.waiting });
    const wait = service.wait_texts[language];
    return wait ? `${count} · ${wait}` : count;
  }

  let noteError = null;
  function renderNote() {
    const note = $("start-note");
    if (noteError) {
      note.textContent = t(noteError);
      note.className = "note error";
      note.hidden = false;
    } else if (assistance) {
      note.textContent = t("assistance_on");
      note.className = "note info";
      note.hidden = false;
    } else {
      note.hidden = true;
    }
    fitServices();
  }

  function setError(key) {
    noteError = key;
    renderNote();
  }

  /* ---------- talking to the server ---------- */

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  }

  function errorKey(error) {
    if (!error) return "error";
    if (error.code === "service_closed") return "service_closed";
    if (error.code === "location_closed") return "location_closed";
    if (error.code === "service_full") return "service_full";
    if (error.code === "appointments_only") return "appointments_only";
    if (error.code === "site_full") return "site_full";
    if (error.code === "check_in_too_early") return "check_in_too_early";
    if (error.code === "check_in_too_late") return "check_in_too_late";
    if (error.code === "check_in_not_booked") return "check_in_not_booked";
    if (error.code === "booking_not_found") return "no_booking";
    if (error.field === "phone") return error.code === "conflict" ? "phone_taken" : "phone_invalid";
    if (error.field === "code" || error.code === "not_found") return "no_booking";
    return "error";
  }

  async function takeTicket(serviceId, answers) {
    if (busy) return; // a second tap while the first is on its way changes nothing
    busy = true;
    setError(null);
    if (!pending || pending.serviceId !== serviceId) pending = { key: newKey(), serviceId };
    const body = {
      service_id: serviceId, language, assistance, phone: phone || null, answers: answers || {},
      idempotency_key: pending.key,
    };
    $("busy").hidden = false;
    let refused = false;
    try {
      const answer = await postWithRetry(state.urls.issue, body);
      pending = null;
      refused = !answer.ok;
      if (answer.ok) showResult(answer.data);
      else showError(errorKey(answer.data.error));
    } catch (error) {
      showError("offline"); // the key is kept: the next tap retries the same request
    } finally {
      busy = false;
      $("busy").hidden = true;
    }
    // A refusal (the location has just closed, the service filled up) means the screen is out of date: show
    // what holds now, keeping the phone number, language and assistance chosen.
    if (refused) refreshServices();
  }

  function showError(key) {
    asking = null;
    if ($("start").hidden) show("start");
    setError(key);
  }

  /* ---------- a service's questions, before its ticket ---------- */

  function chooseService(service) {
    if (busy) return;
    if (!(service.questions || []).length) {
      takeTicket(service.id);
      return;
    }
    setError(null);
    asking = { service, index: 0, answers: {} };
    show("question-panel");
    renderQuestion();
  }

  function renderQuestion() {
    const { service, index, answers } = asking;
    const question = service.questions[index];
    $("question-service").textContent = service.names[language] || service.names.en || service.prefix;
    $("question-title").textContent = question.labels[language] || question.labels.en || "";
    const choices = question.type === "yesno"
      ? [{ value: true, text: t("yes") }, { value: false, text: t("no") }]
      : question.options.map((option) => ({ value: option.value, text: option.labels[language] || option.value }));
    $("question-answers").replaceChildren(...(question.type === "text" ? [] : choices).map((choice) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "answer";
      button.textContent = choice.text;
      button.addEventListener("click", () => tappedTooSoon() || answerQuestion(choice.value));
      return button;
    }));
    const typing = question.type === "text";
    $("question-entry").hidden = $("question-keys").hidden = $("question-next").hidden = !typing;
    $("question-entry").textContent = typing ? answers[question.id] || "" : "";
    $("question-skip").hidden = question.required;
    asking.shownAt = Date.now();
  }

  function tappedTooSoon() {
    return Date.now() - asking.shownAt < SECOND_TAP_MS;
  }

  function answerQuestion(value) {
    const question = asking.service.questions[asking.index];
    if (value === null || value === "") delete asking.answers[question.id];
    else asking.answers[question.id] = value;
    if (asking.index + 1 < asking.service.questions.length) {
      asking.index += 1;
      renderQuestion();
    } else {
      takeTicket(asking.service.id, asking.answers);
    }
  }

  function typeAnswer(key) {
    const entry = $("question-entry");
    const text = entry.textContent;
    if (key === "back") entry.textContent = text.slice(0, -1);
    else if (text.length < 200) entry.textContent = text + (key === "space" ? " " : key);
  }

  async function postWithRetry(url, body) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await postJSON(url, body);
      } catch (error) {
        if (attempt >= 2) throw error;
        await new Promise((resolve) => setTimeout(resolve, 800));
      }
    }
  }

  async function refreshServices() {
    if ($("start").hidden || busy) return;
    try {
      const response = await fetch(state.urls.services, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      services = data.services;
      closed = data.closed || null;
      renderServices();
    } catch (error) {
      /* keep showing the last known waits */
    }
  }

  /* ---------- the ticket on screen ---------- */

  function showResult(ticket) {
    $("result-number").textContent = ticket.number;
    $("result-service").textContent = ticket.service_name;
    $("result-appointment").textContent = ticket.appointment_text || "";
    $("result-appointment").hidden = !ticket.appointment_text;
    $("result-wait").textContent = [ticket.people_ahead_text, ticket.wait_text].filter(Boolean).join(" · ");
    $("result-qr").innerHTML = ticket.qr_svg; // made by the server from the ticket's own URL
    $("result").dataset.token = ticket.token;
    show("result");
    speak(ticket);
    setPrintState(ticket.print.state);
    countdown(settings.result_s);
    if (ticket.print.state !== "none") followPrinting(ticket.token, Date.now());
  }

  function setPrintState(printState, slow) {
    const box = $("print-status");
    box.className = `print-status ${printState}`;
    box.dataset.state = printState;
    const key = { printing: slow ? "print_slow" : "printing", printed: "printed", failed: "print_failed" }[printState];
    box.replaceChildren();
    if (printState === "printing") {
      const spinner = document.createElement("span");
      spinner.className = "spinner";
      box.append(spinner);
    }
    box.append(document.createTextNode(t(key || "no_printer")));
  }

  function followPrinting(token, startedAt) {
    clearTimeout(printPoll);
    const url = state.urls.print_state.replace("TOKEN", encodeURIComponent(token));
    const poll = async () => {
      if ($("result").hidden || $("result").dataset.token !== token) return;
      let answer = null;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        answer = response.ok ? await response.json() : null;
      } catch (error) {
        answer = null;
      }
      const current = $("print-status").dataset.state;
      if (answer && answer.state !== current) {
        setPrintState(answer.state);
        if (answer.state === "failed" && current !== "failed") countdown(Math.max(settings.result_s, FAILED_RESULT_S));
      } else if (current === "printing" && Date.now() - startedAt > PRINT_SLOW_MS) {
        setPrintState("printing", true);
      }
      if (!answer || answer.state !== "printed") printPoll = setTimeout(poll, PRINT_POLL_MS);
    };
    printPoll = setTimeout(poll, 150);
  }

  function speak(ticket) {
    if (!("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(t("spoken", { number: ticket.spoken }));
    utterance.lang = state.speech_locales[language] || "en-GB";
    utterance.rate = 0.9;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function countdown(seconds) {
    clearTimeout(resultTimer);
    resultTimer = setTimeout(resetToStart, seconds * 1000);
    const bar = $("countdown-bar");
    if (countdownAnimation) countdownAnimation.cancel();
    if (bar.animate) {
      countdownAnimation = bar.animate([{ transform: "scaleX(1)" }, { transform: "scaleX(0)" }], {
        duration: seconds * 1000, fill: "forwards",
      });
    }
  }

  /* ---------- phone, booking code, camera ---------- */

  function buildKeys(container, rows, onKey) {
    for (const row of rows) {
      const line = container.classList.contains("keyboard") ? document.createElement("div") : container;
      if (line !== container) {
        line.className = "row";
        container.append(line);
      }
      for (const key of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "key";
        button.textContent = { back: "⌫", space: "␣" }[key] || key;
        button.dataset.key = key;
        button.setAttribute("aria-label", { back: "Delete", space: "Space" }[key] || key);
        button.addEventListener("click", () => onKey(key));
        line.append(button);
      }
    }
  }

  function typePhone(key) {
    if (key === "back") phone = phone.slice(0, -1);
    else if (phone.length < 16 && (key !== "+" || phone === "")) phone += key;
    $("phone-display").textContent = phone;
  }

  function typeCode(key) {
    if (key === "back") bookingCode = bookingCode.slice(0, -1);
    else if (bookingCode.length < 32) bookingCode += key;
    $("booking-display").textContent = bookingCode;
    $("booking-message").hidden = true;
  }

  async function submitCode(code) {
    if (busy || !code) return;
    busy = true;
    $("busy").hidden = false;
    try {
      const answer = await postWithRetry(state.urls.check_in, { code, language });
      if (answer.ok) {
        bookingCode = "";
        showResult(answer.data);
      } else {
        $("booking-message").textContent = t(errorKey(answer.data.error));
        $("booking-message").hidden = false;
      }
    } catch (error) {
      $("booking-message").textContent = t("offline");
      $("booking-message").hidden = false;
    } finally {
      busy = false;
      $("busy").hidden = true;
    }
  }

  async function startCamera() {
    if (!settings.camera_check_in || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" } });
      const video = $("camera");
      video.srcObject = stream;
      await video.play();
      $("camera-box").hidden = false;
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      camera = { stream, timer: null };
      const scan = async () => {
        if (!camera) return;
        const codes = await detector.detect(video).catch(() => []);
        if (codes.length) submitCode(codes[0].rawValue);
        camera.timer = setTimeout(scan, 500);
      };
      scan();
    } catch (error) {
      $("camera-box").hidden = true; // no camera: typing the code still works
    }
  }

  function stopCamera() {
    if (!camera) return;
    clearTimeout(camera.timer);
    for (const track of camera.stream.getTracks()) track.stop();
    camera = null;
    $("camera-box").hidden = true;
  }

  /* ---------- resets ---------- */

  function resetToStart() {
    clearTimeout(resultTimer);
    clearTimeout(printPoll);
    if (countdownAnimation) countdownAnimation.cancel();
    pending = null;
    asking = null;
    phone = "";
    bookingCode = "";
    assistance = false;
    noteError = null;
    language = settings.default_language;
    const toggle = $("assistance");
    if (toggle) toggle.setAttribute("aria-pressed", "false");
    $("phone-display").textContent = "";
    $("booking-display").textContent = "";
    $("booking-message").hidden = true;
    show("start");
    applyTexts();
    refreshServices();
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if ($("result").hidden) resetToStart(); // the result screen has its own countdown
      touched();
    }, settings.idle_reset_s * 1000);
  }

  /* ---------- wiring ---------- */

  function tick() {
    // CLDR's short clock, as the server writes it (qserve.formats): "9.05" in Finnish, "09:05" otherwise.
    const clock = new Intl.DateTimeFormat(language, {
      timeStyle: "short", hourCycle: "h23", timeZone: state.location.time_zone,
    });
    $("clock").textContent = clock.format(new Date());
  }

  function wire() {
    for (const button of document.querySelectorAll(".language")) {
      button.addEventListener("click", () => {
        language = button.dataset.lang;
        applyTexts();
        tick();
      });
    }
    const toggle = $("assistance");
    if (toggle) {
      toggle.addEventListener("click", () => {
        assistance = !assistance;
        toggle.setAttribute("aria-pressed", String(assistance));
        renderNote();
      });
    }
    $("sms").addEventListener("click", () => {
      $("phone-display").textContent = phone;
      show("phone-panel");
    });
    $("phone-clear").addEventListener("click", () => {
      phone = "";
      $("phone-display").textContent = "";
    });
    $("phone-done").addEventListener("click", () => {
      setError(null);
      show("start");
      applyTexts();
    });
    $("appointment").addEventListener("click", () => {
      show("booking-panel");
      startCamera();
    });
    $("booking-back").addEventListener("click", () => show("start"));
    $("question-back").addEventListener("click", () => {
      if (asking && asking.index > 0) {
        asking.index -= 1;
        renderQuestion();
      } else {
        asking = null;
        show("start");
      }
    });
    $("question-skip").addEventListener("click", () => tappedTooSoon() || answerQuestion(null));
    $("question-next").addEventListener("click", () => {
      const text = $("question-entry").textContent.trim();
      const question = asking.service.questions[asking.index];
      if (text || !question.required) answerQuestion(text);
    });
    $("booking-submit").addEventListener("click", () => submitCode(bookingCode));
    $("result-done").addEventListener("click", resetToStart);
    buildKeys($("phone-keys"), [["1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", "back"]], typePhone);
    buildKeys(
      $("booking-keys"),
      ["1234567890".split(""), "QWERTYUIOP".split(""), "ASDFGHJKL".split(""), [..."ZXCVBNM-".split(""), "back"]],
      typeCode,
    );
    // The letters of the kiosk's languages beyond A to Z: Å, Ä, Ö for Finnish and Swedish, Polish ones.
    const speaks = (...codes) => codes.some((code) => settings.languages.includes(code));
    const nordic = speaks("fi", "sv");
    buildKeys(
      $("question-keys"),
      [
        "1234567890".split(""),
        (nordic ? "QWERTYUIOPÅ" : "QWERTYUIOP").split(""),
        (nordic ? "ASDFGHJKLÖÄ" : "ASDFGHJKL").split(""),
        [..."ZXCVBNM,.-".split(""), "back"],
        ...(speaks("pl") ? ["ĄĆĘŁŃÓŚŹŻ".split("")] : []),
        ["space"],
      ],
      typeAnswer,
    );
    for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, touched, { passive: true });
    document.addEventListener("contextmenu", (event) => event.preventDefault());
    window.addEventListener("resize", fitServices);
  }

  wire();
  applyTexts();
  tick();
  touched();
  setInterval(tick, 15000);
  setInterval(refreshServices, REFRESH_MS);
})();

/*
 * Wegwijzer Werk chat widget. Embed with one tag:
 *   <script src="https://…/widget/widget.js" data-gemeente="GM0344" data-title="…" data-color="#…"
 *           data-server="https://…" data-privacy-url="https://…"></script>
 * No framework and no build step. Everything is built with DOM calls and classes: no inline script, no style
 * attributes and no HTML strings, so it works under a strict Content-Security-Policy and never shows raw HTML.
 * The transcript is kept in sessionStorage (per browser tab) because Rasa's socket.io channel sends no history.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__wegwijzerWerk) { return; }
  window.__wegwijzerWerk = true;

  var BASE = script.src.replace(/[^/]*(\?.*)?$/, "");
  var STORE_KEY = "wegwijzer-werk";
  var MAX_STORED = 200;
  var MAX_LENGTH = 1000;
  var HUMAN_PAYLOAD = "/request_human";
  var SAFE_SCHEMES = ["http:", "https:", "mailto:", "tel:"];
  var TEXT = {
    launcher: "Vragen over werk? Chat met ons",
    title: script.dataset.title || "Wegwijzer Werk",
    close: "Chat sluiten",
    restart: "Opnieuw beginnen",
    larger: "Grotere letters",
    human: "Praat met een medewerker",
    input: "Typ je vraag",
    send: "Verstuur",
    privacy: "Je praat met een computerprogramma. Deel geen BSN of andere persoonlijke nummers.",
    privacyLink: "Lees hoe we met je gegevens omgaan",
    newWindow: " (opent in een nieuw venster)",
    you: "Jij: ",
    bot: "Wegwijzer: ",
    typing: "Wegwijzer typt",
    replies: "Kies een antwoord",
    waiting: "Wacht op verbinding",
    online: "Verbonden",
    connecting: "Verbinding maken …",
    offline: "Geen verbinding. We proberen het opnieuw. Je berichten worden verstuurd zodra het weer lukt.",
    unread: function (n) { return n === 1 ? "1 nieuw bericht" : n + " nieuwe berichten"; },
    restarted: "Het gesprek is opnieuw begonnen.",
    conversation: "Gesprek",
    menu: "Menu",
    choices: function (titles) {
      var count = titles.length === 1 ? "Er is 1 knop" : "Er zijn " + titles.length + " knoppen";
      return count + " om te kiezen: " + titles.join("; ") + ". Of typ je antwoord.";
    },
    handoffBusy: "Je vraag wordt doorgegeven. Beantwoord de vragen in de chat.",
    handoffSent: function (code) { return "Je vraag is doorgegeven (code " + code + ")"; },
    copy: "Kopieer code",
    copied: "De code is gekopieerd.",
    copyFailed: function (code) { return "Kopiëren lukt niet. Schrijf de code op: " + code + "."; },
    restartQuestion: "Wil je opnieuw beginnen? Het gesprek wordt gewist.",
    restartKeepsCode: function (code) { return " Je code " + code + " blijft staan."; },
    restartYes: "Ja, begin opnieuw",
    restartNo: "Nee, ga terug",
    readAloud: "Lees voor",
    stopReading: "Stop voorlezen",
    noSpeech: "Voorlezen lukt niet in deze browser. Je kunt de voorleesfunctie van je computer of telefoon gebruiken.",
    noDutchVoice: "Voorlezen lukt niet: je browser heeft geen Nederlandse stem. Je kunt de voorleesfunctie van je " +
      "computer of telefoon gebruiken."
  };
  var config = {
    gemeente: (script.dataset.gemeente || "").trim().toUpperCase(),
    server: script.dataset.server || new URL(BASE).origin,
    privacyUrl: script.dataset.privacyUrl || BASE + "privacy",
    color: /^#[0-9a-fA-F]{6}$/.test(script.dataset.color || "") ? script.dataset.color : ""
  };

  // ---- state, kept in sessionStorage so a reload or another page of the same site shows the same conversation

  var state = load();
  var socket = null;
  var connection = "connecting";
  var sessionConfirmed = false;
  var greeted = false;
  var ui = {};
  // What the person typed, in this page view only (never stored): her own messages by id, and the numbers in them,
  // so that she can check the number she gave while storage and the assistant's summary keep it masked.
  var typed = {};
  var typedNumbers = [];
  var nextId = 1;
  // Where the current answer starts: the first assistant message after the person's last message.
  var turnStart = -1;
  var CODE = /Je code is (WW-[A-Z0-9]{4}-[A-Z0-9]{2})/;
  // The assistant asks consent to pass the question on ("Zal ik je vraag doorgeven?", a yes button): a handoff
  // begins, also when the person asked for it in her own words instead of with the button.
  var CONSENT = /\bvraag door(geven)?\b/i;

  function load() {
    var empty = { sessionId: null, messages: [], queue: [], unread: 0, open: false, large: false, restart: false,
                  code: null, handoff: "none" };
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      return saved && Array.isArray(saved.messages) ? Object.assign(empty, saved) : empty;
    } catch (e) {
      return empty;  // storage blocked: the conversation then lasts as long as the page
    }
  }

  function save() {
    state.messages = state.messages.slice(-MAX_STORED);
    // What is stored never holds a personal number or e-mail address (see masked); the queue keeps its real
    // text in memory only, so a reload while offline sends the masked text and the assistant asks again.
    var stored = Object.assign({}, state, { queue: state.queue.map(masked) });
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(stored)); } catch (e) { /* memory only */ }
  }

  // Phone numbers, BSN and IBAN never persist anywhere, the browser's storage included: the transcript keeps
  // them masked, as the assistant's own records do. Nine digits or more is a personal number (a date has eight).
  var IBAN = /\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]){10,30}\b/g;
  var EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  var NUMBER = /\+?\d[\d\s().\/-]*\d/g;

  function masked(text) {
    return String(text).replace(IBAN, "[rekeningnummer]").replace(EMAIL, "[e-mailadres]").replace(NUMBER, function (found) {
      return found.replace(/\D/g, "").length >= 9 ? "[nummer]" : found;
    });
  }

  // The assistant shows a phone number masked as bot/common/privacy.py's mask_phone does ("06-****5678"). In this page
  // view, a number the person typed herself is shown in full next to it, so she can check it.
  var MASKED_PHONE = /\b(\d{2})-(\*{3,})(\d{4})\b/g;

  function phoneDigits(text) {
    var digits = text.replace(/\D/g, "");
    if (digits.indexOf("0031") === 0) { return "0" + digits.slice(4); }
    return digits.indexOf("31") === 0 && digits.length === 11 ? "0" + digits.slice(2) : digits;
  }

  function revealPhones(text) {
    return text.replace(MASKED_PHONE, function (found, start, stars, end) {
      for (var i = typedNumbers.length - 1; i >= 0; i--) {
        var digits = phoneDigits(typedNumbers[i]);
        if (digits.length === stars.length + 6 && digits.slice(0, 2) === start && digits.slice(-4) === end) {
          return typedNumbers[i].trim();
        }
      }
      return found;
    });
  }

  function remember(id, text) {
    if (masked(text) === text) { return; }
    typed[id] = text;
    (text.match(NUMBER) || []).forEach(function (n) {
      if (n.replace(/\D/g, "").length >= 9) { typedNumbers.push(n); }
    });
  }

  // ---- small DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function button(className, text, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function srOnly(text) { return el("span", "ww-sr", text); }

  // ---- a small, safe Markdown subset: **bold**, [text](url), bare links, "- " and "1. " lists

  var INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;

  function safeHref(href) {
    try {
      var url = new URL(href);
      return SAFE_SCHEMES.indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, href) {
    var safe = safeHref(href);
    if (!safe) { return document.createTextNode(text); }
    var a = el("a", "ww-link", text);
    a.href = safe;
    if (/^https?:/.test(safe)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(srOnly(TEXT.newWindow));
    }
    return a;
  }

  function appendInline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) {
        parent.appendChild(el("strong", "", match[1]));
      } else if (match[2] !== undefined) {
        parent.appendChild(link(match[2], match[3]));
      } else {
        parent.appendChild(link(match[4], match[4]));
      }
      last = INLINE.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // What a screen reader announces: the words, without Markdown signs ("**", "[…](…)").
  function plainText(text) {
    return String(text || "").replace(/\*\*([^*]+)\*\*/g, "$1").replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1");
  }

  function renderMarkdown(text) {
    var root = el("div", "ww-text");
    var list = null;
    var paragraph = null;
    String(text || "").split("\n").forEach(function (line) {
      var bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      var item = bullet || numbered;
      if (item) {
        var kind = bullet ? "UL" : "OL";
        if (!list || list.tagName !== kind) { list = root.appendChild(el(kind.toLowerCase())); }
        appendInline(list.appendChild(el("li")), item[1]);
        paragraph = null;
      } else if (!line.trim()) {
        list = null;
        paragraph = null;
      } else {
        list = null;
        if (paragraph) { paragraph.appendChild(el("br")); } else { paragraph = root.appendChild(el("p")); }
        appendInline(paragraph, line);
      }
    });
    return root;
  }

  // ---- building the widget

  function build() {
    var root = el("div", "ww-root");
    root.lang = "nl";
    if (config.color) {
      // A CSS custom property set through CSSOM, which a strict CSP allows (no style attribute in markup).
      root.style.setProperty("--ww-accent", config.color);
      if (luminance(config.color) > 0.18) { root.classList.add("ww-accent-light"); }
    }
    if (state.large) { root.classList.add("ww-large"); }

    ui.launcher = button("ww-launcher", "", toggle);
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-controls", "ww-panel");
    ui.launcher.appendChild(el("span", "ww-launcher-icon", "?")).setAttribute("aria-hidden", "true");
    ui.launcher.appendChild(el("span", "ww-launcher-label", TEXT.launcher));
    ui.badge = ui.launcher.appendChild(el("span", "ww-badge"));
    ui.badge.hidden = true;

    ui.panel = el("section", "ww-panel");
    ui.panel.id = "ww-panel";
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-labelledby", "ww-title");
    ui.panel.hidden = true;

    ui.header = ui.panel.appendChild(el("div", "ww-header"));
    var heading = ui.header.appendChild(el("h2", "ww-title", TEXT.title));
    heading.id = "ww-title";
    ui.status = ui.header.appendChild(el("p", "ww-status"));
    ui.status.setAttribute("role", "status");
    // At small heights (200 % zoom) the extra buttons fold into a menu, so the conversation keeps the room.
    ui.menuToggle = ui.header.appendChild(button("ww-tool ww-menu-toggle", TEXT.menu, toggleMenu));
    ui.menuToggle.setAttribute("aria-expanded", "false");
    ui.menuToggle.setAttribute("aria-controls", "ww-tools");
    ui.tools = ui.header.appendChild(el("div", "ww-tools"));
    ui.tools.id = "ww-tools";
    ui.large = ui.tools.appendChild(button("ww-tool", TEXT.larger, toggleLarge));
    ui.large.setAttribute("aria-pressed", String(state.large));
    ui.tools.appendChild(button("ww-tool", TEXT.restart, askRestart));
    ui.menuHuman = ui.tools.appendChild(button("ww-tool ww-menu-human", TEXT.human, requestHuman));
    var close = ui.header.appendChild(button("ww-tool ww-close", "", closePanel));
    close.setAttribute("aria-label", TEXT.close);
    close.appendChild(el("span", "", "Sluiten"));
    close.appendChild(el("span", "ww-close-mark", "×")).setAttribute("aria-hidden", "true");

    ui.confirm = ui.panel.appendChild(buildConfirm());

    ui.messages = ui.panel.appendChild(el("ol", "ww-messages"));
    ui.messages.setAttribute("aria-label", TEXT.conversation);
    ui.messages.tabIndex = 0;
    ui.typing = ui.panel.appendChild(el("p", "ww-typing", TEXT.typing));
    ui.typing.appendChild(el("span", "ww-dots", "…")).setAttribute("aria-hidden", "true");
    ui.typing.hidden = true;

    var footer = ui.panel.appendChild(el("div", "ww-footer"));
    ui.human = footer.appendChild(button("ww-human", TEXT.human, requestHuman));
    ui.handoffNote = footer.appendChild(el("div", "ww-handoff"));
    ui.handoffNote.hidden = true;
    var form = footer.appendChild(el("form", "ww-form"));
    var label = form.appendChild(el("label", "ww-sr", TEXT.input));
    label.htmlFor = "ww-input";
    ui.input = form.appendChild(el("input", "ww-input"));
    ui.input.id = "ww-input";
    ui.input.type = "text";
    ui.input.maxLength = MAX_LENGTH;
    ui.input.autocomplete = "off";
    ui.input.placeholder = TEXT.input;
    var submit = form.appendChild(el("button", "ww-send", TEXT.send));
    submit.type = "submit";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (text) { send(text, null); ui.input.value = ""; }
    });
    var privacy = ui.panel.appendChild(el("p", "ww-privacy", TEXT.privacy + " "));
    privacy.appendChild(link(TEXT.privacyLink, config.privacyUrl));

    // Outside the panel, so that a new message is announced even while the chat is closed. Announcements are
    // added one by one (see announce), never replaced, so a screen reader reads each of them.
    ui.live = el("div", "ww-sr ww-live");
    ui.live.setAttribute("aria-live", "polite");
    ui.live.setAttribute("aria-relevant", "additions");

    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    root.appendChild(ui.live);
    root.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || ui.panel.hidden) { return; }
      event.preventDefault();
      if (!ui.confirm.hidden) { cancelRestart(); } else if (menuOpen()) { closeMenu(true); } else { closePanel(); }
    });
    document.body.appendChild(root);
    ui.root = root;
    // Zooming can switch between the two layouts; the panel only keeps a scroll position while it scrolls itself.
    window.addEventListener("resize", function () { if (scroller() === ui.messages) { ui.panel.scrollTop = 0; } });
  }

  function buildConfirm() {
    var box = el("div", "ww-confirm");
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "ww-confirm-question");
    ui.confirmQuestion = box.appendChild(el("p", "ww-confirm-question"));
    ui.confirmQuestion.id = "ww-confirm-question";
    var choices = box.appendChild(el("div", "ww-confirm-choices"));
    choices.appendChild(button("ww-confirm-yes", TEXT.restartYes, restart));
    ui.confirmNo = choices.appendChild(button("ww-confirm-no", TEXT.restartNo, cancelRestart));
    box.hidden = true;
    return box;
  }

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  // ---- showing messages

  function renderAll() {
    ui.messages.textContent = "";
    state.messages.forEach(function (message, index) {
      ui.messages.appendChild(renderMessage(message, index === state.messages.length - 1));
    });
    showTurn();
  }

  function renderMessage(message, isLast) {
    var item = el("li", "ww-msg ww-msg-" + message.from);
    item.appendChild(srOnly(message.from === "bot" ? TEXT.bot : TEXT.you));
    if (message.from === "bot") {
      item.appendChild(renderMarkdown(revealPhones(message.text)));
      if (message.text) { item.appendChild(readAloudButton(message)); }
      if (readNotes[message.id]) { item.appendChild(el("p", "ww-note", readNotes[message.id])); }
    } else {
      // What the person typed is always plain text; in this page view as she typed it, stored masked.
      item.appendChild(el("p", "ww-text", typed[message.id] || message.text));
    }
    if (message.pending) { item.appendChild(el("span", "ww-pending", TEXT.waiting)); }
    if (isLast && message.replies && message.replies.length) { item.appendChild(renderReplies(message.replies)); }
    return item;
  }

  function renderReplies(replies) {
    var group = el("div", "ww-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.replies);
    replies.forEach(function (reply) {
      group.appendChild(button("ww-reply", reply.title, function () { send(reply.title, reply.payload); }));
    });
    return group;
  }

  // The conversation scrolls in the message list, or (at small heights) the panel as a whole.
  function scroller() {
    return window.getComputedStyle(ui.messages).overflowY === "visible" ? ui.panel : ui.messages;
  }

  function scrollDown() {
    var box = scroller();
    box.scrollTop = box.scrollHeight;
  }

  // After the assistant answers, the eye lands on the start of the answer, not on the last of its buttons.
  function showTurn() {
    var item = turnStart >= 0 ? ui.messages.children[turnStart] : null;
    if (!item) { scrollDown(); return; }
    var box = scroller();
    var top = box === ui.panel ? ui.header.offsetHeight : 0;
    box.scrollTop += item.getBoundingClientRect().top - box.getBoundingClientRect().top - top - 8;
  }

  function addMessage(message, shown) {
    message.id = nextId++;
    if (shown) { remember(message.id, shown); }
    state.messages.push(message);
    save();
    renderAll();
    return message;
  }

  function receive(data) {
    hideTyping();
    var replies = (data.quick_replies || data.buttons || []).filter(function (r) {
      return r && typeof r.title === "string" && typeof r.payload === "string";
    }).map(function (r) { return { title: r.title, payload: r.payload }; });
    var text = typeof data.text === "string" ? data.text : "";
    if (!text && !replies.length) { return; }
    var last = state.messages[state.messages.length - 1];
    if (!last || last.from !== "bot") { turnStart = state.messages.length; }
    noteHandoff(text, replies);
    addMessage({ from: "bot", text: text, replies: replies });
    if (ui.panel.hidden) {
      state.unread += 1;
      save();
      showBadge();
      announce(TEXT.unread(state.unread), "unread");
    } else {
      if (text) { announce(TEXT.bot + plainText(revealPhones(text))); }
      if (replies.length) {
        announce(TEXT.choices(replies.map(function (r) { return r.title; })), "choices");
      }
    }
  }

  // Announcements wait their turn: each is added to the live region after the one before, so a screen reader
  // reads every message of a turn (the reference code included) instead of only the last one.
  var ANNOUNCE_GAP_MS = 400;
  var KEEP_ANNOUNCED = 6;
  var announcements = [];
  var announceTimer = null;

  function announce(text, kind) {
    if (kind) {
      // A newer count or set of choices makes a waiting one of the same kind out of date.
      announcements = announcements.filter(function (a) { return a.kind !== kind; });
    }
    announcements.push({ text: text, kind: kind || "" });
    if (!announceTimer) { nextAnnouncement(); }
  }

  function nextAnnouncement() {
    var next = announcements.shift();
    if (!next) { announceTimer = null; return; }
    ui.live.appendChild(el("p", "", next.text));
    while (ui.live.childNodes.length > KEEP_ANNOUNCED) { ui.live.removeChild(ui.live.firstChild); }
    announceTimer = setTimeout(nextAnnouncement, ANNOUNCE_GAP_MS);
  }

  // ---- the handoff: the footer says what is happening, and the reference code stays in view

  function requestHuman() {
    closeMenu(false);
    send(TEXT.human, HUMAN_PAYLOAD);
  }

  function noteHandoff(text, replies) {
    var code = CODE.exec(text);
    if (code) {
      state.code = code[1];
      state.handoff = "sent";
    } else if (replies.some(function (r) { return r.payload === HUMAN_PAYLOAD; })) {
      state.handoff = "none";  // the assistant offers a person again: no handoff is being made
    } else if (state.handoff !== "busy" && CONSENT.test(text) &&
               replies.some(function (r) { return r.payload === "/affirm"; })) {
      state.handoff = "busy";
      state.handoffAnswers = 0;
    }
    showHandoff();
  }

  function showHandoff() {
    ui.human.hidden = ui.menuHuman.hidden = state.handoff !== "none";
    ui.handoffNote.textContent = "";
    ui.handoffNote.hidden = !state.code && state.handoff !== "busy";
    if (state.handoff === "busy") {
      ui.handoffNote.appendChild(el("p", "ww-handoff-text", TEXT.handoffBusy));
    } else if (state.code) {
      var note = ui.handoffNote.appendChild(el("p", "ww-handoff-text", ""));
      var parts = TEXT.handoffSent("\u0000").split("\u0000");
      note.appendChild(document.createTextNode(parts[0]));
      ui.code = note.appendChild(el("strong", "ww-code", state.code));
      note.appendChild(document.createTextNode(parts[1]));
      ui.handoffNote.appendChild(button("ww-copy", TEXT.copy, copyCode));
    }
  }

  function copyCode() {
    var code = state.code;
    function done(ok) { announce(ok ? TEXT.copied : TEXT.copyFailed(code)); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code).then(function () { done(true); }, function () { done(selectCode()); });
    } else {
      done(selectCode());
    }
  }

  function selectCode() {
    // Without the clipboard API (a page without https): select the code and let the browser copy it.
    var range = document.createRange();
    range.selectNodeContents(ui.code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  // ---- reading an answer aloud with the browser's own speech synthesis (nothing leaves the browser)

  var speaking = null;
  var readNotes = {};  // message id → why it could not be read aloud, kept when the conversation is drawn again

  function readAloudButton(message) {
    var node = button("ww-read", "", function () { readAloud(message, node); });
    node.appendChild(el("span", "ww-read-label", TEXT.readAloud));
    return node;
  }

  function dutchVoice(done) {
    var synth = window.speechSynthesis;
    function pick() {
      var voices = synth.getVoices();
      // Only a voice on the device itself: a network voice (Chrome's "Google Nederlands") would send the text
      // to another company, which the person did not choose.
      return voices.filter(function (v) { return /^nl([-_]|$)/i.test(v.lang) && v.localService !== false; })[0] || null;
    }
    if (synth.getVoices().length) { done(pick()); return; }
    // Voices load after the page; wait a moment for them before saying there is none.
    var answered = false;
    function once() { if (!answered) { answered = true; done(pick()); } }
    synth.addEventListener("voiceschanged", once);
    setTimeout(once, 1000);
  }

  function readAloud(message, node) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { noSpeech(message, node, TEXT.noSpeech); return; }
    var wasMine = speaking === node;
    stopReading();
    if (wasMine) { return; }
    dutchVoice(function (voice) {
      if (!voice) { noSpeech(message, node, TEXT.noDutchVoice); return; }
      var utterance = new window.SpeechSynthesisUtterance(plainText(revealPhones(message.text)));
      utterance.lang = voice.lang;
      utterance.voice = voice;
      utterance.addEventListener("end", function () { if (speaking === node) { stopReading(); } });
      speaking = node;
      node.querySelector(".ww-read-label").textContent = TEXT.stopReading;
      window.speechSynthesis.speak(utterance);
    });
  }

  function stopReading() {
    if (speaking) {
      speaking.querySelector(".ww-read-label").textContent = TEXT.readAloud;
      speaking = null;
    }
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
  }

  function noSpeech(message, node, text) {
    readNotes[message.id] = text;
    var item = node.parentNode;
    if (!item.querySelector(".ww-note")) { item.appendChild(el("p", "ww-note", text)); }
    announce(text);
  }

  function showBadge() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = "";
    if (state.unread) {
      ui.badge.appendChild(el("span", "", String(state.unread)));
      ui.badge.appendChild(srOnly(" " + TEXT.unread(state.unread).replace(/^\d+ /, "")));
    }
  }

  var typingTimer = null;

  function showTyping() {
    ui.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 30000);  // never spin forever when no answer comes
    scrollDown();
  }

  function hideTyping() {
    ui.typing.hidden = true;
    clearTimeout(typingTimer);
  }

  // ---- sending, with a queue for when there is no connection

  function send(shown, payload) {
    var message = (payload || shown).slice(0, MAX_LENGTH);
    state.messages.forEach(function (m) { m.replies = []; });  // an answer closes the earlier choices
    var online = connection === "online" && sessionConfirmed;
    followHandoff(payload);
    turnStart = -1;  // until the answer comes, the person sees her own message and "Wegwijzer typt"
    addMessage({ from: "user", text: masked(shown), pending: !online }, shown);
    if (online) {
      emit(message);
    } else {
      state.queue.push(message);
      save();
    }
    ui.input.focus();
  }

  // The footer's "Praat met een medewerker" gives way while a handoff is being made: from the person's request
  // until the code arrives (noteHandoff), she says no to passing it on, or the assistant offers a person again.
  function followHandoff(payload) {
    if (payload === HUMAN_PAYLOAD) {
      state.handoff = "busy";
      state.handoffAnswers = 0;
    } else if (state.handoff === "busy") {
      state.handoffAnswers = (state.handoffAnswers || 0) + 1;
      if (state.handoffAnswers === 1 && payload === "/deny") { state.handoff = "none"; }
    }
    showHandoff();
  }

  function emit(message) {
    var data = { message: message, session_id: state.sessionId };
    if (config.gemeente) { data.metadata = { gemeente: config.gemeente }; }
    socket.emit("user_uttered", data);
    showTyping();
  }

  function flushQueue() {
    var queued = state.queue;
    state.queue = [];
    state.messages.forEach(function (m) { m.pending = false; });
    save();
    renderAll();
    queued.forEach(emit);
  }

  // ---- connection

  function setConnection(value) {
    connection = value;
    ui.status.textContent = TEXT[value];
    ui.status.className = "ww-status ww-status-" + value;
  }

  function connect() {
    socket = window.io(config.server, { transports: ["websocket", "polling"], path: "/socket.io" });
    socket.on("connect", function () {
      sessionConfirmed = false;
      // Every new connection joins the conversation's room again (Rasa's session persistence).
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (id) {
      // The server issues the (signed) session id. Another one than we sent means it did not continue our
      // conversation (e.g. the server's secret changed): the transcript no longer matches it, so it starts afresh.
      var token = typeof id === "string" ? id : String(id);
      var renewed = !!state.sessionId && state.sessionId !== token;
      var first = !state.sessionId || renewed;
      if (renewed) {
        state.messages = state.messages.filter(function (m) { return m.pending; });  // still to be sent
        greeted = false;
        announce(TEXT.restarted);
      }
      state.sessionId = token;
      sessionConfirmed = true;
      setConnection("online");
      save();
      if (state.restart) {
        state.restart = false;
        save();
        emit("/restart");
      } else if (first && !ui.panel.hidden) {
        greet();
      }
      flushQueue();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () { sessionConfirmed = false; setConnection("offline"); });
    socket.on("connect_error", function () { setConnection("offline"); });
    socket.io.on("reconnect_attempt", function () { if (connection !== "online") { setConnection("connecting"); } });
  }

  // "Opnieuw beginnen" asks first: the whole conversation goes, only the reference code stays.
  function askRestart() {
    closeMenu(false);
    ui.confirmQuestion.textContent = TEXT.restartQuestion + (state.code ? TEXT.restartKeepsCode(state.code) : "");
    ui.confirm.hidden = false;
    ui.confirmNo.focus();
  }

  function cancelRestart() {
    ui.confirm.hidden = true;
    ui.input.focus();
  }

  function restart() {
    ui.confirm.hidden = true;
    stopReading();
    turnStart = -1;
    state.handoff = "none";
    showHandoff();
    state.messages = [];
    typed = {};
    typedNumbers = [];
    state.queue = [];
    state.unread = 0;
    state.sessionId = null;
    state.restart = true;  // the new conversation starts with /restart, which answers "We beginnen opnieuw"
    save();
    renderAll();
    hideTyping();
    announce(TEXT.restarted);
    // A new connection: the old one is still in the old conversation's room and would get its late answers.
    sessionConfirmed = false;
    setConnection("connecting");
    socket.disconnect();
    socket.connect();
    ui.input.focus();
  }

  // ---- opening and closing

  function openPanel(focus) {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.root.classList.add("ww-open");
    state.open = true;
    state.unread = 0;
    save();
    showBadge();
    showTurn();
    if (focus) { ui.input.focus(); }
    if (sessionConfirmed) { greet(); }
  }

  function greet() {
    // The first time the chat opens, the assistant says who it is (Rasa starts no conversation by itself).
    if (greeted || state.messages.length) { return; }
    greeted = true;
    emit("/greet");
  }

  function closePanel() {
    stopReading();
    closeMenu(false);
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.root.classList.remove("ww-open");
    state.open = false;
    save();
    ui.launcher.focus();
  }

  function menuOpen() { return ui.menuToggle.getAttribute("aria-expanded") === "true"; }

  function toggleMenu() {
    if (menuOpen()) { closeMenu(true); return; }
    ui.menuToggle.setAttribute("aria-expanded", "true");
    ui.root.classList.add("ww-menu-open");
    ui.tools.querySelector("button").focus();
  }

  function closeMenu(focusToggle) {
    if (!menuOpen()) { return; }
    ui.menuToggle.setAttribute("aria-expanded", "false");
    ui.root.classList.remove("ww-menu-open");
    if (focusToggle) { ui.menuToggle.focus(); }
  }

  function toggle() { if (ui.panel.hidden) { openPanel(true); } else { closePanel(); } }

  function toggleLarge() {
    closeMenu(true);
    state.large = !state.large;
    ui.root.classList.toggle("ww-large", state.large);
    ui.large.setAttribute("aria-pressed", String(state.large));
    save();
  }

  // ---- start: stylesheet, socket.io client (served by the same app), then the widget

  function loadScript(src, done) {
    if (window.io) { done(); return; }
    var tag = document.createElement("script");
    tag.src = src;
    tag.addEventListener("load", done);
    document.head.appendChild(tag);
  }

  function start() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = BASE + "widget.css";
    document.head.appendChild(css);
    build();
    nextId = state.messages.reduce(function (max, m) { return Math.max(max, m.id || 0); }, 0) + 1;
    setConnection("connecting");
    showHandoff();
    renderAll();
    showBadge();
    if (state.open) { openPanel(false); }
    loadScript(BASE + "vendor/socket.io.min.js", connect);
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();

// Live reload (audiolesson serve --watch). The server inlines this into index.html as it serves
// it; the page written to output/ never has it. On each rebuild the page fetches itself again,
// swaps its content in place, keeps every player where it was (an unchanged episode keeps
// playing, a changed one resumes at the same turn) and offers a jump to the first changed turn.
(function () {
  "use strict";
  var start = JSON.parse(document.getElementById("audiolesson-live-state").textContent);
  var known = start.files;  // file -> tag, for the content this page shows now
  var bar, busy, error, note;
  var loading = false, again = false;

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + (m < 10 ? "0" : "") + m + ":" + ss : m + ":" + ss;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function sameFiles(a, b) {
    var keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every(function (k) { return a[k] === b[k]; });
  }

  function makeBar() {
    var style = element("style");
    style.textContent =
      ".al-live { position: sticky; top: 0; z-index: 10; max-width: 46rem; margin: 0 auto; padding: 0 1rem; }" +
      ".al-live p { margin: .5rem 0 0; padding: .5rem .75rem; border-radius: 8px; border: 1px solid var(--line, #ccc);" +
      " background: var(--card, #fff); box-shadow: 0 2px 8px rgba(0,0,0,.12); }" +
      ".al-live p[hidden] { display: none; }" +
      ".al-error { border-color: #c62828 !important; color: #b71c1c; font-family: ui-monospace, monospace;" +
      " font-size: .875rem; white-space: pre-wrap; overflow-wrap: anywhere; }" +
      ".al-busy { color: var(--muted, #555); font-size: .875rem; }" +
      ".al-note button { font: inherit; margin-left: .5rem; min-height: 32px; }" +
      ".turn.al-changed { outline: 2px dashed var(--accent, #0b5cad); outline-offset: -2px; }";
    document.head.appendChild(style);
    bar = element("div", "al-live");
    bar.id = "audiolesson-live";
    busy = element("p", "al-busy", "Rebuilding\u2026");
    busy.setAttribute("role", "status");
    error = element("p", "al-error");
    error.setAttribute("role", "alert");
    note = element("p", "al-note");
    note.setAttribute("role", "status");
    busy.hidden = error.hidden = note.hidden = true;
    bar.appendChild(busy);
    bar.appendChild(error);
    bar.appendChild(note);
    document.body.insertBefore(bar, document.body.firstChild);
  }

  function show(state) {
    busy.hidden = state.status !== "building";
    if (state.status === "failed") {
      error.textContent = state.message || "error: the build failed";
      error.hidden = false;
    } else if (state.status === "ready") {
      error.hidden = true;
    }
  }

  // The transcript as the page shows it (one cue of the .vtt per turn).
  function cuesOf(article) {
    return Array.prototype.map.call(article.querySelectorAll(".turn"), function (li) {
      var who = li.querySelector(".speaker"), words = li.querySelector(".words");
      var seek = li.querySelector("[data-start]");
      return {
        key: (who ? who.textContent : "") + "\u0000" + (words ? words.textContent : ""),
        start: seek ? Number(seek.getAttribute("data-start")) : 0,
        li: li
      };
    });
  }

  // Index of the first cue whose speaker or words differ, or -1 if none does.
  function firstChange(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      if (a[i].key !== b[i].key) { return i; }
    }
    return a.length === b.length ? -1 : Math.min(n, b.length - 1);
  }

  // Where the listener was, in the new audio: the same offset into the same turn when that
  // turn is unchanged (before the change, or in the unchanged tail), else the first change.
  function mapTime(a, b, t) {
    var j = -1;
    for (var i = 0; i < a.length && a[i].start <= t + 0.05; i++) { j = i; }
    if (j < 0 || !b.length) { return t; }
    var head = firstChange(a, b);
    if (head < 0 || j < head) { return b[Math.min(j, b.length - 1)].start + (t - a[j].start); }
    var tail = 0;
    while (tail < a.length - head && tail < b.length - head &&
           a[a.length - 1 - tail].key === b[b.length - 1 - tail].key) { tail++; }
    if (j >= a.length - tail) {
      var k = j - a.length + b.length;
      return b[k].start + (t - a[j].start);
    }
    return b[head].start;
  }

  function resume(audio, at, playing) {
    function go() {
      audio.currentTime = isFinite(audio.duration) ? Math.min(at, audio.duration) : at;
      if (playing) {
        var p = audio.play();
        if (p && p.catch) { p.catch(function () {}); }
      }
    }
    if (audio.readyState >= 1) { go(); } else { audio.addEventListener("loadedmetadata", go, { once: true }); }
  }

  function snapshot() {
    var out = {};
    document.querySelectorAll("article.episode").forEach(function (article) {
      var audio = article.querySelector("audio");
      if (!audio) { return; }
      out[article.id] = {
        audio: audio, time: audio.currentTime, playing: !audio.paused, cues: cuesOf(article)
      };
    });
    return out;
  }

  function runScripts() {
    // Scripts that came with fetched HTML do not run by themselves: run copies of them.
    document.body.querySelectorAll("script").forEach(function (old) {
      if (old.type && old.type !== "text/javascript") { return; }
      var again = document.createElement("script");
      again.textContent = old.textContent;
      old.parentNode.replaceChild(again, old);
    });
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var state = doc.getElementById("audiolesson-live-state");
    var fresh = state ? JSON.parse(state.textContent).files : {};
    var old = known;
    var before = snapshot();
    known = fresh;
    if (window.audiolessonPage && window.audiolessonPage.stop) { window.audiolessonPage.stop(); }
    document.title = doc.title;
    Array.prototype.slice.call(document.body.childNodes).forEach(function (node) {
      if (node !== bar) { document.body.removeChild(node); }
    });
    Array.prototype.slice.call(doc.body.childNodes).forEach(function (node) {
      document.body.appendChild(document.adoptNode(node));
    });
    document.body.insertBefore(bar, document.body.firstChild);
    var rebuilt = [];
    document.querySelectorAll("article.episode").forEach(function (article) {
      var was = before[article.id], audio = article.querySelector("audio");
      if (!was || !audio) { return; }
      var file = (audio.getAttribute("src") || "").split("?")[0];
      if (old[file] === fresh[file]) {  // the same audio: keep the player, playing or not
        audio.parentNode.replaceChild(was.audio, audio);
        return;
      }
      var cues = cuesOf(article);
      var first = firstChange(was.cues, cues);
      audio.src = file + "?v=" + encodeURIComponent(fresh[file] || Date.now());
      resume(audio, mapTime(was.cues, cues, was.time), was.playing);
      was.audio.pause();
      rebuilt.push({ article: article, cue: first >= 0 ? cues[first] : null, playing: was.playing });
    });
    runScripts();
    tell(rebuilt);
  }

  function tell(rebuilt) {
    while (note.firstChild) { note.removeChild(note.firstChild); }
    note.hidden = !rebuilt.length;
    if (!rebuilt.length) { return; }
    var main = rebuilt.filter(function (r) { return r.playing; })[0] ||
      rebuilt.filter(function (r) { return r.cue; })[0] || rebuilt[0];
    var title = main.article.querySelector("h2");
    var more = rebuilt.length > 1 ? " (and " + (rebuilt.length - 1) + " more)" : "";
    var text = "Rebuilt \u201c" + (title ? title.textContent : main.article.id) + "\u201d" + more;
    note.appendChild(element("span", "al-what",
      main.cue ? text + ": first change at " + clock(main.cue.start) + "." : text + ": same words."));
    if (main.cue) {
      var cue = main.cue;
      cue.li.classList.add("al-changed");
      var jump = element("button", "al-jump", "Jump to it");
      jump.type = "button";
      jump.setAttribute("data-start", cue.start.toFixed(3));
      jump.addEventListener("click", function () {
        var seek = cue.li.querySelector("button[data-start]");
        if (seek) { seek.click(); }  // the page's own seek: moves the player, plays, highlights
        cue.li.scrollIntoView({ block: "nearest" });
      });
      note.appendChild(jump);
    }
    var close = element("button", "al-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", function () { note.hidden = true; });
    note.appendChild(close);
  }

  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(location.pathname, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(swap)
      .catch(function (problem) { console.warn("audiolesson live reload:", problem); })
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    makeBar();
    show(start);
    var events = new EventSource(start.events);
    events.onmessage = function (event) {
      var state = JSON.parse(event.data);
      show(state);
      if (state.status !== "building" && !sameFiles(state.files, known)) { refresh(); }
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", listen);
  } else {
    listen();
  }
})();

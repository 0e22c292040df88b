// Declic console: progressive enhancement only. Every page works without it;
// with it, the message preview and the calendar warnings follow what HR types,
// and the dispatch page refreshes while mailings are going out.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  // Only the latest answer counts: an older request still in flight is abandoned.
  var pending = {};
  function latest(key, url, options) {
    if (pending[key]) pending[key].abort();
    var controller = new AbortController();
    pending[key] = controller;
    options.signal = controller.signal;
    options.credentials = "same-origin";
    return fetch(url, options)
      .then(function (r) { return r.ok ? r.text() : null; })
      .catch(function () { return null; });
  }

  function replaceWith(target, html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    var fresh = box.querySelector("#" + target.id);
    if (fresh) target.replaceWith(fresh);
  }

  // Live preview: the campaign's texts and the message's wording (unsaved), for the
  // chosen step, channel and language. Nothing is saved.
  var preview = document.getElementById("preview");
  var details = document.getElementById("details-form");
  var previewForm = document.getElementById("preview-form");
  var wording = document.getElementById("wording-form");
  if (preview && details && previewForm) {
    var refresh = debounce(function () {
      var body = new URLSearchParams(new FormData(previewForm));
      ["csrf", "title", "key_message", "why_it_matters"].forEach(function (name) {
        var field = details.elements.namedItem(name);
        if (field) body.set(name, field.value);
      });
      if (wording && wording.elements.namedItem("step").value === body.get("step") &&
          wording.elements.namedItem("message_lang").value === body.get("message_lang")) {
        ["subject", "text", "html"].forEach(function (name) {
          body.set(name, wording.elements.namedItem(name).value);
        });
      }
      latest("preview", previewForm.getAttribute("data-live"), { method: "POST", body: body })
        .then(function (html) { if (html) { replaceWith(document.getElementById("preview"), html); } });
    }, 400);
    details.addEventListener("input", refresh);
    previewForm.addEventListener("change", refresh);
    if (wording) wording.addEventListener("input", refresh);
  }

  // Calendar warnings as the steps are edited (nothing is saved until "Save the calendar").
  var calendar = document.getElementById("calendar-form");
  var warnings = document.getElementById("warnings");
  if (calendar && warnings) {
    var check = debounce(function () {
      latest("check", calendar.getAttribute("data-check"), {
        method: "POST",
        body: new URLSearchParams(new FormData(calendar)),
      })
        .then(function (html) { if (html) { replaceWith(document.getElementById("warnings"), html); } });
    }, 400);
    calendar.addEventListener("input", check);
  }

  // Dispatch progress: reload the figures every few seconds while something is sending.
  function poll() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#dispatches");
        var current = document.getElementById("dispatches");
        if (fresh && current) current.replaceWith(fresh);
        if (fresh && fresh.hasAttribute("data-refresh")) setTimeout(poll, 3000);
      });
  }
  if (document.querySelector("#dispatches[data-refresh]")) setTimeout(poll, 3000);
})();

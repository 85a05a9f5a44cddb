// convgen serve: progressive enhancement only. Without this file every page still works:
// lists get one empty row per save, « Vérifier » checks on the server.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function renumber(list) {
    // rows keep increasing numbers; the server reads them in order and ignores gaps
    var max = 0;
    list.querySelectorAll("[data-row] input").forEach(function (input) {
      var m = /\[(\d+)\]/.exec(input.name);
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    });
    return max + 1;
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var id = add.getAttribute("data-add-row");
      var list = document.getElementById(id);
      var template = document.getElementById(id + "-template");
      var n = String(renumber(list));
      var html = template.innerHTML.split("__N__").join(n);
      list.insertAdjacentHTML("beforeend", html);
      var rows = list.querySelectorAll("[data-row]");
      var input = rows[rows.length - 1].querySelector("input");
      if (input) { input.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest("[data-row]");
      var container = row.parentElement;
      var field = container.closest("fieldset");
      row.remove();
      var next = field.querySelector("[data-add-row]");
      if (next) { next.focus(); }
      announce("Ligne supprimée.");
      schedule();
    }
  });

  var form = document.getElementById("formulaire");
  if (!form) { return; }
  var status = document.getElementById("etat-verification");
  var timer = null;
  var running = null;

  function announce(text) { if (status) { status.textContent = text; } }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(validate, 500);
  }

  function setErrors(fields) {
    form.querySelectorAll("[data-field]").forEach(function (box) {
      var id = box.getAttribute("data-field");
      var messages = fields[id] || [];
      var target = document.getElementById(id + "-error");
      if (!target) { return; }
      target.textContent = "";
      messages.forEach(function (m) {
        var span = document.createElement("span");
        span.textContent = "Erreur : " + m;
        target.appendChild(span);
      });
      box.classList.toggle("has-error", messages.length > 0);
      var control = document.getElementById(id);
      if (control && control.matches("input, select, textarea")) {
        if (messages.length) { control.setAttribute("aria-invalid", "true"); }
        else { control.removeAttribute("aria-invalid"); }
      }
    });
  }

  function setSummary(summary) {
    var box = document.getElementById("resume-erreurs");
    if (!box) { return; }
    var list = box.querySelector("ul");
    var title = box.querySelector("h2");
    list.textContent = "";
    summary.forEach(function (item) {
      var li = document.createElement("li");
      if (item.anchor) {
        var a = document.createElement("a");
        a.href = "#" + item.anchor;
        a.textContent = item.text;
        li.appendChild(a);
      } else { li.textContent = item.text; }
      list.appendChild(li);
    });
    var n = summary.length;
    title.textContent = n + " problème" + (n > 1 ? "s" : "") + " : la convention ne peut pas encore être produite";
    box.hidden = n === 0;
  }

  function validate() {
    var url = form.getAttribute("data-validate");
    var data = new FormData(form);
    if (running) { running.abort(); }
    running = new AbortController();
    fetch(url, { method: "POST", body: data, signal: running.signal, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        if (result.error) { announce(result.error); return; }
        setErrors(result.fields);
        setSummary(result.summary);
        var preview = document.getElementById("apercu");
        if (preview && result.preview) { preview.innerHTML = result.preview; }
        var previewState = document.getElementById("apercu-etat");
        if (previewState) {
          previewState.textContent = result.preview ? "" :
            "Aperçu de la dernière saisie valide : corrigez les problèmes pour le mettre à jour.";
        }
        announce(result.count ? result.count + " problème" + (result.count > 1 ? "s" : "") +
          " (non enregistré)" : "Aucun problème (non enregistré).");
      })
      .catch(function () { /* aborted by a newer check, or offline: the buttons still work */ });
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);

  var summary = document.getElementById("resume-erreurs");
  if (summary && !summary.hidden && document.querySelector(".notice")) { summary.focus(); }
  // after « Voir les pages »: the keyboard and the screen reader start at the pages
  var pagesTitle = document.getElementById("pages-titre");
  if (pagesTitle && document.activeElement === document.body) { pagesTitle.focus(); }
})();

// Batch page: a progress bar updated from /lots/<token>/etat; the page reloads when done
// (without JavaScript, a meta refresh reloads it every 2 s).
(function () {
  "use strict";
  var box = document.getElementById("lot");
  if (!box) { return; }
  var state = box.getAttribute("data-state");
  if (state !== "en attente" && state !== "en cours") { return; }
  var bar = document.getElementById("progression");
  var text = document.getElementById("progression-texte");
  function poll() {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.total) { bar.max = s.total; }
        bar.value = s.done;
        text.textContent = s.done + " ligne" + (s.done > 1 ? "s" : "") + " sur " + (s.total || "?");
        if (s.state === "terminé" || s.state === "échec") { window.location.reload(); }
        else { setTimeout(poll, 500); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();

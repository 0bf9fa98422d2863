/* No lost work on the post form.

   The form as it stands is kept in this browser at every change and sent to the server a few
   seconds after typing pauses (editorial/drafts.py): neither touches the post itself. When the
   editor comes back to a form whose saved copy differs from what the form shows, a prompt offers
   to restore it. Leaving with changes that are not saved onto the post asks first. Offline, the
   copy stays in the browser and is sent when the connection returns.

   Progressive enhancement: without this script the form saves exactly as before.
   Plain ES2017, no framework, no build step. */
(function () {
  "use strict";

  var ready = window.quireDesk.ready;
  var make = window.quireDesk.make;

  var LOCAL_DELAY = 300; // ms of quiet typing before the browser's copy is written
  var SERVER_DELAY = 2000; // ... before the server's copy is sent
  var SERVER_MAX_WAIT = 10000; // ... and at most this long while typing goes on
  var RETRY_EVERY = 20000; // ms between tries while the server cannot be reached
  // The form's own machinery, never content (editorial/drafts.py NOT_CONTENT, and formsets').
  var MACHINERY = /^(csrfmiddlewaretoken|started_from|_.*|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)$/;

  function timeLabel(iso) {
    var moment = new Date(iso);
    var sameDay = moment.toDateString() === new Date().toDateString();
    var options = sameDay
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    return moment.toLocaleString(undefined, options);
  }

  /* The form's content as [name, value] pairs, with the labels of chosen options that the page
     loads on demand (the admin's autocomplete selects), so a restore can show them again. */
  function capture(form) {
    var fields = [];
    var labels = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" || MACHINERY.test(name)) return;
      fields.push([name, value]);
    });
    form.querySelectorAll("select").forEach(function (select) {
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        if (option.value) labels[select.name + "=" + option.value] = option.textContent;
      });
    });
    return { fields: fields, labels: labels };
  }

  function sameContent(a, b) {
    return JSON.stringify(a.fields) === JSON.stringify(b.fields);
  }

  function startedFrom(form) {
    var field = form.elements.namedItem("started_from");
    return field ? Number(field.value) || 0 : 0;
  }

  /* Put a captured copy back into the form, adding inline rows it needs and telling every
     widget (markdownx previews, counters, autocomplete) that its value changed. */
  function restore(form, copy) {
    var values = new Map();
    copy.fields.forEach(function (pair) {
      if (!values.has(pair[0])) values.set(pair[0], []);
      values.get(pair[0]).push(pair[1]);
    });
    values.forEach(function (_, name) {
      var match = /^(.+)-(\d+)-[^-]+$/.exec(name);
      if (!match) return;
      var total = form.elements.namedItem(match[1] + "-TOTAL_FORMS");
      var add = document.querySelector("#" + CSS.escape(match[1]) + "-group .add-row a");
      while (total && add && Number(total.value) <= Number(match[2])) add.click();
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || MACHINERY.test(name) || element.type === "file" || element.type === "submit") {
        return;
      }
      var saved = values.get(name) || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = saved.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        saved.forEach(function (value) {
          var known = Array.prototype.some.call(element.options, function (option) {
            return option.value === value;
          });
          var label = copy.labels[name + "=" + value];
          if (!known && label) element.add(new Option(label, value));
        });
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = saved.indexOf(option.value) !== -1;
        });
      } else if (element.tagName !== "BUTTON") {
        element.value = saved.length ? saved[0] : "";
      }
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function csrfToken(form) {
    var field = form.elements.namedItem("csrfmiddlewaretoken");
    return field ? field.value : "";
  }

  async function send(url, form, body) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
      },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    var answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    if (!response.ok) {
      var refusal = new Error(answer.error || "The server refused the autosave (" + response.status + ").");
      refusal.refused = true;
      throw refusal;
    }
    return answer;
  }

  function start(holder, form) {
    var config = holder.dataset;
    var key = "quire:autosave:" + config.key;
    var serverCopy = JSON.parse(document.getElementById("post-autosave-data").textContent);
    var baseline = capture(form);
    var status = make("p", "autosave-status");
    status.setAttribute("role", "status");
    holder.insertAdjacentElement("afterend", status);
    holder.hidden = false;

    var paused = false; // while the editor decides about an earlier copy
    var submitting = false;
    var localTimer = null;
    var serverTimer = null;
    var firstUnsent = 0;
    var retryTimer = null;

    function readLocal() {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    }

    function writeLocal(copy) {
      try {
        window.localStorage.setItem(key, JSON.stringify(copy));
      } catch (error) {
        // Storage full or disabled: the server's copy is still kept.
      }
    }

    function forgetLocal() {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        // Nothing to forget where storage is disabled.
      }
    }

    function say(text, problem) {
      status.textContent = text;
      status.classList.toggle("is-problem", Boolean(problem));
    }

    async function sendNow() {
      window.clearTimeout(serverTimer);
      serverTimer = null;
      var copy = capture(form);
      try {
        var answer = await send(config.url, form, copy);
        firstUnsent = 0;
        window.clearInterval(retryTimer);
        retryTimer = null;
        say("Autosaved at " + timeLabel(answer.saved_at) + ".");
      } catch (error) {
        if (error.refused) {
          say(error.message + " Your changes are kept in this browser.", true);
          return;
        }
        say(
          "Offline: your changes are kept in this browser and will be autosaved when the " +
            "connection returns.",
          true
        );
        if (!retryTimer) retryTimer = window.setInterval(sendNow, RETRY_EVERY);
      }
    }

    function changed() {
      if (paused || submitting) return;
      window.clearTimeout(localTimer);
      localTimer = window.setTimeout(function () {
        writeLocal(
          Object.assign(capture(form), {
            saved_at: new Date().toISOString(),
            started_from: startedFrom(form),
          })
        );
      }, LOCAL_DELAY);
      var now = Date.now();
      if (!firstUnsent) firstUnsent = now;
      window.clearTimeout(serverTimer);
      var wait = Math.min(SERVER_DELAY, Math.max(0, firstUnsent + SERVER_MAX_WAIT - now));
      serverTimer = window.setTimeout(sendNow, wait);
    }

    function offer(copy, where) {
      paused = true;
      var prompt = make("div", "autosave-prompt");
      prompt.setAttribute("role", "alertdialog");
      prompt.setAttribute("aria-labelledby", "autosave-prompt-text");
      var text = make(
        "p",
        "",
        "You have changes from " + timeLabel(copy.saved_at) + " that are not saved onto this " +
          "post (" + where + ")."
      );
      text.id = "autosave-prompt-text";
      prompt.appendChild(text);
      if (copy.base_version && copy.base_version < startedFrom(form)) {
        prompt.appendChild(
          make(
            "p",
            "",
            "The post has been saved since: restoring puts your version of every field back " +
              "over it. Check before saving."
          )
        );
      }
      var restoreButton = make("button", "button default", "Restore my changes");
      var discardButton = make("button", "button", "Discard them");
      [restoreButton, discardButton].forEach(function (button) {
        button.type = "button";
        prompt.appendChild(button);
      });
      status.insertAdjacentElement("afterend", prompt);
      restoreButton.focus();

      function answered(message) {
        prompt.remove();
        paused = false;
        say(message);
      }
      restoreButton.addEventListener("click", function () {
        restore(form, copy);
        answered("Restored your changes from " + timeLabel(copy.saved_at) + ". Save to keep them.");
        changed();
        var title = form.elements.namedItem("title");
        if (title) title.focus();
      });
      discardButton.addEventListener("click", function () {
        forgetLocal();
        send(config.discardUrl, form).catch(function () {
          // Offline: the server's copy is replaced at the next autosave.
        });
        answered("Discarded your earlier changes.");
      });
    }

    // A copy made just before a save that went through is not offered back.
    var local = readLocal();
    var savedSince = local && local.submitted && local.started_from < startedFrom(form);
    if (local && local.submitted && (savedSince || document.querySelector(".messagelist .success"))) {
      forgetLocal();
      local = null;
    }
    var candidates = [];
    if (local) candidates.push([local, "kept in this browser"]);
    if (serverCopy) candidates.push([serverCopy, "autosaved"]);
    candidates = candidates
      .filter(function (entry) {
        return !sameContent(entry[0], baseline);
      })
      .sort(function (a, b) {
        return new Date(b[0].saved_at) - new Date(a[0].saved_at);
      });
    if (candidates.length) {
      offer(candidates[0][0], candidates[0][1]);
    } else if (local) {
      forgetLocal();
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () {
      if (firstUnsent) sendNow();
    });
    form.addEventListener("submit", function (event) {
      submitting = true;
      window.clearTimeout(localTimer);
      window.clearTimeout(serverTimer);
      // A button with its own address (revoking a preview link) does not save the post.
      var saves = !(event.submitter && event.submitter.hasAttribute("formaction"));
      writeLocal(
        Object.assign(capture(form), {
          saved_at: new Date().toISOString(),
          started_from: startedFrom(form),
          submitted: saves,
        })
      );
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || sameContent(capture(form), baseline)) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  ready(function () {
    var holder = document.getElementById("post-autosave");
    if (!holder || !window.fetch) return;
    // After the admin's own scripts have set the form up (prepopulated slugs, autocompletes).
    window.setTimeout(function () {
      start(holder, holder.closest("form"));
    }, 0);
  });
})();

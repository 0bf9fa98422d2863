/* Editor comfort on the post form: character counters for the title and description, a live
   search-result preview, autocomplete for the tag field, and a live preview of the body and
   excerpt in the format the form names.

   Progressive enhancement only: every element here is added by this script, the fields keep
   their names and values, and the form submits exactly as it does without JavaScript.
   Plain ES2017, no framework, no build step; safe to load with `defer` or at the end of <body>. */
(function () {
  "use strict";

  var SEARCH_TITLE = 60; // characters of a title search engines show, about
  var SEARCH_DESCRIPTION = 160; // ... and of a description (editorial/checks.py DESCRIPTION_LIMIT)
  var SUGGEST_DELAY = 150; // ms of quiet typing before asking for tag suggestions

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text) element.textContent = text;
    return element;
  }

  // Counted in code points, as Django counts max_length (an emoji is one character).
  function length(text) {
    return Array.from(text).length;
  }

  function describedBy(input, element) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(element.id) === -1) ids.push(element.id);
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  // Under the field's label-and-input row, where the admin puts help text.
  function placeUnder(input, element) {
    var row = input.closest(".flex-container") || input;
    row.insertAdjacentElement("afterend", element);
  }

  /* Character counters ------------------------------------------------------------------- */

  function addCounter(input, softLimit, softNote) {
    var limit = Number(input.getAttribute("maxlength")) || 0;
    var counter = make("div", "help editor-counter");
    counter.id = input.id + "_counter";
    var count = make("span", "editor-count");
    // A status region: announced when the note appears, not on every keystroke.
    var note = make("span", "editor-count-note");
    note.setAttribute("role", "status");
    counter.append(count, " ", note);
    placeUnder(input, counter);
    describedBy(input, counter);

    function update() {
      var used = length(input.value);
      count.textContent = limit ? used + " / " + limit : String(used);
      var over = softLimit && used > softLimit;
      counter.classList.toggle("is-over", Boolean(over));
      counter.classList.toggle("is-full", Boolean(limit && used >= limit));
      var text = over ? softNote : "";
      if (note.textContent !== text) note.textContent = text;
    }
    input.addEventListener("input", update);
    update();
  }

  /* Search-result preview ---------------------------------------------------------------- */

  // Cut like a search engine: at a word boundary when one is near, with an ellipsis.
  function truncate(text, limit) {
    var chars = Array.from(text);
    if (chars.length <= limit) return text;
    var cut = chars.slice(0, limit - 1).join("");
    var space = cut.lastIndexOf(" ");
    if (space > limit * 0.6) cut = cut.slice(0, space);
    return cut.replace(/[\s,;:.·–—-]+$/, "") + "…";
  }

  function addPreview(config, title, slug, description) {
    var name = config.siteName || "";
    var preview = make("div", "help editor-preview");
    preview.id = description.id + "_preview";
    preview.setAttribute("role", "group");
    preview.setAttribute("aria-label", "Search result preview");
    var label = make("p", "editor-preview-label", "Search result preview");
    label.setAttribute("aria-hidden", "true");
    var card = make("div", "editor-preview-card");
    var url = make("p", "editor-preview-url");
    var heading = make("p", "editor-preview-title");
    var text = make("p", "editor-preview-description");
    card.append(url, heading, text);
    preview.append(label, card);
    // After the field's own help text ("Shown to search engines..."), else under the counter.
    var after =
      document.getElementById(description.id + "_helptext") ||
      document.getElementById(description.id + "_counter");
    if (after) {
      after.insertAdjacentElement("afterend", preview);
    } else {
      placeUnder(description, preview);
    }

    function update() {
      var titleText = title ? title.value.trim() : "";
      var full = titleText && name ? titleText + " · " + name : titleText || name;
      heading.textContent = truncate(full || "(no title)", SEARCH_TITLE);
      var slugText = slug && slug.value.trim() ? slug.value.trim() : "…";
      url.textContent = location.origin + config.postUrl.replace(config.slugPlaceholder, slugText);
      var descriptionText = description.value.replace(/\s+/g, " ").trim();
      text.classList.toggle("is-missing", !descriptionText);
      text.textContent = descriptionText
        ? truncate(descriptionText, SEARCH_DESCRIPTION)
        : "(no description: search engines will pick text from the page)";
    }

    // The admin fills the slug from the title on keyup/change, after our input event: update
    // once per frame, after every handler has run.
    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        update();
      });
    }
    var form = description.form || document;
    ["input", "keyup", "change"].forEach(function (type) {
      form.addEventListener(type, schedule);
    });
    update();
  }

  /* Tag autocomplete --------------------------------------------------------------------- */
  /* An ARIA 1.2 combobox with a listbox popup rather than a <datalist>: a datalist matches and
     replaces the input's whole value, so picking a tag would wipe the tags before it, and
     browsers differ in how (and whether) they announce and zoom it. The listbox replaces only
     the tag being typed and is driven by the keyboard like a native one. */

  // django-taggit's syntax: comma-separated, double quotes around a tag with a comma.
  // Where the tag being typed (the last, after the last comma outside quotes) begins.
  function currentTagStart(value) {
    var quoted = false;
    var start = 0;
    for (var i = 0; i < value.length; i++) {
      if (value[i] === '"') quoted = !quoted;
      else if (value[i] === "," && !quoted) start = i + 1;
    }
    return start;
  }

  function tagText(raw) {
    return raw.trim().replace(/^"/, "").replace(/"$/, "").trim();
  }

  function enteredTags(value) {
    var tags = [];
    var quoted = false;
    var start = 0;
    for (var i = 0; i <= value.length; i++) {
      if (value[i] === '"') quoted = !quoted;
      else if (i === value.length || (value[i] === "," && !quoted)) {
        var tag = tagText(value.slice(start, i));
        if (tag) tags.push(tag);
        start = i + 1;
      }
    }
    return tags;
  }

  // Quoted as taggit's own widget writes it: a name with a comma or a space. Without the
  // quotes, a field holding only `grand strategy` (no comma) would be saved as two tags.
  function formatTag(name) {
    return /[,\s]/.test(name) ? '"' + name + '"' : name;
  }

  function addTagAutocomplete(endpoint, input) {
    if (!endpoint || !window.fetch) return;

    var box = make("span", "editor-combobox");
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var list = make("ul", "editor-suggestions");
    list.id = input.id + "_suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Existing tags");
    list.hidden = true;
    var status = make("span", "visually-hidden");
    status.setAttribute("role", "status");
    box.append(list, status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var cache = new Map();
    var options = [];
    var active = -1;
    var timer = null;
    var request = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function choose(name) {
      var value = input.value;
      var head = value.slice(0, currentTagStart(value)).replace(/\s+$/, "");
      input.value = (head ? head + " " : "") + formatTag(name) + ", ";
      input.setSelectionRange(input.value.length, input.value.length);
      close();
      status.textContent = "Added " + name + ".";
      input.focus();
    }

    function show(names) {
      close();
      if (!names.length) {
        status.textContent = "";
        return;
      }
      names.forEach(function (name, index) {
        var option = make("li", "editor-suggestion", name);
        option.id = list.id + "_" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        // Keep the focus in the input; choose on click.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          choose(name);
        });
        list.appendChild(option);
        options.push(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent =
        names.length + (names.length === 1 ? " tag suggested" : " tags suggested") +
        ": arrow keys to choose, Enter to add.";
    }

    async function suggest() {
      var value = input.value;
      // Only for the last tag, typed at the end; editing earlier tags asks for nothing.
      if (input.selectionStart !== value.length) return close();
      var query = tagText(value.slice(currentTagStart(value)));
      if (!query) return close();
      var entered = enteredTags(value.slice(0, currentTagStart(value)));
      var names = cache.get(query.toLowerCase());
      if (!names) {
        if (request) request.abort();
        request = window.AbortController ? new AbortController() : null;
        try {
          var response = await fetch(endpoint + "?q=" + encodeURIComponent(query), {
            headers: { Accept: "application/json" },
            credentials: "same-origin",
            signal: request ? request.signal : undefined,
          });
          if (!response.ok) return close();
          names = (await response.json()).tags || [];
        } catch (error) {
          return; // aborted by a newer request, or offline: the field still takes typed tags
        }
        cache.set(query.toLowerCase(), names);
      }
      if (input.value !== value || document.activeElement !== input) return;
      show(names.filter(function (name) {
        return entered.indexOf(name) === -1;
      }));
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, SUGGEST_DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          if (event.key === "ArrowDown") suggest();
          return;
        }
        event.preventDefault();
        // Positions -1 (the text as typed) to the last option, round and round.
        var slots = options.length + 1;
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(((((active + 1 + step) % slots) + slots) % slots) - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault(); // add the tag, do not submit the form
        choose(options[active].textContent);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  /* Live preview in the body's format ---------------------------------------------------- */
  /* markdownx reads its preview address off the editor at every request: the body and excerpt
     editors ask for the format chosen (?format=html), and show it again when it changes. */

  function followBodyFormat(form, editors) {
    if (!form || !form.querySelector('[name="body_format"]')) return;

    function update() {
      var format = new FormData(form).get("body_format") || "markdown";
      editors.forEach(function (editor) {
        var address = editor.getAttribute("data-markdownx-urls-path");
        if (!address) return;
        var path = address.split("?")[0];
        var wanted = format === "markdown" ? path : path + "?format=" + encodeURIComponent(format);
        if (wanted === address) return;
        editor.setAttribute("data-markdownx-urls-path", wanted);
        editor.dispatchEvent(new Event("input")); // markdownx renders the preview again
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "body_format") update();
    });
    update();
  }

  ready(function () {
    // Set by the change form template with reverse(): the addresses and the publication's name.
    var holder = document.getElementById("post-editor");
    if (!holder) return;
    var config = holder.dataset;
    var title = document.getElementById("id_title");
    var slug = document.getElementById("id_slug");
    var description = document.getElementById("id_description");
    var tags = document.getElementById("id_tags");
    if (title) addCounter(title);
    if (description) {
      addCounter(
        description,
        SEARCH_DESCRIPTION,
        "search engines cut descriptions after about " + SEARCH_DESCRIPTION + " characters"
      );
      addPreview(config, title, slug, description);
    }
    if (tags) addTagAutocomplete(config.suggestUrl, tags);
    var editors = ["id_body", "id_excerpt"]
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (editors.length) followBodyFormat(editors[0].form, editors);
  });
})();

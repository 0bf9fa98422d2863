/* Editor comfort on the post form: character counters for the title and description, a live
   search-result preview and social-card preview, the body's word count and reading time,
   autocomplete for the tag field, a live preview of the body and excerpt in the format the
   form names, and Copy buttons for the post's preview links.

   Progressive enhancement only: every element here is added by this script, the fields keep
   their names and values, and the form submits exactly as it does without JavaScript.
   Plain ES2017, no framework, no build step; safe to load with `defer` or at the end of <body>. */
(function () {
  "use strict";

  var ready = window.quireDesk.ready;
  var make = window.quireDesk.make;

  var SEARCH_TITLE = 60; // characters of a title search engines show, about
  var SEARCH_DESCRIPTION = 160; // ... and of a description (editorial/checks.py DESCRIPTION_LIMIT)
  var SUGGEST_DELAY = 150; // ms of quiet typing before asking for tag suggestions

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
    var schedule = window.quireDesk.perFrame(update);
    var form = description.form || document;
    ["input", "keyup", "change"].forEach(function (type) {
      form.addEventListener(type, schedule);
    });
    update();
    return preview;
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

  // Tags are split on commas only, so only a name with a comma needs quotes.
  function formatTag(name) {
    return name.indexOf(",") === -1 ? name : '"' + name + '"';
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

  /* Word count and reading time ------------------------------------------------------------ */
  /* Counted as posts/markup.py counts a saved post (word_count, reading_minutes), on the live
     preview: markdownx fills it with the server's own rendering of the body. */

  var WORDS_PER_MINUTE = 230; // posts/markup.py WORDS_PER_MINUTE
  // The tags posts/markup.py reads as a space between words (_BLOCK_TAG); any other joins.
  var BLOCK_TAGS = new Set(
    ("address article aside blockquote br caption dd div dl dt figcaption figure footer h1 h2 h3 " +
      "h4 h5 h6 header hr li ol p pre section table tbody td tfoot th thead tr ul").split(" ")
  );
  // Python's \w (letters, digits, underscore), with inner hyphens and apostrophes (_WORD).
  var WORD = /[\p{L}\p{N}_]+(?:[-'’][\p{L}\p{N}_]+)*/gu;
  // The whitespace Python's str.split() splits on.
  var SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

  // A rendered fragment's text as plain_text() reads it: blocks apart, inline markup joined.
  function plainText(root) {
    var parts = [];
    (function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          parts.push(child.data);
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          var block = BLOCK_TAGS.has(child.localName);
          if (block) parts.push(" ");
          walk(child);
          if (block) parts.push(" ");
        }
      });
    })(root);
    return parts.join("").split(SPACES).filter(Boolean).join(" ");
  }

  function countWords(text) {
    return (text.match(WORD) || []).length;
  }

  function readingMinutes(words) {
    return Math.max(1, Math.floor((2 * words + WORDS_PER_MINUTE) / (2 * WORDS_PER_MINUTE)));
  }

  function addReadingTime(body) {
    var editor = body.closest(".markdownx");
    var preview = editor && editor.querySelector(".markdownx-preview");
    if (!preview || !window.MutationObserver) return;
    var figure = make("div", "help editor-reading");
    figure.id = body.id + "_reading";
    // Polite: read out when the writer pauses, never interrupting.
    figure.setAttribute("role", "status");
    figure.setAttribute("aria-live", "polite");
    placeUnder(body, figure);

    function update() {
      var words = countWords(plainText(preview));
      figure.textContent =
        words.toLocaleString("en-US") + (words === 1 ? " word" : " words") +
        " · " + readingMinutes(words) + " min read";
    }
    new MutationObserver(update).observe(preview, {
      childList: true,
      subtree: true,
      characterData: true,
    });
    update();
  }

  /* Social-card preview ------------------------------------------------------------------ */
  /* The card a post makes when shared, from the tags posts/detail.html writes: og:title (the
     title alone), og:description (the description, else the excerpt's text), og:image (the
     library image's file or the image URL; none at all without one) and og:url's domain. */

  var SHARED_DESCRIPTION = 160; // posts/markup.py DESCRIPTION_LENGTH
  var EXCERPT_DELAY = 400; // ms of quiet typing before rendering the excerpt again
  var EXCERPT_SEPARATOR = "<excerpt/>"; // the field's default

  // Cut as markup.description() cuts: at the last space within the limit, with an ellipsis.
  function summarise(text) {
    var chars = Array.from(text);
    if (chars.length <= SHARED_DESCRIPTION) return text;
    var cut = chars.slice(0, SHARED_DESCRIPTION).join("");
    var space = cut.lastIndexOf(" ");
    if (space !== -1) cut = cut.slice(0, space);
    return cut.replace(/[,;:.]+$/, "") + "…";
  }

  // What the excerpt is rendered from (markup.excerpt_source): the excerpt, else the body
  // before the separator, else the body's first paragraph.
  function excerptSource(body, excerpt, separator) {
    if (excerpt.trim()) return excerpt;
    if (separator && body.indexOf(separator) !== -1) return body.slice(0, body.indexOf(separator));
    var lines = [];
    var all = body.split(/\r\n|\r|\n/);
    for (var i = 0; i < all.length; i++) {
      if (all[i].replace(/^[ \t]+|[ \t]+$/g, "")) lines.push(all[i]);
      else if (lines.length) break;
    }
    return lines.join("\n");
  }

  // The page prints a site-relative image URL after its own origin; a URL the form would
  // refuse (models.validate_image_url) makes no image.
  function absoluteImage(url) {
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return location.origin + url;
    return /^https?:\/\//i.test(url) ? url : "";
  }

  function hostOf(url) {
    try {
      return new URL(url).host;
    } catch (error) {
      return "";
    }
  }

  function addSocialCard(config, fields, after) {
    var form = fields.title.form;
    var preview = make("div", "help editor-preview editor-social");
    preview.setAttribute("role", "group");
    preview.setAttribute("aria-label", "Social card preview");
    var label = make("p", "editor-preview-label", "Social card preview");
    label.setAttribute("aria-hidden", "true");
    var card = make("div", "editor-social-card");
    var picture = make("div", "editor-social-image");
    var image = make("img");
    image.alt = "";
    var noImage = make("span", "editor-social-noimage", "No image: shared as text only");
    picture.append(image, noImage);
    var words = make("div", "editor-social-text");
    var domain = make("p", "editor-social-domain");
    var heading = make("p", "editor-social-title");
    var text = make("p", "editor-social-description");
    words.append(domain, heading, text);
    card.append(picture, words);
    preview.append(label, card);
    // Beside the search-result preview, the two wrapping onto lines of their own when narrow.
    var pair = make("div", "editor-previews");
    after.insertAdjacentElement("beforebegin", pair);
    pair.append(after, preview);

    var summary = { source: null, text: "" };
    var timer = null;

    function featuredImage() {
      // The library image the chooser (static/js/chooser.js) shows, else the image URL.
      if (fields.image && fields.image.value) {
        var chosen = fields.image.closest(".image-chooser").querySelector(".image-chooser-thumb");
        return Promise.resolve(chosen.dataset.original || "");
      }
      return Promise.resolve(fields.externalImage ? fields.externalImage.value.trim() : "");
    }

    // The excerpt's text, rendered by the live preview's endpoint as the server renders it.
    function renderSummary() {
      var source = excerptSource(
        fields.body.value,
        fields.excerpt ? fields.excerpt.value : "",
        fields.separator ? fields.separator.value : EXCERPT_SEPARATOR
      );
      if (source === summary.source) return;
      summary.source = source;
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      var data = new FormData();
      data.append("content", source);
      fetch(fields.body.getAttribute("data-markdownx-urls-path"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token.value } : {},
      })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          if (summary.source !== source) return; // a newer text is on its way
          var holder = document.createElement("div");
          holder.innerHTML = html; // parsed, never attached: the server sanitised it anyway
          summary.text = summarise(plainText(holder));
          update();
        })
        .catch(function () {});
    }

    function update() {
      heading.textContent = fields.title.value.trim() || "(no title)";
      var canonical = fields.canonical ? fields.canonical.value.trim() : "";
      domain.textContent = (hostOf(canonical) || location.host).toUpperCase();
      var own = fields.description.value.trim();
      if (!own && fields.body.getAttribute("data-markdownx-urls-path")) {
        window.clearTimeout(timer);
        timer = window.setTimeout(renderSummary, EXCERPT_DELAY);
      }
      var shared = own || summary.text;
      text.classList.toggle("is-missing", !shared);
      text.textContent = shared || "(no description and no excerpt text)";
      featuredImage().then(function (url) {
        var src = absoluteImage(url);
        card.classList.toggle("has-image", Boolean(src));
        image.hidden = !src;
        noImage.hidden = Boolean(src);
        if (src && image.getAttribute("src") !== src) image.src = src;
        if (!src) image.removeAttribute("src");
      });
    }

    var schedule = window.quireDesk.perFrame(update);
    ["input", "change"].forEach(function (type) {
      form.addEventListener(type, schedule);
    });
    update();
  }

  /* Copying preview links ---------------------------------------------------------------- */

  function addCopyButtons() {
    document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-from"));
      if (!field) return;
      var status = button.parentNode.querySelector("[role=status]");
      button.hidden = false;

      function say(message) {
        if (status) status.textContent = message;
      }

      // Selecting the text first keeps it ready for Ctrl+C where copying is refused.
      function copyBySelection() {
        field.focus();
        field.select();
        var copied = false;
        try {
          copied = document.execCommand("copy");
        } catch (error) {
          copied = false;
        }
        say(copied ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy");
      }

      button.addEventListener("click", function () {
        say("");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () {
            say("Copied");
          }, copyBySelection);
        } else {
          copyBySelection();
        }
      });
      field.addEventListener("focus", function () {
        field.select();
      });
    });
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
    var searchPreview = null;
    if (title) addCounter(title);
    if (description) {
      addCounter(
        description,
        SEARCH_DESCRIPTION,
        "search engines cut descriptions after about " + SEARCH_DESCRIPTION + " characters"
      );
      searchPreview = addPreview(config, title, slug, description);
    }
    if (tags) addTagAutocomplete(config.suggestUrl, tags);
    var editors = ["id_body", "id_excerpt"]
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (editors.length) followBodyFormat(editors[0].form, editors);
    var body = document.getElementById("id_body");
    if (body) addReadingTime(body);
    if (title && body && searchPreview) {
      addSocialCard(
        config,
        {
          title: title,
          description: description,
          body: body,
          excerpt: document.getElementById("id_excerpt"),
          separator: document.getElementById("id_excerpt_separator"),
          canonical: document.getElementById("id_canonical_url"),
          image: document.getElementById("id_image"),
          externalImage: document.getElementById("id_external_image"),
        },
        searchPreview
      );
    }
    addCopyButtons();
  });
})();

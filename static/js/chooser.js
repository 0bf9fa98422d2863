/* The featured-image chooser (media/widgets.py): a dialog that searches the media library and
   shows each image as a thumbnail with its alt text, or uploads a new one into the library, and
   puts the chosen image's id in the form's hidden field.

   Every refusal (a search the server turns down, an upload it refuses) is shown in the dialog in
   the server's words. Without this script the hidden field keeps the image as it was saved.
   Plain ES2017, no framework, no build step. */
(function () {
  "use strict";

  var ready = window.quireDesk.ready;
  var make = window.quireDesk.make;

  var SEARCH_DELAY = 250; // ms of quiet typing before the library is searched

  function csrfToken(element) {
    var field = element.closest("form").elements.namedItem("csrfmiddlewaretoken");
    return field ? field.value : "";
  }

  // The server's reason, whatever the shape of its answer.
  function reasonOf(response, body) {
    var messages = body && (body.image || (body.error ? [body.error] : null));
    if (messages && messages.length) return messages.join(" ");
    return "The server answered " + response.status + ": nothing was changed. Try again.";
  }

  function readJson(response) {
    return response.json().catch(function () {
      return null;
    });
  }

  function setUp(chooser) {
    var field = chooser.querySelector("input[type=hidden]");
    var dialog = chooser.querySelector(".image-chooser-dialog");
    var chosen = chooser.querySelector(".image-chooser-chosen");
    var none = chooser.querySelector(".image-chooser-none");
    var openButton = chooser.querySelector(".image-chooser-open");
    var clearButton = chooser.querySelector(".image-chooser-clear");
    var search = chooser.querySelector(".image-chooser-search");
    var results = chooser.querySelector(".image-chooser-results");
    var status = chooser.querySelector(".image-chooser-status");
    var file = chooser.querySelector(".image-chooser-file");
    var uploadAlt = chooser.querySelector(".image-chooser-upload-alt");
    var send = chooser.querySelector(".image-chooser-send");
    var searchTimer = null;
    var asked = 0; // the latest search: an older answer arriving late is dropped

    function show(entry) {
      chosen.hidden = !entry;
      none.hidden = Boolean(entry);
      clearButton.hidden = !entry;
      if (entry) {
        var thumb = chosen.querySelector(".image-chooser-thumb");
        thumb.src = entry.thumbnail;
        thumb.dataset.original = entry.url; // the social-card preview shows the original
        chosen.querySelector(".image-chooser-alt").textContent = entry.alt;
        chosen.querySelector(".image-chooser-noalt").hidden = Boolean(entry.alt);
        chosen.querySelector(".image-chooser-caption").textContent = entry.caption;
        chosen.querySelector(".image-chooser-nocaption").hidden = Boolean(entry.caption);
      }
    }

    function choose(entry) {
      field.value = entry ? String(entry.id) : "";
      show(entry);
      // The social-card preview and the autosave listen for changes to the form.
      field.dispatchEvent(new Event("change", { bubbles: true }));
      if (dialog.open) dialog.close();
      (entry ? clearButton : openButton).focus();
    }

    function result(entry) {
      var item = make("li");
      var button = make("button", "image-chooser-result");
      button.type = "button";
      var thumb = make("img");
      thumb.src = entry.thumbnail;
      thumb.alt = "";
      thumb.loading = "lazy";
      var label = make("span", "image-chooser-result-alt", entry.alt || "No alt text");
      var size = make("span", "image-chooser-result-size", entry.size);
      button.append(thumb, label, size);
      button.setAttribute("aria-pressed", String(field.value === String(entry.id)));
      button.addEventListener("click", function () {
        choose(entry);
      });
      item.append(button);
      return item;
    }

    function load() {
      var number = ++asked;
      var url = chooser.dataset.searchUrl + "?q=" + encodeURIComponent(search.value.trim());
      status.textContent = "Searching…";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return readJson(response).then(function (body) {
            if (number !== asked) return;
            if (!response.ok || !body) throw new Error(reasonOf(response, body));
            results.replaceChildren.apply(results, body.results.map(result));
            status.textContent = body.results.length
              ? body.results.length + (body.more ? "+ images: search to narrow them." : " image(s).")
              : "No image in the library matches.";
          });
        })
        .catch(function (error) {
          if (number === asked) status.textContent = error.message;
        });
    }

    function upload() {
      if (!file.files.length) {
        status.textContent = "Pick an image file to upload first.";
        file.focus();
        return;
      }
      var data = new FormData();
      data.append("image", file.files[0]);
      data.append("alt", uploadAlt.value.trim());
      status.textContent = "Uploading " + file.files[0].name + "…";
      send.disabled = true;
      fetch(chooser.dataset.uploadUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(chooser), "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          return readJson(response).then(function (body) {
            if (!response.ok || !body || !body.image) throw new Error(reasonOf(response, body));
            file.value = "";
            uploadAlt.value = "";
            status.textContent = "";
            choose(body.image);
          });
        })
        .catch(function (error) {
          status.textContent = error instanceof TypeError
            ? "The upload did not reach the server: check the connection and try again."
            : error.message;
        })
        .finally(function () {
          send.disabled = false;
        });
    }

    openButton.hidden = false;
    openButton.addEventListener("click", function () {
      dialog.showModal();
      search.focus();
      load();
    });
    clearButton.addEventListener("click", function () {
      choose(null);
    });
    chooser.querySelector(".image-chooser-close").addEventListener("click", function () {
      dialog.close();
    });
    search.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(load, SEARCH_DELAY);
    });
    // Enter in the dialog's fields searches or uploads; it never submits the post form.
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
      event.preventDefault();
      if (event.target === search) load();
      else if (send) upload();
    });
    if (send) send.addEventListener("click", upload);
  }

  ready(function () {
    document.querySelectorAll(".image-chooser").forEach(setUp);
  });
})();

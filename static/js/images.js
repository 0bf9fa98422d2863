/* Images dropped into the post's Markdown fields.

   markdownx's own drop handler writes "Invalid response" into the text when the server refuses a
   file and leaves the editor faded; this one takes the drop first. It asks for the image's alt
   text (kept in the media library with it), uploads it, and puts the Markdown on a line of its
   own at the caret. A refusal is shown beside the editor in the server's words, and nothing is
   inserted. Someone without the right to upload is told so before they drop anything.

   Without this script markdownx's stock handler still uploads.
   Plain ES2017, no framework, no build step. */
(function () {
  "use strict";

  var ready = window.quireDesk.ready;
  var make = window.quireDesk.make;

  /* The Markdown for the image, with blank lines around it unless the text already has them:
     dropped at the start of a line it never joins that line ("![](…)### Heading"). Gives the
     caret after it, where the next image of the same drop goes. */
  function insertOnOwnLine(textarea, code, caret) {
    var before = textarea.value.slice(0, caret.start);
    var after = textarea.value.slice(caret.end);
    function gap(side, touching) {
      if (side === "" || touching("\n\n")) return "";
      return touching("\n") ? "\n" : "\n\n";
    }
    var lead = gap(before, function (s) { return before.endsWith(s); });
    var tail = gap(after, function (s) { return after.startsWith(s); });
    textarea.setRangeText(lead + code + tail, before.length, textarea.value.length - after.length, "end");
    // The live preview, the word count and the autosave follow the text's input events.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
    var end = before.length + lead.length + code.length + tail.length;
    return { start: end, end: end };
  }

  /* The alt-text question: resolves with the text (maybe empty), or null when cancelled. */
  function askAltText(dialog, file) {
    return new Promise(function (resolve) {
      var input = dialog.querySelector("#image-alt-text");
      var preview = dialog.querySelector(".image-alt-preview");
      var address = URL.createObjectURL(file);
      dialog.querySelector(".image-alt-name").textContent = file.name;
      preview.src = address;
      input.value = "";
      function finish(answer) {
        dialog.removeEventListener("close", cancelled);
        dialog.removeEventListener("keydown", onKey);
        insert.removeEventListener("click", accepted);
        cancel.removeEventListener("click", cancelClicked);
        if (dialog.open) dialog.close();
        URL.revokeObjectURL(address);
        resolve(answer);
      }
      function accepted() { finish(input.value.trim()); }
      function cancelled() { finish(null); }
      function cancelClicked() { finish(null); }
      function onKey(event) {
        // Enter answers the question; it never submits the post form around the dialog.
        if (event.key === "Enter" && event.target === input) {
          event.preventDefault();
          accepted();
        }
      }
      var insert = dialog.querySelector(".image-alt-insert");
      var cancel = dialog.querySelector(".image-alt-cancel");
      insert.addEventListener("click", accepted);
      cancel.addEventListener("click", cancelClicked);
      dialog.addEventListener("close", cancelled); // Escape
      dialog.addEventListener("keydown", onKey);
      dialog.showModal();
      input.focus();
    });
  }

  function reasonOf(response, body) {
    if (body && body.image && body.image.length) return body.image.join(" ");
    return "The server answered " + response.status + " and kept nothing. Try again.";
  }

  function upload(config, file, altText) {
    var data = new FormData();
    data.append("image", file);
    data.append("alt", altText);
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    return fetch(config.uploadUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": token ? token.value : "",
        "X-Requested-With": "XMLHttpRequest",
      },
    }).then(
      function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok || !body || !body.image_code) throw new Error(reasonOf(response, body));
          return body.image_code;
        });
      },
      function () {
        throw new Error("The upload did not reach the server: check the connection and drop it again.");
      }
    );
  }

  function setUp(config, container, dialog) {
    var textarea = container.querySelector("textarea");
    var message = make("p", "image-drop-message");
    message.setAttribute("role", "status");
    container.after(message);
    if (!config.canUpload) {
      var note = make("p", "help image-drop-note", config.refusal);
      message.before(note);
    }

    function say(text, failed) {
      message.textContent = text;
      message.classList.toggle("is-error", Boolean(failed));
    }

    /* Asks, uploads and inserts one file; resolves with the caret for the next. */
    function dropOne(file, caret) {
      // The server judges images; a file the browser knows is no image is not even asked about.
      if (file.type && file.type.indexOf("image/") !== 0) {
        say(file.name + ": not an image. Nothing was inserted.", true);
        return Promise.resolve(caret);
      }
      return askAltText(dialog, file).then(function (altText) {
        if (altText === null) {
          say("Cancelled: " + file.name + " was not uploaded.");
          return caret;
        }
        say("Uploading " + file.name + "…");
        return upload(config, file, altText).then(
          function (code) {
            say(file.name + " is in the media library and in the text" +
              (altText ? "." : ", with no alt text: write it in the library."), !altText);
            return insertOnOwnLine(textarea, code, caret);
          },
          function (error) {
            say(error.message + " Nothing was inserted.", true);
            return caret;
          }
        );
      });
    }

    // Capturing, on the editor's container: markdownx's own handler on the textarea never sees
    // a drop of files. A drop of text is the browser's to handle.
    container.addEventListener("drop", function (event) {
      var files = event.dataTransfer && Array.from(event.dataTransfer.files);
      if (!files || !files.length) return;
      event.preventDefault();
      event.stopPropagation();
      if (!config.canUpload) {
        say(config.refusal + " Nothing was inserted.", true);
        return;
      }
      // Where the caret was when the files were dropped: the dialogs take the focus.
      var caret = { start: textarea.selectionStart, end: textarea.selectionEnd };
      // One at a time: each image is asked for its own alt text, and follows the one before.
      files.reduce(function (previous, file) {
        return previous.then(function (at) { return dropOne(file, at); });
      }, Promise.resolve(caret));
    }, true);
  }

  ready(function () {
    var element = document.getElementById("image-drops");
    if (!element) return;
    var config = {
      uploadUrl: element.dataset.uploadUrl,
      canUpload: element.dataset.canUpload === "true",
      refusal: element.dataset.refusal,
    };
    var dialog = document.getElementById("image-alt-dialog");
    document.querySelectorAll(".markdownx").forEach(function (container) {
      setUp(config, container, dialog);
    });
  });
})();

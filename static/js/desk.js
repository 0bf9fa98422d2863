/* What the desk's scripts share: run once the page is parsed, make an element, batch updates.
   Loaded before them (the post form's and the image chooser's Media list it first). */
window.quireDesk = {
  ready: function (callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  },

  make: function (tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text) element.textContent = text;
    return element;
  },

  // `work`, run once in the next frame however often the function is called before then.
  perFrame: function (work) {
    var waiting = false;
    return function () {
      if (waiting) return;
      waiting = true;
      window.requestAnimationFrame(function () {
        waiting = false;
        work();
      });
    };
  },
};

/*
 * labkit.js: small progressive enhancements. Every page works without it.
 * No dependencies, no inline code (CSP script-src 'self'). Load it with
 *   <script src="/static/labkit.js" defer></script>
 * It only uses event delegation on the document, so it also covers content
 * that htmx swaps in later.
 *
 * 1. Adds class "js" on <html> (labkit.css then hides the language switch's
 *    submit button until it gets keyboard focus).
 * 2. form.lang-switch: submits when its <select> changes with a mouse or touch
 *    choice. A keyboard user browsing options with the arrow keys is not
 *    navigated away on every key press (WCAG 3.2.2): Enter submits, or Tab
 *    reaches the submit button, which reappears when focused.
 * 3. button[data-confirm] (and input[type=submit][data-confirm]): asks
 *    confirm(text) first and cancels the click, and so the form submission or
 *    htmx request, when the person says no.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  if (root.classList) {
    root.classList.add("js");
  } else {
    root.className += " js";
  }

  function closest(node, selector) {
    while (node && node.nodeType === 1) {
      if ((node.matches || node.msMatchesSelector).call(node, selector)) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  function submitForm(form) {
    if (!form || form.getAttribute("data-labkit-submitting")) {
      return; // Enter and change can both fire for one choice
    }
    form.setAttribute("data-labkit-submitting", "1");
    window.setTimeout(function () {
      form.removeAttribute("data-labkit-submitting"); // e.g. an htmx form
    }, 1500);
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires "submit", so htmx and validation still run
    } else {
      form.submit();
    }
  }

  // Coming back with the Back button (bfcache) must allow a new submit.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    var forms = document.querySelectorAll("form[data-labkit-submitting]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].removeAttribute("data-labkit-submitting");
    }
  });

  /* ---- language switch ------------------------------------------------ */

  var LANG_SELECT = "form.lang-switch select";
  // Keys that move through a closed <select>'s options on some platforms.
  var BROWSING_KEYS = {
    ArrowUp: 1, ArrowDown: 1, ArrowLeft: 1, ArrowRight: 1, Up: 1, Down: 1,
    Left: 1, Right: 1, Home: 1, End: 1, PageUp: 1, PageDown: 1
  };
  var keyboardChange = false;

  document.addEventListener("pointerdown", function (event) {
    if (closest(event.target, LANG_SELECT)) {
      keyboardChange = false;
    }
  }, true);

  document.addEventListener("mousedown", function (event) {
    if (closest(event.target, LANG_SELECT)) {
      keyboardChange = false;
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    var select = closest(event.target, LANG_SELECT);
    if (!select) {
      return;
    }
    if (event.key === "Enter") {
      keyboardChange = false;
      // After the browser has applied any choice made with this Enter.
      window.setTimeout(function () {
        submitForm(select.form);
      }, 0);
    } else if (BROWSING_KEYS[event.key] || (event.key && event.key.length === 1)) {
      keyboardChange = true; // arrows or type-ahead letters
    }
  }, true);

  document.addEventListener("change", function (event) {
    var select = closest(event.target, LANG_SELECT);
    if (!select || !select.form) {
      return;
    }
    if (keyboardChange) {
      return; // wait for Enter or the submit button
    }
    submitForm(select.form);
  });

  /* ---- confirmation on destructive buttons ---------------------------- */

  // Capture phase: runs before htmx's own click handler on the element.
  document.addEventListener("click", function (event) {
    var button = closest(
      event.target,
      "button[data-confirm], input[type='submit'][data-confirm], input[type='image'][data-confirm]"
    );
    if (!button || button.disabled) {
      return;
    }
    var message = button.getAttribute("data-confirm") || "";
    if (!message) {
      return;
    }
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopPropagation();
      if (event.stopImmediatePropagation) {
        event.stopImmediatePropagation();
      }
    }
  }, true);
})();

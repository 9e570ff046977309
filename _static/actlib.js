// The book's own script, added to every page (jupyter-book loads every .js in _static).
//
// A display equation wider than its column scrolls inside its own box (_static/actlib.css).
// A reader without a mouse must reach it too: once MathJax has typeset the page, and after
// every change of the window's width, each equation box that scrolls becomes a named
// keyboard stop (tabindex 0), so its arrow keys scroll it.
(function () {
  function mark() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "equation (scrolls sideways)");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(mark);
    }
  });
  window.addEventListener("resize", mark);
})();

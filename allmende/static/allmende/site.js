// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to a form's error summary so screen reader and keyboard users hear what to correct.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // On phones the header's navigation and language switch fold behind the "Menu" button (a
  // disclosure: aria-expanded says whether it is open; Escape closes it and returns to the button).
  var header = document.querySelector(".site-header");
  var button = document.querySelector(".site-menu-button");
  var menu = document.getElementById("site-menu");
  if (header && button && menu) {
    header.classList.add("js-menu");
    var setOpen = function (open) {
      menu.classList.toggle("site-menu--open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.offsetParent !== null) {
        setOpen(false);
        button.focus();
      }
    });
  }
});

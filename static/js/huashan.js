/* Huashan progressive enhancement. Every page works without this file:
 * it only saves a click here and there. Loaded with `defer` from base.html
 * (CSP: script-src 'self', no inline scripts). */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Forms marked data-autosubmit (the language switch) submit on change,
  // so their submit button can hide.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll(".js-hide").forEach(function (el) {
      el.hidden = true;
    });
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    });
  });

  // Registration: show only the buildings of the chosen compound. The server
  // rejects a building of another compound anyway; this is convenience.
  var compound = document.querySelector("select[data-filters-buildings]");
  var building = document.getElementById(compound ? compound.dataset.filtersBuildings : "");
  if (compound && building) {
    var filterBuildings = function () {
      var option = compound.options[compound.selectedIndex];
      var chosen = option && option.value ? option.text : "";
      building.querySelectorAll("optgroup").forEach(function (group) {
        var match = !chosen || group.label === chosen;
        group.hidden = !match;
        group.disabled = !match;
      });
      var selected = building.options[building.selectedIndex];
      if (selected && selected.parentElement.tagName === "OPTGROUP" && selected.parentElement.disabled) {
        building.value = "";
      }
    };
    compound.addEventListener("change", filterBuildings);
    filterBuildings();
  }

  // The header menu is a <details> sheet that works without this file; here it
  // also closes with Escape or a tap outside it, and moves focus back to its button.
  document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
    var summary = menu.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        if (summary) summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  // A form returned with errors: move the focus to the first field in error, so
  // a screen reader reads its message and a phone scrolls to it.
  var firstError = document.querySelector(".form-field.has-error");
  if (firstError) {
    var field = firstError.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }

  // Wide tables scroll inside their own box, never the page sideways (issue 19).
  // A box that scrolls must be reachable by keyboard and named for screen readers.
  var tableName = function (table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = table;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName) || prev.tagName === "SUMMARY") return prev.textContent.trim();
        var inner = prev.querySelector && prev.querySelector("h1, h2, h3, h4");
        if (inner) return inner.textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  };
  var fitTables = function () {
    document.querySelectorAll("main table").forEach(function (table) {
      var wrap = table.parentElement;
      if (!wrap.classList.contains("table-wrap")) {
        if (table.getBoundingClientRect().width <= wrap.clientWidth + 1) return;
        var box = document.createElement("div");
        box.className = "table-wrap";
        wrap.insertBefore(box, table);
        box.appendChild(table);
        wrap = box;
      }
      if (wrap.scrollWidth > wrap.clientWidth + 1 && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", tableName(table));
      }
    });
  };
  fitTables();

  // Buttons marked data-confirm ask before submitting (e.g. reject).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();

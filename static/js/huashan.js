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

  // Buttons marked data-confirm ask before submitting (e.g. reject).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();

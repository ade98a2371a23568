/* Progressive enhancement for the complaint pages. Every form works without it
 * (CSP: script-src 'self'; no inline scripts). */
(function () {
  "use strict";

  // Filing step 2: say how many photos are chosen and warn early about too many.
  document.querySelectorAll("form[data-photo-form]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var out = form.querySelector(".photo-count");
    if (!input || !out) {
      return;
    }
    input.addEventListener("change", function () {
      var n = input.files ? input.files.length : 0;
      out.hidden = n === 0;
      out.textContent = (document.documentElement.lang || "").indexOf("zh") === 0
        ? "已选择 " + n + " 张照片" + (n > 6 ? "（最多 6 张）" : "")
        : n + " photo(s) chosen" + (n > 6 ? " (at most 6)" : "");
    });
  });

  // Filing step 1: a safety-related category (elevator, fire safety …) ticks the
  // hazard box; another category unticks it unless the resident ticked it by hand.
  document.querySelectorAll("form[data-filing-form]").forEach(function (form) {
    var select = form.querySelector("select[name=category]");
    var box = form.querySelector("input[name=is_hazard]");
    if (!select || !box) {
      return;
    }
    var touched = false;
    box.addEventListener("change", function () {
      touched = true;
    });
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var safety = !!(option && option.dataset.safety === "1");
      if (safety) {
        box.checked = true;
      } else if (!touched) {
        box.checked = false;
      }
    });
  });

  // Staff progress form: picking a response template fills an empty note.
  document.querySelectorAll("select[name$='-template']").forEach(function (select) {
    var form = select.form;
    var note = form && form.querySelector("textarea[data-template-target]");
    if (!note) {
      return;
    }
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && option.dataset.body && !note.value.trim()) {
        note.value = option.dataset.body;
      }
    });
  });
})();

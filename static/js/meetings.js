/* Progressive enhancement for the meeting pages. Every form works without it
 * (CSP: script-src 'self'; no inline scripts or styles). htmx does the
 * autosave requests; this file only tells the clerk what happened. */
(function () {
  "use strict";

  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  function stamp() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }

  // Live minutes: show "saving…" / "saved at hh:mm:ss" / "not saved" next to each form,
  // and warn before the tab closes while a change has not reached the server.
  var dirty = new Set();
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector(".autosave-status");
    var say = function (text, bad) {
      if (status) {
        status.textContent = text;
        status.classList.toggle("field-error", !!bad);
      }
    };
    form.addEventListener("input", function () {
      dirty.add(form);
      say(zh ? "有未保存的修改…" : "Unsaved changes…");
    });
    form.addEventListener("htmx:beforeRequest", function () {
      say(zh ? "正在保存…" : "Saving…");
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail && event.detail.successful) {
        dirty.delete(form);
        say((zh ? "已自动保存 " : "Saved at ") + stamp());
      } else {
        say(zh ? "自动保存失败，请点“保存”按钮" : "Autosave failed: use the Save button", true);
      }
    });
    form.addEventListener("submit", function () {
      dirty.delete(form);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Buttons that undo nothing ask first: data-confirm="text".
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // Ad hoc meeting: the reason field is only relevant when the box is ticked.
  document.querySelectorAll("input[name=is_ad_hoc]").forEach(function (box) {
    var field = document.getElementById("id_ad_hoc_reason");
    var wrap = field && field.closest(".form-field");
    if (!wrap) {
      return;
    }
    var sync = function () { wrap.hidden = !box.checked && !field.value; };
    box.addEventListener("change", sync);
    sync();
  });
})();

/* Trust pulse form: "I don't work with them" hides and disables that function's questions, and
 * unfinished answers are kept in this browser only (localStorage), never sent anywhere before "Send".
 *
 * The form carries data-draft-key; the draft is restored into fields that are still empty, saved on
 * every change, and removed on submit. A page saying "you have answered" carries data-draft-clear
 * with the same key, so a draft never outlives the answer. No network request is made here.
 */
(function () {
  "use strict";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the form still works, only without drafts
    }
  }

  function fields(form) {
    return form.querySelectorAll("input[type=radio], input[type=checkbox], textarea");
  }

  function snapshot(form) {
    var draft = {};
    fields(form).forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) {
          draft[field.name] = field.value;
        }
      } else if (field.value) {
        draft[field.name] = field.value;
      }
    });
    return draft;
  }

  function restore(form, draft) {
    fields(form).forEach(function (field) {
      if (!(field.name in draft)) {
        return;
      }
      if (field.type === "radio") {
        var group = form.querySelectorAll("input[type=radio][name='" + field.name + "']");
        var answered = Array.prototype.some.call(group, function (radio) { return radio.checked; });
        if (!answered && field.value === draft[field.name]) {
          field.checked = true;
        }
      } else if (field.type === "checkbox") {
        field.checked = field.checked || draft[field.name] === field.value;
      } else if (!field.value) {
        field.value = draft[field.name];
      }
    });
  }

  function applySkip(toggle) {
    var section = toggle.closest("[data-pulse-target]");
    var items = section.querySelector("[data-pulse-items]");
    items.hidden = toggle.checked;
    items.querySelectorAll("input, textarea").forEach(function (field) {
      field.disabled = toggle.checked;
    });
  }

  function start(form) {
    var key = form.dataset.draftKey;
    var store = key ? storage() : null;
    if (store) {
      try {
        restore(form, JSON.parse(store.getItem(key) || "{}"));
      } catch (error) {
        store.removeItem(key);
      }
    }
    form.querySelectorAll("[data-pulse-skip]").forEach(applySkip);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-pulse-skip]")) {
        applySkip(event.target);
      }
      if (store) {
        store.setItem(key, JSON.stringify(snapshot(form)));
      }
    });
    form.addEventListener("input", function (event) {
      if (store && event.target.tagName === "TEXTAREA") {
        store.setItem(key, JSON.stringify(snapshot(form)));
      }
    });
    form.addEventListener("submit", function () {
      if (store) {
        store.removeItem(key);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("pulse-form");
    if (form) {
      start(form);
    }
    var done = document.querySelector("[data-draft-clear]");
    var store = done ? storage() : null;
    if (store) {
      store.removeItem(done.dataset.draftClear);
    }
  });
})();

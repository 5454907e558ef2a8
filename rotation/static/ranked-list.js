// Ranked lists: the up/down buttons move items in the page (no round trip); items can also be dragged.
// Without JavaScript the buttons post the form and the server returns the reordered list.
// Lists that htmx swaps in later are enhanced too (htmx:load), each list once.
(function () {
  "use strict";

  function announce(list, text) {
    var status = document.getElementById(list.id + "-status");
    if (status) { status.textContent = text; }
  }

  function move(item, direction) {
    var list = item.parentElement;
    var sibling = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) { return; }
    list.insertBefore(item, direction === "up" ? sibling : sibling.nextElementSibling);
    var position = Array.prototype.indexOf.call(list.children, item) + 1;
    announce(list, item.dataset.itemName + " is now number " + position + ".");
  }

  function enhance(list) {
    if (list.dataset.rankedListReady) { return; }
    list.dataset.rankedListReady = "1";
    var dragged = null;
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) { return; }
      event.preventDefault();
      move(button.closest("li"), button.dataset.move);
      button.focus();
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li");
      event.dataTransfer.effectAllowed = "move";
      dragged.classList.add("dragging");
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("dragging");
      announce(list, dragged.dataset.itemName + " is now number " +
        (Array.prototype.indexOf.call(list.children, dragged) + 1) + ".");
      dragged = null;
    });
  }

  function init(root) {
    if (root.matches && root.matches("[data-ranked-list]")) { enhance(root); }
    root.querySelectorAll("[data-ranked-list]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();

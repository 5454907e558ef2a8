/* Searchable people pickers: every <select multiple data-picker> becomes a Tom Select box
 * (type to search, arrow keys and Enter to pick, Backspace or the x button to remove, large
 * touch targets). Without JavaScript the native multi-select stays, and the form posts the same
 * field either way. Pickers in content that htmx swaps in are set up by htmx.onLoad.
 */
(function () {
  "use strict";

  function setUp(select) {
    if (select.tomselect) {
      return;
    }
    new TomSelect(select, {
      plugins: { remove_button: { title: "Remove" } },
      maxOptions: null,
      hidePlaceholder: true,
      closeAfterSelect: false,
      clearAfterSelect: true,
      placeholder: select.dataset.picker || "Type a name to search",
      render: {
        no_results: function () {
          return '<div class="no-results">Nothing matches.</div>';
        }
      }
    });
    select.setAttribute("aria-hidden", "true"); // the labelled combobox replaces it for assistive technology
  }

  function setUpAll(root) {
    if (root.querySelectorAll) {
      root.querySelectorAll("select[multiple][data-picker]").forEach(setUp);
    }
  }

  if (window.htmx && window.TomSelect) {
    window.htmx.onLoad(setUpAll);
  }
})();

/* Chart loader: renders every Vega-Lite spec on the page with vega-embed, in its CSP-safe mode.
 *
 * A chart is an element carrying its spec as JSON in data-vega-spec, or naming a
 * <script type="application/json"> block by id in data-vega-spec-source. Needs vega, vega-lite,
 * vega-embed and vega-interpreter (static/vendor). Charts inside htmx swaps render after the swap.
 * A rendered chart gets data-vega-ready="1"; a failure gets data-vega-error and a console error.
 */
(function () {
  "use strict";

  var SELECTOR = "[data-vega-spec], [data-vega-spec-source]";

  function specOf(element) {
    if (element.dataset.vegaSpec) {
      return JSON.parse(element.dataset.vegaSpec);
    }
    var source = document.getElementById(element.dataset.vegaSpecSource);
    return source ? JSON.parse(source.textContent) : null;
  }

  function render(element) {
    if (element.dataset.vegaStarted) {
      return;
    }
    element.dataset.vegaStarted = "1";
    var options = {
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter,
      defaultStyle: false,
      actions: false,
      tooltip: { disableDefaultStyle: true },
      renderer: "svg"
    };
    window.vegaEmbed(element, specOf(element), options).then(function () {
      element.dataset.vegaReady = "1";
    }).catch(function (error) {
      element.dataset.vegaError = String(error);
      console.error("chart could not be drawn:", error);
    });
  }

  function renderAll(root) {
    root.querySelectorAll(SELECTOR).forEach(render);
  }

  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { renderAll(event.target); });
})();

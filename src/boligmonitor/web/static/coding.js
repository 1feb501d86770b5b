// Coding a passage by selecting it in the answer (progressive enhancement; without it the analyst picks sentences
// or pastes a quote, and the server finds the quote in the answer either way). The text she last selected inside
// the answer is kept, so that pressing a button -- which may clear the selection -- can still put it in the quote
// field of that form and choose "a quote from the answer". A status line says what happened, in the page's language.
(function () {
  "use strict";
  var answer = document.querySelector("[data-coding-answer]");
  var buttons = document.querySelectorAll("[data-use-selection]");
  if (!answer || !buttons.length || !window.getSelection) {
    return;
  }
  var selected = "";

  function inside(node) {
    return node !== null && answer.contains(node);
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed && inside(selection.anchorNode) && inside(selection.focusNode)) {
      selected = selection.toString().replace(/\s+/g, " ").trim();
    }
  });

  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.dataset.quoteField);
    var choice = document.getElementById(button.dataset.quoteChoice);
    var status = document.getElementById(button.dataset.status);
    if (!field || !choice || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!selected) {
        status.textContent = button.dataset.none;
        return;
      }
      field.value = selected;
      choice.checked = true;
      status.textContent = button.dataset.used;
    });
  });
})();

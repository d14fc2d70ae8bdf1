// The ticket page's knowledge panel: "Insert link" / "Insert text" put an article into the reply box at the
// cursor. Loaded with the panel (which htmx may load again after each change): the listener is added once.
(function () {
  if (window.awnKnowledgeDesk) return;
  window.awnKnowledgeDesk = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var box = document.querySelector(".reply-form textarea[name=body]");
    if (!box) return;
    var text = button.getAttribute("data-kb-insert");
    var start = box.selectionStart || box.value.length, end = box.selectionEnd || box.value.length;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var gap = before && !/\n$/.test(before) ? "\n" : "";
    box.value = before + gap + text + "\n" + after;
    box.focus();
    var caret = (before + gap + text + "\n").length;
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();

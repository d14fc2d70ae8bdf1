// Saved replies in the reply box, keyboard first: Ctrl+/ (or the button) opens the search, typing filters
// (htmx fetches the list), ↑/↓ choose, Enter inserts at the cursor, Esc closes. The server renders the text
// for this ticket (language variant, placeholders) and remembers the use, so the reply's actions apply on send.
(function () {
  "use strict";
  if (window.awnSavedReplies) return;
  window.awnSavedReplies = true;

  function pickerOf(node) { return node && node.closest("[data-saved-replies]"); }
  function textareaOf(picker) {
    var form = picker.closest("form");
    return form && form.querySelector("textarea[name=body]");
  }
  function options(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("[role=option][data-id]"));
  }
  function current(picker) { return picker.querySelector("[role=option][aria-selected=true][data-id]"); }

  function select(picker, option) {
    options(picker).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    var input = picker.querySelector("input[type=search]");
    if (option && input) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function open(picker) {
    var box = picker.querySelector("[data-saved-replies-box]");
    box.hidden = false;
    var input = box.querySelector("input[type=search]");
    input.focus();
    input.select();
  }

  function close(picker, backToText) {
    picker.querySelector("[data-saved-replies-box]").hidden = true;
    if (backToText) { var area = textareaOf(picker); if (area) area.focus(); }
  }

  function csrfToken(picker) {
    var field = picker.closest("form").querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function insert(picker, option) {
    if (!option) return;
    var url = picker.getAttribute("data-insert-url").replace(/\/0\/insert\/$/, "/" + option.getAttribute("data-id") + "/insert/");
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(picker) } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        var area = textareaOf(picker);
        if (!area) return;
        var start = area.selectionStart || 0, end = area.selectionEnd || 0;
        area.value = area.value.slice(0, start) + data.text + area.value.slice(end);
        area.selectionStart = area.selectionEnd = start + data.text.length;
        area.dispatchEvent(new Event("input", { bubbles: true }));
        close(picker, true);
      })
      .catch(function () { close(picker, true); });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "/" && (event.ctrlKey || event.metaKey)) {
      var picker = pickerOf(target) || (target.form && target.form.querySelector("[data-saved-replies]"))
        || document.querySelector("[data-saved-replies]");
      if (picker) { event.preventDefault(); open(picker); }
      return;
    }
    if (!(target instanceof HTMLInputElement) || target.type !== "search") return;
    var box = pickerOf(target);
    if (!box) return;
    var list = options(box), index = list.indexOf(current(box));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!list.length) return;
      index = event.key === "ArrowDown" ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1);
      select(box, list[index]);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the reply from the search box
      insert(box, current(box) || list[0]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box, true);
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-saved-replies-open]");
    if (opener) { open(pickerOf(opener)); return; }
    var option = event.target.closest("[data-saved-replies] [role=option][data-id]");
    if (option) insert(pickerOf(option), option);
  });
})();

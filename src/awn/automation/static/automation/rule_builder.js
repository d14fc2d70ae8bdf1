// The rule form's builder: rows of "field · operator · value" and "action · parameters" that write the rule's
// JSON (the textareas stay the source of truth and remain editable; the server validates either way).
// Names are shown for ids (teams, agents, calendars, …); every text goes in through textContent, never as HTML.
(function () {
  "use strict";
  var root = document.querySelector("[data-rule-builder]");
  var dataNode = document.getElementById("rule-builder-data");
  var conditionsArea = document.getElementById("id_conditions");
  var actionsArea = document.getElementById("id_actions");
  if (!root || !dataNode || !conditionsArea || !actionsArea) return;
  var data = JSON.parse(dataNode.textContent);
  var fields = {}, actions = {};
  data.fields.forEach(function (f) { fields[f.name] = f; });
  data.actions.forEach(function (a) { actions[a.type] = a; });
  var LISTS = ["in", "not_in", "includes_any", "includes_all", "includes_none"];
  var PRESENCE = ["is_set", "is_not_set"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function select(choices, value, multiple) {
    var node = el("select", multiple ? { multiple: "" } : {});
    choices.forEach(function (pair) {
      var option = el("option", { value: JSON.stringify(pair[0]) }, pair[1]);
      var chosen = multiple ? (value || []).some(function (v) { return v === pair[0]; }) : value === pair[0];
      if (chosen) option.selected = true;
      node.appendChild(option);
    });
    return node;
  }
  function selected(node) {
    var values = Array.prototype.filter.call(node.options, function (o) { return o.selected; })
      .map(function (o) { return JSON.parse(o.value); });
    return node.multiple ? values : values[0];
  }
  function parseList(text, numeric) {
    return text.split(",").map(function (s) { return s.trim(); }).filter(Boolean)
      .map(function (s) { return numeric && !isNaN(Number(s)) ? Number(s) : s; });
  }

  // --- conditions ---------------------------------------------------------------------------------------------
  function valueInput(field, op, value) {
    if (PRESENCE.indexOf(op) >= 0) return null;
    var options = field.options && data.options[field.options];
    var many = LISTS.indexOf(op) >= 0;
    if (options) return select(options, value, many);
    if (field.kind === "hours" || (field.kind === "number" && !many)) {
      return el("input", { type: "number", step: "any", value: value === undefined ? "" : value });
    }
    var input = el("input", { type: "text", dir: "auto", value: many ? (value || []).join(", ") : (value || "") });
    if (many) input.setAttribute("placeholder", data.labels.comma);
    return input;
  }
  function readValue(field, op, node) {
    if (!node) return undefined;
    if (node.tagName === "SELECT") return selected(node);
    if (node.type === "number") return node.value === "" ? null : Number(node.value);
    if (LISTS.indexOf(op) >= 0) return parseList(node.value, field.kind === "number");
    return node.value;
  }
  function conditionRow(item) {
    var row = el("div", { class: "builder-row" });
    var fieldSelect = select(data.fields.map(function (f) { return [f.name, f.label]; }), item.field);
    row.appendChild(fieldSelect);
    function render() {
      while (row.childNodes.length > 1) row.removeChild(row.lastChild);
      var field = fields[selected(fieldSelect)];
      var key = null;
      if (field.key) { key = el("input", { type: "text", placeholder: data.labels.key, value: item.key || "" }); row.appendChild(key); }
      var op = field.ops.indexOf(item.op) >= 0 ? item.op : field.ops[0];
      var opSelect = select(field.ops.map(function (o) { return [o, o.replace(/_/g, " ")]; }), op);
      row.appendChild(opSelect);
      var value = valueInput(field, op, item.value);
      if (value) row.appendChild(value);
      var remove = el("button", { type: "button", class: "link" }, data.labels.remove);
      remove.addEventListener("click", function () { row.remove(); sync(); });
      row.appendChild(remove);
      row.read = function () {
        var currentOp = selected(opSelect);
        var out = { field: field.name, op: currentOp };
        var v = readValue(field, currentOp, value);
        if (PRESENCE.indexOf(currentOp) < 0) out.value = v === undefined ? null : v;
        if (key) out.key = key.value;
        return out;
      };
      opSelect.addEventListener("change", function () { item = row.read(); item.value = undefined; render(); sync(); });
    }
    fieldSelect.addEventListener("change", function () { item = { field: selected(fieldSelect) }; render(); sync(); });
    render();
    return row;
  }
  function conditionGroup(name, items) {
    var group = el("div", { class: "builder-group", "data-group": name });
    group.appendChild(el("h3", {}, data.labels[name]));
    var rows = el("div", {});
    group.appendChild(rows);
    (items || []).forEach(function (item) { rows.appendChild(conditionRow(item)); });
    var add = el("button", { type: "button", class: "button secondary" }, data.labels.add_condition);
    add.addEventListener("click", function () { rows.appendChild(conditionRow({ field: "subject", op: "contains", value: "" })); sync(); });
    group.appendChild(add);
    group.read = function () { return Array.prototype.map.call(rows.children, function (r) { return r.read(); }); };
    return group;
  }

  // --- actions ------------------------------------------------------------------------------------------------
  function paramInput(param, value) {
    var options = param.options && data.options[param.options];
    if (options) return select(options, value, param.kind === "array");
    if (param.kind === "boolean") { var box = el("input", { type: "checkbox" }); box.checked = !!value; return box; }
    if (param.kind === "integer") return el("input", { type: "number", value: value === undefined || value === null ? "" : value });
    if (param.kind === "array") {
      return el("input", { type: "text", dir: "auto", placeholder: data.labels.comma, value: (value || []).join(", ") });
    }
    if (param.long) { var area = el("textarea", { rows: "3", dir: "auto" }); area.value = value || ""; return area; }
    return el("input", { type: "text", dir: "auto", value: value || "" });
  }
  function readParam(param, node) {
    if (node.tagName === "SELECT") return selected(node);
    if (node.type === "checkbox") return node.checked;
    if (node.type === "number") return node.value === "" ? null : Number(node.value);
    if (param.kind === "array") return parseList(node.value, false);
    return node.value;
  }
  function actionRow(item) {
    var row = el("div", { class: "builder-row" });
    var typeSelect = select(data.actions.map(function (a) { return [a.type, a.label]; }), item.type);
    row.appendChild(typeSelect);
    function render() {
      while (row.childNodes.length > 1) row.removeChild(row.lastChild);
      var action = actions[selected(typeSelect)];
      var inputs = action.params.map(function (param) {
        var label = el("label", { class: "builder-param" }, param.name.replace(/_/g, " ") + " ");
        var input = paramInput(param, item[param.name]);
        label.appendChild(input);
        row.appendChild(label);
        return [param, input];
      });
      var remove = el("button", { type: "button", class: "link" }, data.labels.remove);
      remove.addEventListener("click", function () { row.remove(); sync(); });
      row.appendChild(remove);
      row.read = function () {
        var out = {};
        Object.keys(item).forEach(function (k) { if (k !== "type" && !action.params.some(function (p) { return p.name === k; })) out[k] = item[k]; });
        out.type = action.type;
        inputs.forEach(function (pair) {
          var v = readParam(pair[0], pair[1]);
          if (v !== null && v !== "" && !(Array.isArray(v) && !v.length)) out[pair[0].name] = v;
        });
        return out;
      };
    }
    typeSelect.addEventListener("change", function () { item = { type: selected(typeSelect) }; render(); sync(); });
    render();
    return row;
  }

  // --- wiring -------------------------------------------------------------------------------------------------
  var groups = {}, actionRows;
  function sync() {
    conditionsArea.value = JSON.stringify({ all: groups.all.read(), any: groups.any.read() }, null, 2);
    actionsArea.value = JSON.stringify(Array.prototype.map.call(actionRows.children, function (r) { return r.read(); }), null, 2);
  }
  function build() {
    var conditions, list;
    try {
      conditions = JSON.parse(conditionsArea.value || "{}") || {};
      list = JSON.parse(actionsArea.value || "[]") || [];
    } catch (e) { root.hidden = true; return; }
    var known = (conditions.all || []).concat(conditions.any || []).every(function (c) { return fields[c.field]; })
      && Array.isArray(list) && list.every(function (a) { return actions[a.type]; });
    if (!known) { root.hidden = true; return; }
    var conditionsBox = root.querySelector("[data-builder-conditions]");
    var actionsBox = root.querySelector("[data-builder-actions]");
    conditionsBox.textContent = ""; actionsBox.textContent = "";
    groups.all = conditionGroup("all", conditions.all);
    groups.any = conditionGroup("any", conditions.any);
    conditionsBox.appendChild(groups.all); conditionsBox.appendChild(groups.any);
    actionRows = el("div", {});
    list.forEach(function (item) { actionRows.appendChild(actionRow(item)); });
    actionsBox.appendChild(actionRows);
    var add = el("button", { type: "button", class: "button secondary" }, data.labels.add_action);
    add.addEventListener("click", function () { actionRows.appendChild(actionRow({ type: "add_tags" })); sync(); });
    actionsBox.appendChild(add);
    root.hidden = false;
  }
  root.addEventListener("input", sync);
  root.addEventListener("change", sync);
  conditionsArea.addEventListener("change", build);
  actionsArea.addEventListener("change", build);
  build();
})();

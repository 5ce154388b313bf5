// sisterctl site: the index's filter and sorting. The table is complete without this
// script; the script only hides rows and reorders them. No network, no inline code.
(function () {
  "use strict";
  var table = document.getElementById("ties");
  var form = document.getElementById("filter");
  if (!table || !form || !table.tBodies.length) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var kind = document.getElementById("filter-kind");
  var count = document.getElementById("filter-count");

  function fold(s) {
    return (s || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/\s+/g, " ").trim();
  }
  var searched = rows.map(function (row) { return fold(row.getAttribute("data-search")); });

  function apply() {
    var words = fold(text.value).split(" ").filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = words.every(function (w) { return searched[i].indexOf(w) !== -1; }) &&
        (!status.value || row.getAttribute("data-status") === status.value) &&
        (!kind.value || row.getAttribute("data-kind") === kind.value);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown === rows.length ?
      rows.length + " ties" : shown + " of " + rows.length + " ties";
    remember();
  }

  function remember() {
    var query = [];
    [text, status, kind].forEach(function (field) {
      if (field.value) { query.push(field.name + "=" + encodeURIComponent(field.value)); }
    });
    try {
      history.replaceState(null, "", query.length ? "?" + query.join("&") : location.pathname);
    } catch (e) {
      // Some browsers refuse this on file: pages; the filter works the same.
    }
  }

  function fromAddress() {
    var params = new URLSearchParams(location.search);
    text.value = params.get("q") || "";
    [[status, "status"], [kind, "kind"]].forEach(function (pair) {
      var value = params.get(pair[1]) || "";
      var known = Array.prototype.some.call(pair[0].options, function (o) { return o.value === value; });
      pair[0].value = known ? value : "";
    });
  }

  function sortBy(index, type, header) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var key = function (row) {
      var cell = row.cells[index];
      var value = cell.getAttribute("data-value");
      if (value === null) { value = cell.textContent; }
      return type === "number" ? parseFloat(value) : fold(value);
    };
    var sorted = rows.slice().sort(function (a, b) {
      var x = key(a), y = key(b);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    var type = header.getAttribute("data-sort");
    if (!type) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () { sortBy(index, type, header); });
  });

  if (table.caption) {
    table.caption.textContent += "; choose a column heading to sort by it";
  }
  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  [text, status, kind].forEach(function (field) {
    field.addEventListener("input", apply);
    field.addEventListener("change", apply);
  });
  fromAddress();
  apply();
  document.documentElement.setAttribute("data-filter", "ready");
}());

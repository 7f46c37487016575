// Question editors: add, remove and move rows, show options only for choices; printer fields by kind.
(function () {
  "use strict";
  var list = document.getElementById("questions");
  var template = document.getElementById("question-template");

  function renumber() {
    // Field names carry the row's index; keep them in page order so the server reads the rows in order.
    Array.prototype.forEach.call(list.querySelectorAll(".question"), function (row, index) {
      row.dataset.index = index;
      row.querySelectorAll("[name], [id], label[for]").forEach(function (node) {
        ["name", "id", "for"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) node.setAttribute(attribute, value.replace(/^([qf])-(\d+|__i__)-/, "$1-" + index + "-"));
        });
      });
    });
  }

  function showOptions(row) {
    var type = row.querySelector(".question-type");
    var options = row.querySelector(".options");
    if (type && options) options.hidden = type.value !== "choice";
  }

  if (list && template) {
    document.getElementById("add-question").addEventListener("click", function () {
      var fragment = template.content.cloneNode(true);
      list.appendChild(fragment);
      renumber();
      var rows = list.querySelectorAll(".question");
      var added = rows[rows.length - 1];
      showOptions(added);
      var first = added.querySelector("input[type=text], input:not([type])");
      if (first) first.focus();
    });
    list.addEventListener("change", function (event) {
      if (event.target.classList.contains("question-type")) showOptions(event.target.closest(".question"));
    });
    list.addEventListener("click", function (event) {
      var row = event.target.closest(".question");
      if (!row) return;
      if (event.target.classList.contains("remove")) row.remove();
      else if (event.target.classList.contains("move-up") && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
      else if (event.target.classList.contains("move-down") && row.nextElementSibling) list.insertBefore(row.nextElementSibling, row);
      else return;
      renumber();
    });
  }

  var kind = document.getElementById("printer_kind");
  if (kind) {
    var wanted = { network: ["host", "port"], usb: ["vendor_id", "product_id"], serial: ["device", "baudrate"], file: ["path"] };
    var update = function () {
      var show = wanted[kind.value] || [];
      ["host", "port", "vendor_id", "product_id", "device", "baudrate", "path"].forEach(function (name) {
        var field = document.getElementById("printer_" + name).closest(".field");
        field.hidden = show.indexOf(name) < 0;
      });
    };
    kind.addEventListener("change", update);
    update();
  }
})();

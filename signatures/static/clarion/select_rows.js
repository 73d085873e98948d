// "Select every row on this page" for the moderation lists, whose rows each carry a tick
// box tied to a form by its `form` attribute. Shown only where JavaScript runs; without
// it, rows are ticked one by one (and a rule acts on thousands: Invalidate by rule).
document.querySelectorAll("input[data-select-rows]").forEach(function (all) {
  var label = all.closest("label");
  if (label) label.hidden = false;
  all.addEventListener("change", function () {
    var rows = document.querySelectorAll(
      'input[type="checkbox"][form="' + all.form.id + '"][name="' + all.dataset.selectRows + '"]'
    );
    rows.forEach(function (row) {
      row.checked = all.checked;
    });
  });
});

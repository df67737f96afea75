// The values grid (measures/values_grid.html): Enter and the up and down arrows move to the same
// column of the row below or above, as in a spreadsheet; Tab moves along the row as usual.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("table.values-grid input[type=text]")) return;
  var step = {ArrowDown: 1, Enter: event.shiftKey ? -1 : 1, ArrowUp: -1}[event.key];
  if (!step) return;
  var cell = input.closest("td"), row = cell.parentElement;
  var rows = Array.prototype.slice.call(row.parentElement.children);
  var next = rows[rows.indexOf(row) + step];
  var target = next && next.children[cell.cellIndex] && next.children[cell.cellIndex].querySelector("input[type=text]");
  if (target) {
    event.preventDefault();
    target.focus();
    target.select();
  } else if (event.key === "Enter" && step === 1) {
    return;  // Enter in the last row saves the page, as in any form
  }
});

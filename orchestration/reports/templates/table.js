(function () {
  function key(td) { var v = td.getAttribute('data-sort'); return v === null ? td.textContent.trim() : v; }
  document.querySelectorAll('table.data-table').forEach(function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) { return; }
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = rows.every(function (r) { var v = key(r.cells[col]); return v === '' || !isNaN(Number(v)); });
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (numeric) { x = x === '' ? -Infinity : Number(x); y = y === '' ? -Infinity : Number(y); return x === y ? 0 : (x < y ? -dir : dir); }
          return x.localeCompare(y) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    var input = document.getElementById(table.id + '-filter');
    var count = document.getElementById(table.id + '-count');
    if (input) {
      input.addEventListener('input', function () {
        var query = input.value.toLowerCase(), shown = 0;
        Array.prototype.forEach.call(body.rows, function (r) {
          var hit = r.textContent.toLowerCase().indexOf(query) !== -1;
          r.hidden = !hit;
          if (hit) { shown += 1; }
        });
        if (count) { count.textContent = shown + ' of ' + body.rows.length + ' rows'; }
      });
    }
  });
})();

// The script of `vgen trace html` pages (trace/src/html.cpp puts it inline): reads the records
// and figures the page carries (script elements #records and #meta), draws the timeline and
// fills the event table. A record is [ns since the first record, interface number, kind,
// fields, chain step (0 none, 1 made available, 2 returned), head].
(function () {
  'use strict';
  var TIME = 0, PLACE = 1, KIND = 2, FIELDS = 3, STEP = 4, HEAD = 5;
  var PAGE = 500;  // table rows added at a time
  var records = JSON.parse(document.getElementById('records').textContent);
  var meta = JSON.parse(document.getElementById('meta').textContent);
  var names = meta.interfaces;
  var span = Math.max(meta.span_ns, 1);

  function $(id) { return document.getElementById(id); }
  function seconds(ns) { return '+' + (ns / 1e9).toFixed(9); }

  // What colour family a record belongs to.
  function category(r) {
    var k = r[KIND];
    if (k === 'queue-broken' || k === 'dropped' || k === 'used-len-ignored') return 'problem';
    if (r[STEP] !== 0) return 'chain';
    if (k.indexOf('notify') === 0 || k.indexOf('event-') === 0) return 'notify';
    if (k === 'state' || k === 'features') return 'state';
    return 'other';
  }
  var COLOURS = { chain: '#1f5fbf', notify: '#e07b00', state: '#2e9e4f', problem: '#d32f2f', other: '#7a7a7a' };

  // --- Summary and error -------------------------------------------------------------------
  $('title').textContent = meta.title;
  var summary = meta.records + ' records on ' + names.length + ' interface' + (names.length === 1 ? '' : 's') +
      ' over ' + (meta.span_ns / 1e9).toFixed(9) + ' s';
  if (meta.written < meta.records) summary += '; this page holds the first ' + meta.written;
  $('summary').textContent = summary + '.';
  var error = $('error');
  if (error) document.querySelector('header').appendChild(error);

  // --- Chains: from made available to returned, per interface and head ----------------------
  var bars = [];  // [interface, from ns, to ns, head, closed]
  (function () {
    var open = {};
    for (var i = 0; i < records.length; ++i) {
      var r = records[i];
      var key = r[PLACE] + ':' + r[HEAD];
      if (r[STEP] === 1 && !(key in open)) {
        open[key] = bars.length;
        bars.push([r[PLACE], r[TIME], meta.span_ns, r[HEAD], false]);
      } else if (r[STEP] === 2 && key in open) {
        var bar = bars[open[key]];
        bar[2] = r[TIME];
        bar[4] = true;
        delete open[key];
      }
    }
  })();

  // --- Timeline ------------------------------------------------------------------------------
  var canvas = $('timeline');
  var LABEL = 110, LANE = 28, AXIS = 24, RIGHT = 12;
  var view = [0, span];
  var drag = null;

  function layout() {
    var width = Math.max(600, canvas.parentNode.clientWidth - 2);
    canvas.width = width;
    canvas.height = names.length * LANE + AXIS + 4;
  }
  function x_of(ns) { return LABEL + (ns - view[0]) / (view[1] - view[0]) * (canvas.width - LABEL - RIGHT); }
  function ns_of(x) { return view[0] + (x - LABEL) / (canvas.width - LABEL - RIGHT) * (view[1] - view[0]); }

  function draw() {
    var g = canvas.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.font = '12px monospace';
    g.textBaseline = 'middle';
    var drawnBars = 0, drawnTicks = 0;
    for (var lane = 0; lane < names.length; ++lane) {
      var top = lane * LANE;
      g.fillStyle = lane % 2 === 0 ? '#f6f7f9' : '#ffffff';
      g.fillRect(0, top, canvas.width, LANE);
      g.fillStyle = '#1d1d1f';
      g.fillText(names[lane], 6, top + LANE / 2);
    }
    g.save();
    g.beginPath();
    g.rect(LABEL, 0, canvas.width - LABEL, canvas.height);
    g.clip();
    for (var b = 0; b < bars.length; ++b) {
      var bar = bars[b];
      if (bar[2] < view[0] || bar[1] > view[1]) continue;
      var x0 = x_of(bar[1]), x1 = Math.max(x_of(bar[2]), x0 + 2);
      g.fillStyle = COLOURS.chain;
      g.globalAlpha = bar[4] ? 0.85 : 0.4;  // a chain never returned fades to the end
      g.fillRect(x0, bar[0] * LANE + 3, x1 - x0, 14);
      ++drawnBars;
    }
    g.globalAlpha = 1;
    for (var i = 0; i < records.length; ++i) {
      var r = records[i];
      if (r[STEP] !== 0 || r[TIME] < view[0] || r[TIME] > view[1]) continue;
      g.fillStyle = COLOURS[category(r)];
      g.fillRect(Math.floor(x_of(r[TIME])), r[PLACE] * LANE + 18, 2, 8);
      ++drawnTicks;
    }
    g.restore();
    // The time axis: seconds since the first record.
    var axis = names.length * LANE;
    g.fillStyle = '#1d1d1f';
    g.fillRect(LABEL, axis, canvas.width - LABEL - RIGHT, 1);
    for (var t = 0; t <= 4; ++t) {
      var at = view[0] + (view[1] - view[0]) * t / 4;
      var x = x_of(at);
      g.fillRect(x, axis, 1, 5);
      g.textAlign = t === 0 ? 'left' : t === 4 ? 'right' : 'center';
      g.fillText(seconds(at), x, axis + 14);
    }
    g.textAlign = 'left';
    if (drag && drag.to !== null) {
      g.fillStyle = 'rgba(31, 95, 191, 0.15)';
      g.fillRect(Math.min(drag.from, drag.to), 0, Math.abs(drag.to - drag.from), axis);
    }
    canvas.setAttribute('data-bars', String(drawnBars));
    canvas.setAttribute('data-ticks', String(drawnTicks));
  }

  function canvas_x(event) { return event.clientX - canvas.getBoundingClientRect().left; }
  canvas.addEventListener('mousedown', function (event) {
    var x = canvas_x(event);
    if (x >= LABEL) drag = { from: x, to: null };
  });
  canvas.addEventListener('mousemove', function (event) {
    if (!drag) return;
    drag.to = Math.max(LABEL, Math.min(canvas_x(event), canvas.width - RIGHT));
    draw();
  });
  window.addEventListener('mouseup', function () {
    if (!drag) return;
    var d = drag;
    drag = null;
    if (d.to === null || Math.abs(d.to - d.from) < 3) return draw();
    var from = ns_of(Math.min(d.from, d.to)), until = ns_of(Math.max(d.from, d.to));
    $('from').value = (from / 1e9).toFixed(9);
    $('until').value = (until / 1e9).toFixed(9);
    apply();
  });
  canvas.addEventListener('dblclick', function () {
    $('from').value = '';
    $('until').value = '';
    apply();
  });

  // --- Table ---------------------------------------------------------------------------------
  var matches = [];
  var shown = 0;

  function fill_choices() {
    var place = $('interface');
    names.forEach(function (name, i) {
      var option = document.createElement('option');
      option.value = String(i);
      option.textContent = name;
      place.appendChild(option);
    });
    var kinds = {};
    records.forEach(function (r) { kinds[r[KIND]] = true; });
    var select = $('kind');
    Object.keys(kinds).sort().forEach(function (kind) {
      var option = document.createElement('option');
      option.value = kind;
      option.textContent = kind;
      select.appendChild(option);
    });
  }

  function number(id) {
    var text = $(id).value.trim();
    if (text === '') return null;
    var value = Number(text);
    return isFinite(value) ? value * 1e9 : null;
  }

  function select() {
    var words = $('filter').value.toLowerCase().split(/\s+/).filter(function (w) { return w !== ''; });
    var place = $('interface').value === '' ? -1 : Number($('interface').value);
    var kind = $('kind').value;
    var from = number('from'), until = number('until');
    matches = [];
    for (var i = 0; i < records.length; ++i) {
      var r = records[i];
      if (place >= 0 && r[PLACE] !== place) continue;
      if (kind !== '' && r[KIND] !== kind) continue;
      if (from !== null && r[TIME] < from) continue;
      if (until !== null && r[TIME] > until) continue;
      if (words.length > 0) {
        var text = (names[r[PLACE]] + ' ' + r[KIND] + ' ' + r[FIELDS]).toLowerCase();
        var all = true;
        for (var w = 0; w < words.length && all; ++w) all = text.indexOf(words[w]) >= 0;
        if (!all) continue;
      }
      matches.push(i);
    }
  }

  function cell(row, text, css) {
    var td = document.createElement('td');
    td.textContent = text;
    if (css) td.className = css;
    row.appendChild(td);
  }

  function more() {
    var body = $('rows');
    var end = Math.min(matches.length, shown + PAGE);
    var rows = document.createDocumentFragment();
    for (; shown < end; ++shown) {
      var i = matches[shown], r = records[i];
      var row = document.createElement('tr');
      row.className = category(r);
      row.setAttribute('data-record', String(i));
      cell(row, seconds(r[TIME]), 'time');
      cell(row, names[r[PLACE]], 'place');
      cell(row, r[KIND], 'kind');
      cell(row, r[FIELDS], 'fields');
      rows.appendChild(row);
    }
    body.appendChild(rows);
    $('more').hidden = shown >= matches.length;
    $('count').textContent = matches.length + ' of ' + records.length + ' events match' +
        (shown < matches.length ? '; the first ' + shown + ' are shown' : '') + '.';
  }

  function apply() {
    var from = number('from'), until = number('until');
    view = [from !== null ? from : 0, until !== null ? until : span];
    if (view[1] <= view[0]) view = [0, span];
    select();
    $('rows').textContent = '';
    shown = 0;
    more();
    draw();
  }

  // Filters given in the address: #filter=WORDS&interface=NAME&kind=KIND&from=S&until=S.
  function from_address() {
    var hash = window.location.hash.replace(/^#/, '');
    if (hash === '') return;
    hash.split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      if (at < 0) return;
      var key = decodeURIComponent(pair.slice(0, at)), value = decodeURIComponent(pair.slice(at + 1));
      if (key === 'interface') value = String(names.indexOf(value));
      if (key === 'filter' || key === 'interface' || key === 'kind' || key === 'from' || key === 'until') {
        $(key).value = value;
      }
    });
  }

  fill_choices();
  from_address();
  ['filter', 'interface', 'kind', 'from', 'until'].forEach(function (id) { $(id).addEventListener('input', apply); });
  $('reset').addEventListener('click', function () {
    ['filter', 'interface', 'kind', 'from', 'until'].forEach(function (id) { $(id).value = ''; });
    apply();
  });
  $('more').addEventListener('click', more);
  window.addEventListener('resize', function () { layout(); draw(); });
  layout();
  apply();
})();

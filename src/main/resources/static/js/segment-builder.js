/*
 * The rule segment builder: edits the definition JSON in the hidden #definition input as a tree of
 * AND/OR groups and condition rows (field → operator → value widgets) and asks the server for a
 * preview (count and sample) after every change. Conditions are numbered depth-first, as the
 * server's messages number them.
 */
(function () {
  'use strict';

  document.addEventListener('DOMContentLoaded', function () {
    var root = document.getElementById('builder');
    var input = document.getElementById('definition');
    if (!root || !input) { return; }
    var fields = JSON.parse(root.dataset.fields);
    var L = JSON.parse(root.dataset.labels);
    var options = JSON.parse(root.dataset.options);
    var errors = JSON.parse(root.dataset.errors || '[]');
    var byName = {};
    fields.forEach(function (f) { byName[f.name] = f; });
    var def;
    try { def = JSON.parse(input.value); } catch (e) { def = null; }
    if (!def || !def.root) { def = { version: 1, root: { group: 'AND', items: [] } }; }
    if (!def.root.items) { def.root = { group: 'AND', items: [def.root] }; }
    var previewUrl = (document.querySelector('#segment-form').getAttribute('action') || '').replace(/\/segments(\/\d+)?$/, '/segments/preview');
    var timer = null;

    function el(tag, attrs, children) {
      var e = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) {
        if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'class') { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      });
      (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
      return e;
    }

    function isMoney(name) { return /Fen$/.test(name); }
    function fenToYuan(n) {
      if (n === null || n === undefined || n === '') { return ''; }
      var neg = n < 0; n = Math.abs(n);
      var s = String(Math.floor(n / 100)) + (n % 100 ? '.' + String(n % 100).padStart(2, '0') : '');
      return (neg ? '-' : '') + s;
    }
    function yuanToFen(s) {
      s = String(s).trim();
      var m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
      if (!m) { return s === '' ? null : s; }
      var fen = parseInt(m[2], 10) * 100 + (m[3] ? parseInt((m[3] + '0').substring(0, 2), 10) : 0);
      return m[1] ? -fen : fen;
    }
    function toDecimal(s) { s = String(s).trim(); return /^\d+(\.\d+)?$/.test(s) ? parseFloat(s) : (s === '' ? null : s); }
    // model outputs: P(alive) is a probability, expected purchases a non-negative number
    function decimalMax(f) { return f.name === 'pAlive' ? 1 : 10000; }
    function decimalInput(f, value, onValue, attrs) {
      var max = decimalMax(f);
      var i = textInput(value, function (v) { onValue(toDecimal(v)); check(); },
        Object.assign({ type: 'number', step: 'any', min: '0', max: String(max), style: 'width:7rem' }, attrs || {}));
      function check() {
        var x = toDecimal(i.value);
        var bad = i.value.trim() === '' || typeof x !== 'number' || x < 0 || x > max;
        i.classList.toggle('is-invalid', bad);
        i.title = bad ? (L['ui.decimalRange'] || '').replace('{0}', '0').replace('{1}', String(max)) : '';
      }
      check();
      return i;
    }
    function toInt(s) { s = String(s).trim(); return /^-?\d+$/.test(s) ? parseInt(s, 10) : (s === '' ? null : s); }
    function list(s) { return String(s).split(/[,，]/).map(function (x) { return x.trim(); }).filter(function (x) { return x; }); }
    function multi(op) { return ['in', 'notIn', 'hasAny', 'hasAll', 'hasNone'].indexOf(op) >= 0; }

    function choices(f) {
      if (f.type === 'ENUM') { return f.options.map(function (o) { return [o, L['option.' + f.name + '.' + o] || o]; }); }
      if (f.type === 'TIER') { return (options.tier || []).map(function (t) { return [t, t]; }); }
      if (f.type === 'LIST') {
        return (options.inList || []).map(function (s) { var i = s.indexOf(':'); return [s.substring(0, i), s.substring(i + 1)]; });
      }
      return null;
    }

    function changed(rerender) {
      input.value = JSON.stringify(def);
      if (rerender) { render(); }
      clearTimeout(timer);
      timer = setTimeout(preview, 350);
    }

    function preview() {
      if (!window.htmx) { return; }
      window.htmx.ajax('POST', previewUrl, { target: '#preview', swap: 'outerHTML', values: { definition: input.value } });
    }

    var counter = 0;
    function render() {
      counter = 0;
      root.innerHTML = '';
      root.appendChild(group(def.root, null, 'definition.root'));
      errors.forEach(function (e) {
        document.querySelectorAll('[data-path]').forEach(function (row) {
          if (row.classList.contains('seg-row') && (e.path === row.dataset.path || e.path.indexOf(row.dataset.path + '.') === 0)) {
            row.classList.add('invalid');
            row.title = e.message;
          }
        });
      });
    }

    function group(node, parent, path) {
      var box = el('div', { class: 'seg-group', 'data-path': path });
      var op = el('select', { class: 'form-select form-select-sm seg-op', 'aria-label': L['ui.and'] + ' / ' + L['ui.or'] });
      [['AND', L['ui.and']], ['OR', L['ui.or']]].forEach(function (o) {
        var opt = el('option', { value: o[0], text: o[1] });
        if (node.group === o[0]) { opt.selected = true; }
        op.appendChild(opt);
      });
      op.addEventListener('change', function () { node.group = op.value; changed(false); });
      var addC = el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary seg-add-condition', text: '+ ' + L['ui.addCondition'] });
      addC.addEventListener('click', function () {
        node.items.push({ field: 'gender', operator: 'eq', value: 'FEMALE' });
        changed(true);
      });
      var addG = el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary seg-add-group', text: '+ ' + L['ui.addGroup'] });
      addG.addEventListener('click', function () {
        node.items.push({ group: 'OR', items: [{ field: 'gender', operator: 'eq', value: 'FEMALE' }] });
        changed(true);
      });
      var head = el('div', { class: 'd-flex gap-2 align-items-center mb-1' }, [op, addC, addG]);
      if (parent) {
        var rm = el('button', { type: 'button', class: 'btn btn-sm btn-ghost-danger ms-auto seg-remove', text: L['ui.remove'] });
        rm.addEventListener('click', function () { parent.items.splice(parent.items.indexOf(node), 1); changed(true); });
        head.appendChild(rm);
      }
      box.appendChild(head);
      if (!node.items.length) {
        box.appendChild(el('div', { class: 'text-secondary small', text: L['ui.emptyGroup'] }));
      }
      node.items.forEach(function (item, i) {
        var p = path + '.items[' + i + ']';
        box.appendChild(item.group || item.items ? group(item, node, p) : condition(item, node, p));
      });
      return box;
    }

    function condition(node, parent, path) {
      counter++;
      var row = el('div', { class: 'seg-row', 'data-path': path, 'data-no': String(counter) });
      row.appendChild(el('span', { class: 'seg-no', text: '#' + counter }));
      var fs = el('select', { class: 'form-select form-select-sm seg-field', 'aria-label': L['ui.condition'] + ' ' + counter });
      var groups = {};
      fields.forEach(function (f) {
        if (!groups[f.group]) { groups[f.group] = el('optgroup', { label: L['group.' + f.group] }); fs.appendChild(groups[f.group]); }
        var o = el('option', { value: f.name, text: L['field.' + f.name] });
        if (f.name === node.field) { o.selected = true; }
        groups[f.group].appendChild(o);
      });
      fs.addEventListener('change', function () {
        var f = byName[fs.value];
        Object.keys(node).forEach(function (k) { delete node[k]; });
        node.field = f.name;
        node.operator = f.operators[0];
        var c = choices(f);
        if (f.type === 'BOUGHT' || f.type === 'NOT_BOUGHT') { node.days = 30; }
        else if (f.type === 'BIRTHDAY') { node.value = 7; }
        else if (c && c.length) { node.value = multi(node.operator) ? [c[0][0]] : c[0][0]; }
        changed(true);
      });
      row.appendChild(fs);
      var f = byName[node.field];
      if (!f) { return row; }
      var os = el('select', { class: 'form-select form-select-sm seg-operator', 'aria-label': L['ui.condition'] + ' ' + counter });
      f.operators.forEach(function (op) {
        var o = el('option', { value: op, text: L['op.' + op] });
        if (op === node.operator) { o.selected = true; }
        os.appendChild(o);
      });
      os.addEventListener('change', function () {
        var was = multi(node.operator), now = multi(os.value);
        node.operator = os.value;
        if (os.value === 'between' || os.value === 'inLastDays' || f.type === 'DATE') { delete node.value; }
        else if (was && !now && Array.isArray(node.value)) { node.value = node.value[0]; }
        else if (!was && now && node.value !== undefined && !Array.isArray(node.value)) { node.value = [node.value]; }
        changed(true);
      });
      row.appendChild(os);
      values(f, node).forEach(function (w) { row.appendChild(w); });
      var rm = el('button', { type: 'button', class: 'btn btn-sm btn-ghost-danger ms-auto seg-remove', text: L['ui.remove'] });
      rm.addEventListener('click', function () { parent.items.splice(parent.items.indexOf(node), 1); changed(true); });
      row.appendChild(rm);
      return row;
    }

    function textInput(value, onInput, attrs) {
      var a = Object.assign({ type: 'text', class: 'form-control form-control-sm seg-value' }, attrs || {});
      var i = el('input', a);
      i.value = value === null || value === undefined ? '' : value;
      i.addEventListener('input', function () { onInput(i.value); changed(false); });
      return i;
    }

    function labelled(text, widget) {
      return el('label', { class: 'd-flex align-items-center gap-1 small text-secondary' }, [el('span', { text: text }), widget]);
    }

    function values(f, node) {
      var op = node.operator;
      var c = choices(f);
      var money = isMoney(f.name);
      if (f.type === 'BOUGHT') {
        return [
          labelled(L['ui.days'], textInput(node.days, function (v) { node.days = toInt(v); }, { type: 'number', min: '1', style: 'width:5rem', name: 'days' })),
          labelled(L['ui.brand'], textInput(node.brand, function (v) { if (v.trim()) { node.brand = v.trim(); } else { delete node.brand; } }, { style: 'width:7rem', name: 'brand' })),
          labelled(L['ui.category'], textInput(node.category, function (v) { if (v.trim()) { node.category = v.trim(); } else { delete node.category; } }, { style: 'width:7rem', name: 'category' })),
          labelled(L['ui.store'], textInput(node.store, function (v) { if (v.trim()) { node.store = v.trim(); } else { delete node.store; } }, { style: 'width:7rem', name: 'store' })),
          labelled(L['ui.minAmount'], textInput(fenToYuan(node.minAmountFen), function (v) { var x = yuanToFen(v); if (x === null) { delete node.minAmountFen; } else { node.minAmountFen = x; } }, { style: 'width:6rem', name: 'minAmount' }))
        ];
      }
      if (f.type === 'NOT_BOUGHT') {
        return [labelled(L['ui.days'], textInput(node.days, function (v) { node.days = toInt(v); }, { type: 'number', min: '1', style: 'width:5rem', name: 'days' }))];
      }
      if (c) {
        var s = el('select', { class: 'form-select form-select-sm seg-value' });
        if (multi(op)) { s.multiple = true; }
        var current = Array.isArray(node.value) ? node.value.map(String) : [String(node.value)];
        c.forEach(function (o) {
          var opt = el('option', { value: o[0], text: o[1] });
          if (current.indexOf(String(o[0])) >= 0) { opt.selected = true; }
          s.appendChild(opt);
        });
        s.addEventListener('change', function () {
          var picked = Array.prototype.filter.call(s.options, function (o) { return o.selected; }).map(function (o) {
            return f.type === 'LIST' ? parseInt(o.value, 10) : o.value;
          });
          node.value = multi(op) ? picked : picked[0];
          changed(false);
        });
        if (!multi(op) && (node.value === undefined || current.indexOf(String(node.value)) < 0) && c.length) {
          node.value = f.type === 'LIST' ? parseInt(c[0][0], 10) : c[0][0];
          input.value = JSON.stringify(def);
        }
        return [s];
      }
      if (multi(op)) {
        return [textInput(Array.isArray(node.value) ? node.value.join(', ') : '', function (v) { node.value = list(v); },
          { placeholder: L['ui.values'], style: 'width:14rem' })];
      }
      if (f.type === 'DECIMAL') {
        if (op === 'between') {
          var dp = Array.isArray(node.value) ? node.value : [null, null];
          node.value = dp;
          return [
            decimalInput(f, dp[0], function (v) { dp[0] = v; }, { 'aria-label': L['ui.from'] }),
            el('span', { class: 'text-secondary', text: '–' }),
            decimalInput(f, dp[1], function (v) { dp[1] = v; }, { 'aria-label': L['ui.to'] })
          ];
        }
        if (Array.isArray(node.value)) { node.value = node.value[0]; }
        return [decimalInput(f, node.value, function (v) { node.value = v; }, { name: 'decimal' })];
      }
      if (op === 'between') {
        var pair = Array.isArray(node.value) ? node.value : [null, null];
        node.value = pair;
        var conv = f.type === 'DATE' ? function (v) { return v || null; } : (money ? yuanToFen : toInt);
        var show = money ? fenToYuan : function (v) { return v; };
        var type = f.type === 'DATE' ? 'date' : (money ? 'text' : 'number');
        return [
          textInput(show(pair[0]), function (v) { pair[0] = conv(v); }, { type: type, 'aria-label': L['ui.from'], style: 'width:8rem' }),
          el('span', { class: 'text-secondary', text: '–' }),
          textInput(show(pair[1]), function (v) { pair[1] = conv(v); }, { type: type, 'aria-label': L['ui.to'], style: 'width:8rem' })
        ];
      }
      if (f.type === 'DATE' && op !== 'inLastDays') {
        return [textInput(node.value, function (v) { node.value = v || null; }, { type: 'date' })];
      }
      if (f.type === 'DATE' || f.type === 'BIRTHDAY') {
        return [labelled(L['ui.days'], textInput(node.value, function (v) { node.value = toInt(v); }, { type: 'number', min: '0', style: 'width:5rem' }))];
      }
      if (f.type === 'NUMBER') {
        var w = textInput(money ? fenToYuan(node.value) : node.value, function (v) { node.value = money ? yuanToFen(v) : toInt(v); },
          { type: money ? 'text' : 'number', style: 'width:8rem' });
        return money ? [w, el('span', { class: 'text-secondary small', text: L['ui.yuan'] })] : [w];
      }
      return [textInput(node.value, function (v) { node.value = v; })];
    }

    render();
    input.value = JSON.stringify(def);
    if (def.root.items.length) { preview(); }
  });
})();

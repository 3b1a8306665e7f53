// relais — small enhancements; every page works without this file.
(function () {
  'use strict';
  // Search as you type on the intake screen (the form's own submit button
  // does the same without JavaScript).
  var q = document.querySelector('input[data-live-search]');
  var box = document.getElementById('search-results');
  if (q && box && window.fetch) {
    var timer = null;
    var last = q.value;
    q.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (q.value === last) { return; }
        last = q.value;
        fetch(q.getAttribute('data-live-search') + '?q=' + encodeURIComponent(q.value), {
          credentials: 'same-origin',
          headers: { 'Accept': 'text/html' }
        })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) { box.innerHTML = html; } })
          .catch(function () { /* the submit button still works */ });
      }, 200);
    });
    // Choosing a result selects "person found above".
    box.addEventListener('change', function (e) {
      if (e.target && e.target.name === 'person_id') {
        var r = document.querySelector('input[name="person_mode"][value="existing"]');
        if (r) { r.checked = true; }
      }
    });
  }
  // The procedure picker: once a catalogue procedure is chosen, show what
  // to bring and the tips, fill category and operator, propose the next
  // follow-up (fields the worker already filled are left alone).
  var proc = document.getElementById('procedure');
  var info = document.getElementById('procedure-info');
  if (proc && info && window.fetch) {
    var shown = null;
    var fillIfEmpty = function (id, value) {
      var el = document.getElementById(id);
      if (el && value && !el.value) { el.value = value; }
    };
    var pick = function (anchor) {
      var postcode = document.getElementById('postcode');
      var url = info.getAttribute('data-pick') + '?procedure=' + encodeURIComponent(proc.value) +
        '&anchor=' + encodeURIComponent(anchor || '') +
        '&postcode=' + encodeURIComponent(postcode ? postcode.value : '');
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          info.innerHTML = html;
          var d = document.getElementById('procedure-pick');
          if (!d) { return; }
          fillIfEmpty('category', d.getAttribute('data-category'));
          fillIfEmpty('operator', d.getAttribute('data-operator'));
          fillIfEmpty('follow_up_date', d.getAttribute('data-follow-date'));
          fillIfEmpty('follow_up_reason', d.getAttribute('data-follow-reason'));
        })
        .catch(function () { /* the catalogue is a help, not a must */ });
    };
    var onPick = function () {
      if (proc.value === shown) { return; }
      shown = proc.value;
      pick('');
    };
    proc.addEventListener('change', onPick);
    proc.addEventListener('input', function () {
      // A choice in the list arrives as one input event with the full title.
      var list = document.getElementById('procedure-list');
      if (!list) { return; }
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === proc.value) { onPick(); return; }
      }
    });
    info.addEventListener('change', function (e) {
      if (e.target && e.target.id === 'deadline_anchor') { pick(e.target.value); }
    });
  }
  // "/" focuses the person search box.
  // The communes found, as the choices of a datalist.
  var fillChoices = function (list, items) {
    list.innerHTML = '';
    items.forEach(function (c) {
      var o = document.createElement('option');
      o.value = c.name;
      o.label = c.postcode + ' · ' + c.insee_code;
      list.appendChild(o);
    });
  };
  // Postcode and commune: the official list completes the commune and
  // its INSEE code (the server completes them too when the form is sent).
  var postcode = document.getElementById('postcode');
  var commune = document.getElementById('commune');
  var insee = document.getElementById('insee_code');
  if (postcode && commune && window.fetch) {
    var list = document.createElement('datalist');
    list.id = 'commune-choices';
    commune.parentNode.appendChild(list);
    commune.setAttribute('list', 'commune-choices');
    commune.setAttribute('autocomplete', 'off');
    var known = [];
    var lookup = function (q, fill) {
      fetch('/communes/lookup?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          known = items;
          fillChoices(list, items);
          if (fill && items.length > 0 && items[0].sure && commune.value === '') {
            commune.value = items[0].name;
            if (insee && insee.value === '') { insee.value = items[0].insee_code; }
          }
        })
        .catch(function () { /* typing by hand still works */ });
    };
    postcode.addEventListener('input', function () {
      var v = postcode.value.trim();
      if (/^[0-9]{5}$/.test(v)) { lookup(v, true); }
    });
    commune.addEventListener('input', function () {
      var v = commune.value.trim();
      var hit = known.filter(function (c) { return c.name === v; })[0];
      if (hit) {
        if (insee) { insee.value = hit.insee_code; }
        if (postcode.value.trim() === '') { postcode.value = hit.postcode; }
      } else if (v.length >= 3) {
        lookup(v, false);
      }
    });
  }

  // The structure's commune: a postcode or the start of a name offers the
  // communes of the official list; a postcode that names one commune
  // becomes its name.
  var sc = document.getElementById('structure_commune');
  if (sc && window.fetch) {
    var sl = document.createElement('datalist');
    sl.id = 'structure-commune-choices';
    sc.parentNode.appendChild(sl);
    sc.setAttribute('list', 'structure-commune-choices');
    sc.setAttribute('autocomplete', 'off');
    sc.addEventListener('input', function () {
      var v = sc.value.trim();
      var digits = /^[0-9]{5}$/.test(v);
      if (!digits && v.length < 3) { return; }
      fetch('/communes/lookup?q=' + encodeURIComponent(v), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          fillChoices(sl, items);
          if (digits && items.length > 0 && items[0].sure && sc.value.trim() === v) {
            sc.value = items[0].name;
          }
        })
        .catch(function () { /* typing by hand still works */ });
    });
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target && e.target.tagName;
    if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT' || (e.target && e.target.isContentEditable)) { return; }
    var s = document.getElementById('q') || document.getElementById('person-search');
    if (s) { e.preventDefault(); s.focus(); }
  });
})();
// The mandate form's "par organisme" shortcuts: ticking an operator ticks
// the categories the catalogue files its procedures under; unticking one
// of those categories unticks the operators that would tick it again, so
// that what is sent (the server expands the operators the same way) is
// what is seen.
(function () {
  'use strict';
  var form = document.querySelector('form[data-mandate-form]');
  if (!form) { return; }
  form.addEventListener('change', function (e) {
    var t = e.target;
    if (!t || t.type !== 'checkbox') { return; }
    var i;
    if (t.name === 'operators' && t.checked) {
      var codes = (t.getAttribute('data-categories') || '').split(' ');
      var cats = form.querySelectorAll('input[name="categories"]');
      for (i = 0; i < cats.length; i++) {
        if (codes.indexOf(cats[i].value) >= 0) { cats[i].checked = true; }
      }
    } else if (t.name === 'categories' && !t.checked) {
      var ops = form.querySelectorAll('input[name="operators"]');
      for (i = 0; i < ops.length; i++) {
        if ((ops[i].getAttribute('data-categories') || '').split(' ').indexOf(t.value) >= 0) {
          ops[i].checked = false;
        }
      }
    }
  });
})();

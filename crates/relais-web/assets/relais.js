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
  // "/" focuses the person search box.
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target && e.target.tagName;
    if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT' || (e.target && e.target.isContentEditable)) { return; }
    var s = document.getElementById('q') || document.getElementById('person-search');
    if (s) { e.preventDefault(); s.focus(); }
  });
})();

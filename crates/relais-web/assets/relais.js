// relais — small enhancements; every page works without this file.
(function () {
  'use strict';
  // Search as you type on the intake screen (the form's own submit button
  // does the same without JavaScript). Enter searches at once instead of
  // reloading the page, so that nothing typed below is lost.
  var q = document.querySelector('input[data-live-search]');
  var box = document.getElementById('search-results');
  var modeRadio = function (v) {
    return document.querySelector('input[name="person_mode"][value="' + v + '"]');
  };
  var carried = { first: '', last: '' };
  var carryNames = function () {
    // A search that found nobody: a new person, with the names searched.
    var none = document.getElementById('no-result');
    var existing = modeRadio('existing');
    var fresh = modeRadio('new');
    if (!none || !fresh || !existing) { return; }
    if (existing.checked) { fresh.checked = true; }
    [['first_name', 'first', 'data-first'], ['last_name', 'last', 'data-last']].forEach(function (f) {
      var el = document.getElementById(f[0]);
      if (el && (el.value === '' || el.value === carried[f[1]])) {
        el.value = none.getAttribute(f[2]) || '';
        carried[f[1]] = el.value;
      }
    });
  };
  var searchNow = null;
  if (q && box && window.fetch) {
    var timer = null;
    var last = q.value;
    searchNow = function (done) {
      last = q.value;
      fetch(q.getAttribute('data-live-search') + '?q=' + encodeURIComponent(q.value), {
        credentials: 'same-origin',
        headers: { 'Accept': 'text/html' }
      })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          box.innerHTML = html;
          carryNames();
          if (done) { done(); }
        })
        .catch(function () { /* the submit button still works */ });
    };
    q.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (q.value !== last) { searchNow(); }
      }, 200);
    });
    q.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        e.preventDefault();
        window.clearTimeout(timer);
        searchNow();
      }
    });
    // Choosing a result selects "person found above".
    box.addEventListener('change', function (e) {
      if (e.target && e.target.name === 'person_id') {
        var r = modeRadio('existing');
        if (r) { r.checked = true; }
      }
    });
  }

  // "Other duration": typing a number selects "Other"; choosing a listed
  // duration clears the typed one (the server refuses both at once).
  var other = document.getElementById('duration_other');
  var otherChoice = document.getElementById('duration_other_choice');
  if (other && otherChoice) {
    other.addEventListener('input', function () {
      if (other.value !== '') { otherChoice.checked = true; }
    });
    document.querySelectorAll('input[name="duration_minutes"]').forEach(function (r) {
      r.addEventListener('change', function () {
        if (r !== otherChoice && r.checked) { other.value = ''; }
      });
    });
  }

  // Follow-up shortcuts ("in a week"…) fill the date; a date typed by hand
  // selects the shortcut it matches, if any.
  var followIn = document.getElementById('follow_up_in');
  var followDate = document.getElementById('follow_up_date');
  if (followIn && followDate) {
    followIn.addEventListener('change', function () { followDate.value = followIn.value; });
    followDate.addEventListener('input', function () {
      var match = '';
      for (var i = 0; i < followIn.options.length; i++) {
        if (followIn.options[i].value === followDate.value) { match = followDate.value; }
      }
      followIn.value = match;
    });
  }
  var offerCatalogueDate = function (day) {
    if (!followIn || !day) { return; }
    var opt = document.getElementById('follow-catalogue');
    if (!opt) {
      opt = document.createElement('option');
      opt.id = 'follow-catalogue';
      followIn.appendChild(opt);
    }
    opt.value = day;
    var parts = day.split('-');
    opt.textContent = followIn.getAttribute('data-catalogue-label') + ' (' + parts[2] + '/' + parts[1] + '/' + parts[0] + ')';
    if (followDate && followDate.value === '') { followIn.value = day; followDate.value = day; }
  };

  // The procedure picker: a combobox over the structure's catalogue
  // (titles, operators, keywords; accents and one typo tolerated). Once a
  // procedure is chosen, show what to bring and the tips, fill category
  // and operator, propose the catalogue's follow-up (fields the worker
  // already filled are left alone).
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
          offerCatalogueDate(d.getAttribute('data-follow-date'));
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
      // A title typed (or pasted) in full is a choice.
      var list = document.getElementById('procedure-list');
      if (!list) { return; }
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === proc.value) { onPick(); return; }
      }
    });
    info.addEventListener('change', function (e) {
      if (e.target && e.target.id === 'deadline_anchor') { pick(e.target.value); }
    });
    // The combobox (ARIA 1.2 pattern): the list follows the typing, the
    // arrows move in it, Enter or a click chooses, Escape closes.
    if (proc.getAttribute('data-search')) {
      proc.removeAttribute('list');
      proc.setAttribute('role', 'combobox');
      proc.setAttribute('aria-autocomplete', 'list');
      proc.setAttribute('aria-expanded', 'false');
      proc.setAttribute('aria-controls', 'procedure-options');
      var listbox = document.createElement('ul');
      listbox.id = 'procedure-options';
      listbox.setAttribute('role', 'listbox');
      listbox.setAttribute('aria-labelledby', 'procedure-label');
      listbox.className = 'listbox';
      listbox.hidden = true;
      var status = document.createElement('p');
      status.className = 'visually-hidden';
      status.setAttribute('role', 'status');
      proc.parentNode.appendChild(listbox);
      proc.parentNode.appendChild(status);
      var items = [];
      var active = -1;
      var ptimer = null;
      var close = function () {
        listbox.hidden = true;
        proc.setAttribute('aria-expanded', 'false');
        proc.removeAttribute('aria-activedescendant');
        active = -1;
      };
      var setActive = function (i) {
        var opts = listbox.querySelectorAll('[role=option]');
        if (opts.length === 0) { return; }
        active = (i + opts.length) % opts.length;
        opts.forEach(function (o, k) { o.setAttribute('aria-selected', k === active ? 'true' : 'false'); });
        proc.setAttribute('aria-activedescendant', opts[active].id);
        opts[active].scrollIntoView({ block: 'nearest' });
      };
      var choose = function (i) {
        if (!items[i]) { return; }
        proc.value = items[i].title;
        close();
        onPick();
      };
      var render = function (found) {
        items = found;
        listbox.innerHTML = '';
        found.forEach(function (it, i) {
          var li = document.createElement('li');
          li.id = 'procedure-option-' + i;
          li.setAttribute('role', 'option');
          li.setAttribute('aria-selected', 'false');
          var t = document.createElement('span');
          t.textContent = it.title;
          var h = document.createElement('span');
          h.className = 'hint';
          h.textContent = ' · ' + it.operator + ' · ' + it.category;
          li.appendChild(t);
          li.appendChild(h);
          li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
          listbox.appendChild(li);
        });
        var n = found.length;
        status.textContent = (proc.getAttribute('data-count-' + (n === 0 ? 'zero' : n === 1 ? 'one' : 'other')) || '').replace('%n', n);
        listbox.hidden = n === 0;
        proc.setAttribute('aria-expanded', n === 0 ? 'false' : 'true');
        active = -1;
      };
      proc.addEventListener('input', function () {
        window.clearTimeout(ptimer);
        var v = proc.value.trim();
        if (v.length < 2) { render([]); return; }
        ptimer = window.setTimeout(function () {
          fetch(proc.getAttribute('data-search') + '?q=' + encodeURIComponent(v), { credentials: 'same-origin' })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (found) { if (proc.value.trim() === v) { render(found); } })
            .catch(function () { /* typing the title by hand still works */ });
        }, 150);
      });
      proc.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' && !listbox.hidden) { e.preventDefault(); setActive(active + 1); }
        else if (e.key === 'ArrowUp' && !listbox.hidden) { e.preventDefault(); setActive(active - 1); }
        else if (e.key === 'Enter' && !listbox.hidden) { e.preventDefault(); choose(active >= 0 ? active : 0); }
        else if (e.key === 'Escape' && !listbox.hidden) { e.preventDefault(); close(); }
      });
      proc.addEventListener('blur', function () { window.setTimeout(close, 150); onPick(); });
    }
  }

  // Drafts: what is typed in a form marked data-draft is kept in this
  // browser tab (session storage, per agent and structure: gone when the
  // tab or the browser is closed) until it is saved,
  // so that an ended session, a refusal or a detour loses nothing.
  // Fields the credential guard stopped (data-no-draft), tokens and
  // files are never kept. Drafts older than 12 hours are dropped.
  var DRAFT_TTL = 12 * 3600 * 1000;
  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }
  // Drafts older than 12 hours are dropped on every page, whoever's.
  if (storage) {
    for (var o = storage.length - 1; o >= 0; o--) {
      var ok = storage.key(o);
      if (!ok || ok.indexOf('relais-draft:') !== 0) { continue; }
      var od = null;
      try { od = JSON.parse(storage.getItem(ok) || 'null'); } catch (e) { od = null; }
      if (!od || !od.t || Date.now() - od.t > DRAFT_TTL) { storage.removeItem(ok); }
    }
  }
  var params = new URLSearchParams(window.location.search);
  var draftKey = function (form) {
    return 'relais-draft:' + form.getAttribute('data-draft-owner') + ':' + form.getAttribute('data-draft');
  };
  var skipped = function (el) {
    return !el.name || el.name === 'csrf' || el.name === 'submission_key' || el.name === 'confirm_secret' ||
      el.hasAttribute('data-no-draft') || el.type === 'password' || el.type === 'file' ||
      el.type === 'submit' || el.type === 'button';
  };
  var serialize = function (form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skipped(el)) { return; }
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) { out.push([el.name, el.value, 'check']); }
      } else {
        out.push([el.name, el.value, 'value']);
      }
    });
    return out;
  };
  var restore = function (form, saved) {
    // The person chosen at intake: when this page does not list them,
    // open it again with them listed (the server shows the person whose
    // id it is given), then restore.
    var pid = (saved.v.filter(function (f) { return f[0] === 'person_id'; })[0] || [])[1];
    if (pid && form.id === 'intake-form' && !form.querySelector('input[name="person_id"][value="' + pid.replace(/"/g, '') + '"]') &&
        params.get('person_id') !== pid) {
      window.location.replace('/intake?restore=1&person_id=' + encodeURIComponent(pid) +
        '&q=' + encodeURIComponent(saved.q || ''));
      return false;
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skipped(el)) { return; }
      if (el.type === 'radio' || el.type === 'checkbox') { el.checked = false; }
    });
    var seen = {};
    saved.v.forEach(function (f) {
      if (f[2] === 'check') {
        var c = form.querySelector('input[name="' + f[0] + '"][value="' + f[1].replace(/"/g, '\\"') + '"]');
        if (c) { c.checked = true; }
        return;
      }
      var all = form.querySelectorAll('[name="' + f[0] + '"]');
      var i = seen[f[0]] || 0;
      seen[f[0]] = i + 1;
      if (all[i] && !skipped(all[i])) { all[i].value = f[1]; }
    });
    if (saved.q && q) { q.value = saved.q; }
    return true;
  };
  // A request recorded from the intake: its draft is done with.
  var recorded = params.get('done');
  if (storage && (recorded === 'request-recorded' || recorded === 'handed-over' || recorded === 'mandate-warned')) {
    for (var d = storage.length - 1; d >= 0; d--) {
      var dk = storage.key(d);
      if (dk && dk.indexOf('relais-draft:') === 0 && /:intake$/.test(dk)) { storage.removeItem(dk); }
    }
  }
  var drafts = document.querySelectorAll('form[data-draft]');
  var notice = document.getElementById('draft-notice');
  if (storage && drafts.length > 0) {
    var saved = params.get('done');
    drafts.forEach(function (form) {
      var key = draftKey(form);
      var save = function () {
        var data = { t: Date.now(), v: serialize(form) };
        if (q && form.id === 'intake-form') { data.q = q.value; }
        try { storage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or denied */ }
      };
      var stimer = null;
      var later = function () { window.clearTimeout(stimer); stimer = window.setTimeout(save, 300); };
      // Saved: the draft is done with.
      if (saved === 'intervention-added') { storage.removeItem(key); }
      var kept = null;
      try { kept = JSON.parse(storage.getItem(key) || 'null'); } catch (e) { kept = null; }
      if (kept && (!kept.t || Date.now() - kept.t > DRAFT_TTL)) { storage.removeItem(key); kept = null; }
      var shownAgain = !!document.getElementById('form-errors') || !!document.getElementById('policy-refusal');
      if (kept && params.get('restore') === '1') {
        if (!restore(form, kept)) { return; }
        if (notice) {
          document.getElementById('draft-notice-text').textContent = notice.getAttribute('data-restored');
          document.getElementById('draft-buttons').hidden = true;
          notice.setAttribute('role', 'status');
          notice.hidden = false;
        }
      } else if (kept && !shownAgain && notice && JSON.stringify(kept.v) !== JSON.stringify(serialize(form))) {
        document.getElementById('draft-notice-text').textContent = notice.getAttribute('data-found');
        notice.setAttribute('role', 'status');
        notice.hidden = false;
        document.getElementById('draft-restore').addEventListener('click', function () {
          if (!restore(form, kept)) { return; }
          notice.hidden = true;
          form.querySelector('input:not([type=hidden]), select, textarea').focus();
        });
        document.getElementById('draft-discard').addEventListener('click', function () {
          storage.removeItem(key);
          notice.hidden = true;
        });
      } else if (shownAgain) {
        save();
      }
      form.addEventListener('input', later);
      form.addEventListener('change', later);
      if (q && form.id === 'intake-form') { q.addEventListener('input', later); }
      form.addEventListener('submit', save);
    });
  }
  // A form sent once: its buttons wait for the answer (no double record
  // from a double click).
  document.querySelectorAll('form[method="post"]').forEach(function (f) {
    f.addEventListener('submit', function () {
      var buttons = f.querySelectorAll('button[type="submit"], button:not([type])');
      window.setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
      // A download or a slow answer: the buttons come back after a while.
      window.setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      }, 4000);
    });
  });
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) {
      document.querySelectorAll('form button[disabled]').forEach(function (b) { b.disabled = false; });
    }
  });
  // Signing out forgets this agent's drafts on this computer.
  var logout = document.querySelector('form[action="/logout"]');
  if (storage && logout) {
    logout.addEventListener('submit', function () {
      for (var i = storage.length - 1; i >= 0; i--) {
        var k = storage.key(i);
        if (k && k.indexOf('relais-draft:') === 0) { storage.removeItem(k); }
      }
    });
  }

  // The session: activity keeps it alive (a ping at most every minute
  // while the worker types); before it ends for lack of activity, a
  // warning offers to stay signed in.
  var idle = parseInt(document.body.getAttribute('data-session-idle') || '0', 10);
  var warnBefore = parseInt(document.body.getAttribute('data-session-warn') || '0', 10);
  var warning = document.getElementById('session-warning');
  if (idle > 0 && warning && window.fetch) {
    var lastContact = Date.now();
    var pingEvery = Math.min(60, idle / 4) * 1000;
    var ping = function () {
      lastContact = Date.now();
      return fetch('/session/ping', { credentials: 'same-origin' })
        .then(function (r) { if (r.status === 204) { warning.hidden = true; } })
        .catch(function () { /* offline: the draft keeps the work */ });
    };
    var onActivity = function () {
      if (Date.now() - lastContact > pingEvery && Date.now() - lastContact < idle * 1000) { ping(); }
    };
    ['keydown', 'input', 'mousedown', 'touchstart'].forEach(function (ev) {
      document.addEventListener(ev, onActivity, { passive: true });
    });
    document.getElementById('session-stay').addEventListener('click', ping);
    window.setInterval(function () {
      var since = (Date.now() - lastContact) / 1000;
      if (since >= idle - warnBefore && since < idle) {
        warning.hidden = false;
      }
    }, 1000);
  }

  // A form shown again with a refusal or errors: the focus goes to what
  // says why, so that the keyboard starts from there.
  var why = document.getElementById('policy-refusal') || document.getElementById('form-errors');
  if (why) {
    why.setAttribute('tabindex', '-1');
    why.focus();
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

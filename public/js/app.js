// Small enhancements on top of forms that work without JavaScript. Listeners are delegated from the
// document, so they keep working after htmx swaps content.
(() => {
  // Conditional form fields: without JavaScript every field shows with a note saying when it applies;
  // with it, fields whose condition is not met are hidden (the server ignores them either way).
  function currentValue(form, name) {
    var checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) return checked.value;
    var input = form.querySelector(`[name="${name}"]:not([type="radio"]):not([type="checkbox"])`);
    return input ? input.value : '';
  }
  function applyConditions(form) {
    // Earlier fields first, so a field hidden by its own condition also hides the fields that depend on it.
    form.querySelectorAll('[data-show-if]').forEach((field) => {
      var controller = field.getAttribute('data-show-if');
      var values = (field.getAttribute('data-show-if-values') || '').split(' ');
      var controllerField = form.querySelector(`[name="${controller}"]`);
      var controllerHidden = controllerField?.closest('[data-show-if]')?.hidden;
      field.hidden = controllerHidden || values.indexOf(currentValue(form, controller)) === -1;
    });
  }
  function applyAll() {
    document.querySelectorAll('form').forEach((form) => {
      if (form.querySelector('[data-show-if]')) applyConditions(form);
    });
  }
  document.addEventListener('change', (event) => {
    var form = event.target.form;
    if (form?.querySelector('[data-show-if]')) applyConditions(form);
  });
  document.addEventListener('DOMContentLoaded', applyAll);
  document.addEventListener('htmx:after:swap', applyAll);
  document.addEventListener('htmx:afterSwap', applyAll);

  // Warns while a title is typed if it holds a national identity number; the server decides.
  var timer;
  document.addEventListener('input', (event) => {
    var input = event.target;
    var url = input.getAttribute?.('data-national-id-check');
    if (!url) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      var form = input.form;
      var body = new URLSearchParams();
      body.set('title', input.value);
      body.set('_csrf', form.querySelector('[name="_csrf"]').value);
      fetch(url, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: { 'HX-Request': 'true', 'HX-Request-Type': 'partial' },
      })
        .then((response) => (response.ok ? response.text() : ''))
        .then((html) => {
          var target = document.getElementById('title-check');
          if (!target || !html) return;
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('title-check');
          if (fresh) target.replaceChildren.apply(target, Array.from(fresh.childNodes));
        })
        .catch(() => {
          /* the check on submit still applies */
        });
    }, 400);
  });
})();

// Keyboard shortcuts for caseworkers (listed on /work/shortcuts, which "?" opens). They never act while
// a form field has focus or with Ctrl, Alt or Meta held, so typing and screen-reader commands are left
// alone; they can be switched off on the help page.
(() => {
  var pending = '';
  var pendingTimer;
  function enabled() {
    return (
      document.body &&
      document.body.getAttribute('data-shortcuts') === 'staff' &&
      localStorage.getItem('ks-shortcuts') !== 'off'
    );
  }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
  }
  function go(path) {
    window.location.assign(path);
  }
  document.addEventListener('keydown', (event) => {
    if (!enabled() || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (pending === 'g') {
      pending = '';
      clearTimeout(pendingTimer);
      if (key === 'q') {
        event.preventDefault();
        go('/work');
      } else if (key === 'n') {
        event.preventDefault();
        go('/work/cases/new');
      } else if (key === 'm') {
        event.preventDefault();
        go('/work?queue=mine');
      }
      return;
    }
    if (key === '?') {
      event.preventDefault();
      go('/work/shortcuts');
    } else if (key === 'g') {
      pending = 'g';
      pendingTimer = setTimeout(() => {
        pending = '';
      }, 1500);
    } else if (key === 'r') {
      const message = document.getElementById('message');
      if (message) {
        event.preventDefault();
        message.focus();
      }
    } else if (key === 'j' || key === 'k') {
      const rows = Array.from(document.querySelectorAll('#case-list tbody tr'));
      if (rows.length === 0) return;
      event.preventDefault();
      const current = rows.findIndex((row) => row.classList.contains('ks-list-row--focus'));
      const next = Math.max(0, Math.min(rows.length - 1, current === -1 ? 0 : current + (key === 'j' ? 1 : -1)));
      rows.forEach((row, index) => {
        row.classList.toggle('ks-list-row--focus', index === next);
      });
      // Enter then opens the case: the number's link has the focus.
      rows[next].querySelector('a[href^="/cases/"]')?.focus();
    } else if (key === 'n') {
      const next = document.querySelector('[data-shortcut="next"]');
      const first = document.querySelector('#case-list tbody a[href^="/cases/"]');
      if (next || first) {
        event.preventDefault();
        (next || first).click();
      }
    } else if (key === 't') {
      const take = document.querySelector('[data-shortcut="take"]');
      if (take && !take.disabled) {
        event.preventDefault();
        take.click();
      }
    }
  });
  function showToggle() {
    var toggle = document.querySelector('[data-shortcuts-toggle]');
    if (toggle) toggle.setAttribute('aria-pressed', String(localStorage.getItem('ks-shortcuts') !== 'off'));
  }
  document.addEventListener('DOMContentLoaded', showToggle);
  document.addEventListener('htmx:after:swap', showToggle);
  document.addEventListener('click', (event) => {
    var toggle = event.target.closest?.('[data-shortcuts-toggle]');
    if (!toggle) return;
    var off = localStorage.getItem('ks-shortcuts') === 'off';
    localStorage.setItem('ks-shortcuts', off ? 'on' : 'off');
    toggle.setAttribute('aria-pressed', String(off));
  });
})();

// Text into the reply box goes in where the cursor is (at the end if the box was never focused), never
// in place of what is there: an article's link ("Sett inn lenke") and an answer template ("Sett inn
// mal"). Without JavaScript the link reloads the case, and the template button posts the form to
// /compose, both adding to the text already typed.
function insertAtCursor(box, text) {
  var focused = document.activeElement === box || box.dataset.touched === 'true';
  var start = focused ? box.selectionStart : box.value.length;
  var end = focused ? box.selectionEnd : start;
  var before = box.value.slice(0, start);
  var spaced = before && !/\s$/.test(before) ? `${before}\n\n` : before;
  box.value = spaced + text + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = spaced.length + text.length;
  box.dispatchEvent(new Event('input', { bubbles: true }));
}
document.addEventListener('click', (event) => {
  var box = document.getElementById('message');
  if (!box) return;
  var link = event.target.closest?.('[data-insert-link]');
  if (link) {
    event.preventDefault();
    insertAtCursor(box, link.getAttribute('data-insert-link'));
    return;
  }
  var button = event.target.closest?.('[data-insert-template]');
  var option = button && document.getElementById('template')?.selectedOptions[0];
  // A template whose placeholders could not be filled goes to the server, which says why.
  if (!option?.hasAttribute('data-text')) return;
  event.preventDefault();
  insertAtCursor(box, option.getAttribute('data-text'));
  // A macro: its status shows in the form at once, its other settings above the buttons.
  var macro = document.getElementById('macro');
  if (macro) macro.value = option.getAttribute('data-macro') || '';
  var status = document.getElementById('status');
  if (status && option.hasAttribute('data-status')) status.value = option.getAttribute('data-status');
  document.querySelectorAll('[data-macro-preview]').forEach((preview) => {
    preview.hidden = preview.getAttribute('data-macro-preview') !== option.getAttribute('data-macro');
  });
});
document.addEventListener('focusout', (event) => {
  if (event.target.id === 'message') event.target.dataset.touched = 'true';
});

// Drafts: what is typed in a reply box is kept in this browser per user and case until it is sent, so
// a reload, a crash or a wrong click loses nothing; leaving the page with unsent text asks first.
(() => {
  var saveTimer;
  var submitting = false;
  function box() {
    return document.querySelector('textarea[data-draft]');
  }
  function key(b) {
    return `ks-draft:${b.getAttribute('data-draft')}`;
  }
  function unsaved(b) {
    return b && !submitting && b.value.trim() !== '' && b.value !== b.defaultValue;
  }
  function restore() {
    var b = box();
    if (!b) return;
    submitting = false;
    var stored = localStorage.getItem(key(b));
    if (sessionStorage.getItem(`${key(b)}:sent`)) {
      sessionStorage.removeItem(`${key(b)}:sent`);
      // Sent and accepted (the box came back empty): the draft is done with.
      if (b.value === '') {
        localStorage.removeItem(key(b));
        return;
      }
    }
    if (stored && b.value.trim() === '') {
      b.value = stored;
      const note = document.createElement('p');
      note.className = 'ds-paragraph ks-help';
      note.setAttribute('role', 'status');
      note.textContent = b.getAttribute('data-draft-restored') || '';
      b.insertAdjacentElement('beforebegin', note);
    }
  }
  document.addEventListener('DOMContentLoaded', restore);
  document.addEventListener('htmx:after:swap', restore);
  document.addEventListener('htmx:afterSwap', restore);
  document.addEventListener('input', (event) => {
    var b = event.target;
    if (!b.matches?.('textarea[data-draft]')) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      // Sent (or swapped away) meanwhile: the draft is settled by the submit.
      if (submitting || !b.isConnected) return;
      if (b.value.trim()) localStorage.setItem(key(b), b.value);
      else localStorage.removeItem(key(b));
    }, 300);
  });
  document.addEventListener('submit', (event) => {
    var b = box();
    if (!b || event.target !== b.form) return;
    clearTimeout(saveTimer);
    submitting = true;
    if (b.value.trim()) localStorage.setItem(key(b), b.value);
    sessionStorage.setItem(`${key(b)}:sent`, '1');
  });
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved(box())) return;
    event.preventDefault();
    event.returnValue = '';
  });
  // Links followed by htmx (boosted) never unload the page: ask the same question there.
  function confirmLeaving(event) {
    var b = box();
    // Only a navigation (a boosted link or another form) leaves the page; polling does not.
    var leaving = event.target.closest?.('a[href], form');
    if (!leaving || leaving.hasAttribute('hx-trigger') || !unsaved(b) || b.form?.contains(event.target)) return;
    if (!window.confirm(b.getAttribute('data-draft-unsaved') || '')) event.preventDefault();
  }
  document.addEventListener('htmx:before:request', confirmLeaving);
  document.addEventListener('htmx:beforeRequest', confirmLeaving);
})();

// Registering a phone case: Enter in the customer search finds the caller; when exactly one customer
// matches they are chosen, and the focus goes to "Registrer saken", so a second Enter registers it.
(() => {
  var searched = false;
  document.addEventListener('submit', (event) => {
    if (event.target.matches?.('form[role="search"]') && document.getElementById('register-submit')) searched = true;
  });
  function focusRegister() {
    if (!searched) return;
    searched = false;
    if (document.querySelector('#customer-results [data-single-match]'))
      document.getElementById('register-submit')?.focus();
  }
  document.addEventListener('htmx:after:swap', focusRegister);
  document.addEventListener('htmx:afterSwap', focusRegister);
})();

// What asks for the focus (a field marked autofocus, the error summary, the confirmation) gets it also
// when htmx swapped it in: within what was swapped, so a fragment's summary wins over the page's.
function applyAutofocus(event) {
  var scope = event?.target instanceof Element ? event.target : document;
  var wanted = scope.matches?.('[autofocus]') ? scope : scope.querySelector('[autofocus]');
  if (
    wanted &&
    (document.activeElement === document.body || document.activeElement === null || !document.activeElement.isConnected)
  )
    wanted.focus();
}
document.addEventListener('htmx:after:swap', applyAutofocus);
document.addEventListener('htmx:afterSwap', applyAutofocus);

// A form that saves is sent once: while it is on its way its button says so and a second press (or Enter)
// does nothing. The second submit is stopped in the capture phase, before htmx sees it; the busy state is
// set only once the request really goes (no listener cancelled it) and clears when the answer has arrived,
// when the page is shown again from the back button, or after a while in case the request was stopped.
(() => {
  var busyFor = 20000;
  function busy(form) {
    if (!form || form.getAttribute('aria-busy') === 'true') return;
    form.setAttribute('aria-busy', 'true');
    form.dataset.busyTimer = String(setTimeout(() => settle(form), busyFor));
    var label = document.body.getAttribute('data-busy-label') || '';
    // The form's own submit button, from its controls: a form shown inside it (the title check's article
    // suggestions, put in by script) has buttons of its own, which a search of its descendants finds first.
    var button = Array.from(form.elements).find((element) =>
      element.matches('button[type="submit"], button:not([type])'),
    );
    if (button && label) {
      button.setAttribute('data-busy-text', button.textContent);
      button.setAttribute('aria-disabled', 'true');
      button.textContent = label;
    }
  }
  function settle(form) {
    if (form?.getAttribute('aria-busy') !== 'true') return;
    form.removeAttribute('aria-busy');
    clearTimeout(Number(form.dataset.busyTimer));
    form.querySelectorAll('button[data-busy-text]').forEach((button) => {
      button.textContent = button.getAttribute('data-busy-text');
      button.removeAttribute('data-busy-text');
      button.removeAttribute('aria-disabled');
    });
  }
  const saves = (form, method) =>
    form instanceof HTMLFormElement && (method || form.method || 'get').toLowerCase() !== 'get';
  document.addEventListener(
    'submit',
    (event) => {
      if (event.target.getAttribute?.('aria-busy') !== 'true') return;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );
  // A submit nobody prevented goes out as a page load; htmx prevents the submits it sends itself.
  window.addEventListener('submit', (event) => {
    if (!event.defaultPrevented && saves(event.target)) busy(event.target);
  });
  window.addEventListener('htmx:before:request', (event) => {
    var form = event.target.closest?.('form');
    if (!event.defaultPrevented && saves(form, event.detail?.ctx?.request?.method)) busy(form);
  });
  document.addEventListener('htmx:finally:request', (event) => settle(event.target.closest?.('form')));
  window.addEventListener('pageshow', () => document.querySelectorAll('form[aria-busy="true"]').forEach(settle));
})();

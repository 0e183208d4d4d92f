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

// "Sett inn lenke": puts an article's link into the reply box where the cursor is, in one click.
// Without JavaScript the link reloads the case with the link already in the box.
document.addEventListener('click', (event) => {
  var link = event.target.closest?.('[data-insert-link]');
  var box = document.getElementById('message');
  if (!link || !box) return;
  event.preventDefault();
  var text = link.getAttribute('data-insert-link');
  var start = box.selectionStart || box.value.length;
  var end = box.selectionEnd || start;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = start + text.length;
});

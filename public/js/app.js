// Small enhancements on top of forms that work without JavaScript. Listeners are delegated from the
// document, so they keep working after htmx swaps content.
(function () {
  'use strict';

  // Conditional form fields: without JavaScript every field shows with a note saying when it applies;
  // with it, fields whose condition is not met are hidden (the server ignores them either way).
  function currentValue(form, name) {
    var checked = form.querySelector('[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var input = form.querySelector('[name="' + name + '"]:not([type="radio"]):not([type="checkbox"])');
    return input ? input.value : '';
  }
  function applyConditions(form) {
    // Earlier fields first, so a field hidden by its own condition also hides the fields that depend on it.
    form.querySelectorAll('[data-show-if]').forEach(function (field) {
      var controller = field.getAttribute('data-show-if');
      var values = (field.getAttribute('data-show-if-values') || '').split(' ');
      var controllerField = form.querySelector('[name="' + controller + '"]');
      var controllerHidden = controllerField && controllerField.closest('[data-show-if]') && controllerField.closest('[data-show-if]').hidden;
      field.hidden = controllerHidden || values.indexOf(currentValue(form, controller)) === -1;
    });
  }
  function applyAll() {
    document.querySelectorAll('form').forEach(function (form) {
      if (form.querySelector('[data-show-if]')) applyConditions(form);
    });
  }
  document.addEventListener('change', function (event) {
    var form = event.target.form;
    if (form && form.querySelector('[data-show-if]')) applyConditions(form);
  });
  document.addEventListener('DOMContentLoaded', applyAll);
  document.addEventListener('htmx:after:swap', applyAll);
  document.addEventListener('htmx:afterSwap', applyAll);

  // Warns while a title is typed if it holds a national identity number; the server decides.
  var timer;
  document.addEventListener('input', function (event) {
    var input = event.target;
    var url = input.getAttribute && input.getAttribute('data-national-id-check');
    if (!url) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var form = input.form;
      var body = new URLSearchParams();
      body.set('title', input.value);
      body.set('_csrf', form.querySelector('[name="_csrf"]').value);
      fetch(url, { method: 'POST', body: body, credentials: 'same-origin', headers: { 'HX-Request': 'true', 'HX-Request-Type': 'partial' } })
        .then(function (response) { return response.ok ? response.text() : ''; })
        .then(function (html) {
          var target = document.getElementById('title-check');
          if (!target || !html) return;
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('title-check');
          if (fresh) target.replaceChildren.apply(target, Array.from(fresh.childNodes));
        })
        .catch(function () { /* the check on submit still applies */ });
    }, 400);
  });
})();

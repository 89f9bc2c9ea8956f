// rehearse: small progressive enhancements. Every page works without this file.
"use strict";

// A form or a submit button marked data-confirm asks before it submits (delete, leave).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || (form.dataset && form.dataset.confirm);
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Forms marked data-busy disable their buttons and announce the wait while the server
// works (grading a kata takes a few seconds).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.dataset || form.dataset.busy === undefined) {
    return;
  }
  const status = form.querySelector("[data-busy-status]");
  if (status) {
    status.textContent = form.dataset.busy;
  }
  // Disable after the submission has captured the pressed button's name and value.
  window.setTimeout(() => {
    form.querySelectorAll("button").forEach((button) => { button.disabled = true; });
  }, 0);
});

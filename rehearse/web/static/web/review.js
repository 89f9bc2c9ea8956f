// Daily review keys: Space shows the answer, 1-4 rate the card. Without this file the
// page still works: the answer is a <details> and the ratings are submit buttons.
"use strict";

document.addEventListener("keydown", (event) => {
  const reveal = document.getElementById("reveal");
  if (!reveal || event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
    return;
  }
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  if (event.key === " " && !reveal.open) {
    // Space on the focused <summary> toggles it natively; everywhere else we do.
    if (target.tagName !== "SUMMARY") {
      event.preventDefault();
      reveal.open = true;
    }
    return;
  }
  if (reveal.open && /^[1-4]$/.test(event.key)) {
    const button = reveal.querySelector(`button[data-key="${event.key}"]`);
    if (button && !button.disabled) {
      event.preventDefault();
      button.disabled = true;  // one key press, one review
      const form = button.form;
      const choice = document.createElement("input");
      choice.type = "hidden";
      choice.name = button.name;
      choice.value = button.value;
      form.appendChild(choice);
      form.submit();
    }
  }
});

// When the answer opens, move focus to "Good" so Enter/Tab keep working from there.
document.addEventListener("toggle", (event) => {
  if (event.target.id === "reveal" && event.target.open) {
    const good = event.target.querySelector('button[data-key="3"]');
    if (good) {
      good.focus({ preventScroll: true });
    }
  }
}, true);

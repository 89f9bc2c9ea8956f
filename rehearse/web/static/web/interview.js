// Mock interview countdown. The deadline is the server's; this only shows it, warns at
// one minute, and sends the answers (finishing the interview) just before time runs
// out so that nothing typed is lost. Without this file the page is a plain form.
"use strict";

(() => {
  const form = document.getElementById("interview");
  const clock = document.getElementById("countdown");
  if (!form || !clock) {
    return;
  }
  const deadline = Date.parse(form.dataset.deadline);
  const status = document.getElementById("time-status");
  const SUBMIT_EARLY_MS = 3000;  // time for the request to reach the server in time
  let warned = false;
  let sent = false;

  form.addEventListener("submit", () => { sent = true; });

  const tick = () => {
    const left = deadline - Date.now();
    const seconds = Math.max(0, Math.ceil(left / 1000));
    const minutes = Math.floor(seconds / 60);
    clock.textContent = `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
    if (seconds <= 60) {
      clock.classList.add("low");
      if (!warned && status) {
        status.textContent = "One minute left.";
        warned = true;
      }
    }
    if (left <= SUBMIT_EARLY_MS && !sent) {
      sent = true;
      const finish = document.createElement("input");
      finish.type = "hidden";
      finish.name = "finish";
      finish.value = "1";
      form.appendChild(finish);
      const timeout = finish.cloneNode();
      timeout.name = "timeout";
      form.appendChild(timeout);
      form.submit();
      return;
    }
    window.setTimeout(tick, 250);
  };
  tick();
})();

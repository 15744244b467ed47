// The end-of-day run's page: while the run is running, ask its progress endpoint every second and update the
// steps table; once it has finished, load the page again (its messages, attempts and steps as recorded).
(function () {
  "use strict";
  const panel = document.getElementById("eod-progress");
  if (!panel || panel.dataset.finished === "1") return;
  const url = panel.dataset.progressUrl;

  function show(progress) {
    document.getElementById("eod-run-status").textContent = progress.status_display;
    document.getElementById("eod-steps-done").textContent = progress.steps_done;
    document.getElementById("eod-progress-bar").value = progress.steps_done;
    for (const step of progress.steps) {
      const row = panel.querySelector(`tr[data-step="${CSS.escape(step.name)}"]`);
      if (!row) continue;
      row.className = `status-${step.status}`;
      row.querySelector(".step-status").textContent = step.status_display;
      row.querySelector(".step-counts").textContent = step.counts || "—";
      row.querySelector(".duration").textContent = step.duration || "—";
      row.querySelector(".step-error").textContent = step.error;
    }
  }

  function poll() {
    fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((progress) => {
        show(progress);
        if (progress.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  }
  window.setTimeout(poll, 1000);
})();

// A job's page follows the job: every 2 seconds it fetches itself again and puts the new progress panel in
// place of the old one (an aria-live region, so a screen reader hears the change), until the job has finished.
// Without JavaScript the page says to refresh it; nothing refreshes by itself (WCAG 2.2.1, timing adjustable).
const panel = document.getElementById("job-panel");
if (panel && panel.dataset.finished !== "true") {
  const hint = document.getElementById("job-refresh-hint");
  if (hint) hint.textContent = "This page follows the job as it runs. You can leave it: the job goes on.";
  const follow = async () => {
    try {
      const answer = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (answer.ok) {
        const page = new DOMParser().parseFromString(await answer.text(), "text/html");
        const fresh = page.getElementById("job-panel");
        if (fresh) {
          panel.innerHTML = fresh.innerHTML;
          panel.dataset.finished = fresh.dataset.finished;
          const files = page.getElementById("job-files");
          if (files && !document.getElementById("job-files")) panel.after(files);
        }
      }
    } catch (error) {
      // the server did not answer this time: try again at the next tick
    }
    if (panel.dataset.finished !== "true") window.setTimeout(follow, 2000);
    else if (hint) hint.textContent = "";
  };
  window.setTimeout(follow, 2000);
}

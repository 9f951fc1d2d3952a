// The copy button of the answer page: copies the drafted message to the clipboard.
// A file of its own, because the Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copied");
  try {
    await navigator.clipboard.writeText(source.value);
    status.textContent = "Copied.";
  } catch (error) {
    // Without clipboard access (an insecure page, a refusal), select it for Ctrl-C instead.
    source.select();
    status.textContent = "Selected: press Ctrl-C to copy.";
  }
});

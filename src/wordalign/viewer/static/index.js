"use strict";
// Remembers the annotator's name between visits (this browser only).
(function () {
  const KEY = "wordalign.annotator";
  for (const input of document.querySelectorAll("input.annotator-name")) {
    if (!input.value) input.value = localStorage.getItem(KEY) || "";
    input.form.addEventListener("submit", () => localStorage.setItem(KEY, input.value.trim()));
  }
})();

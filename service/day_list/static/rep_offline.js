// The rep's phone app offline, on every day page (with visits or not, with a plan or not): registers the service
// worker that keeps the day pages on the phone (rep_service_worker.js), and signing out forgets them, so the next
// person on this phone sees none of them.
(function () {
  "use strict";
  const script = document.currentScript;
  if ("serviceWorker" in navigator) { // not on http from a LAN IP: nothing is kept there
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/reps/" }).catch(() => {});
  }
  const signOut = document.querySelector("form.sign-out");
  if (!signOut || !("caches" in window)) return; // http on a LAN IP: no Cache Storage, nothing kept
  signOut.addEventListener("submit", async (event) => {
    event.preventDefault();
    await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
    signOut.submit();
  }, { once: true });
})();

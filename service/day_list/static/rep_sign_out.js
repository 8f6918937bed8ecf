// Signing out of the rep's phone app forgets the day pages its service worker kept (rep_service_worker.js), so
// the next person on this phone sees none of them. Loaded on every day page: with visits or not, with a plan or not.
(function () {
  "use strict";
  const signOut = document.querySelector("form.sign-out");
  if (!signOut || !("caches" in window)) return; // http on a LAN IP: no Cache Storage, nothing kept
  signOut.addEventListener("submit", async (event) => {
    event.preventDefault();
    await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
    signOut.submit();
  }, { once: true });
})();

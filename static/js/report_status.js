// While a report is being made, look every few seconds whether it is ready, and show the new
// state in place (the status region announces it). Without this script, the link on the page
// does the same by hand.
(function () {
  "use strict";

  var region = document.getElementById("report-status");
  if (!region || !region.hasAttribute("data-poll")) {
    return;
  }
  var timer = setInterval(function () {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          throw new Error("stop"); // logged out meanwhile: the link on the page still works
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("report-status");
        if (fresh && !fresh.hasAttribute("data-poll")) {
          clearInterval(timer);
          // The same live region, new words: screen readers announce the change.
          region.removeAttribute("data-poll");
          region.innerHTML = fresh.innerHTML;
          var again = fresh.nextElementSibling;
          if (again && again.tagName === "FORM") {
            region.after(document.importNode(again, true));
          }
        }
      })
      .catch(function () {
        clearInterval(timer);
      });
  }, 3000);
})();

// Saves each answer of a scan section as soon as it is given. Without this script the page
// still works: "Save answers" posts the whole section. One question block is posted at a time
// to its data-autosave-url; the server answers with the block as it should now look.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function fieldsOf(block) {
    var prefix = block.dataset.prefix + "-";
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.indexOf(prefix) === 0 && block.contains(el);
    });
  }

  function payload(block) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    fieldsOf(block).forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) {
        return;
      }
      data.append(el.name, el.value);
    });
    return data;
  }

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save(block, keepalive) {
    var url = block.dataset.autosaveUrl;
    if (!url) {
      return;
    }
    return fetch(url, {
      method: "POST",
      body: payload(block),
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.querySelector(".cimolt-question");
        if (!fresh) {
          return;
        }
        if (fresh.dataset.state === "error") {
          // Show the message at the question, with what was typed kept in the field.
          var focused = block.contains(document.activeElement) ? document.activeElement.id : null;
          block.replaceWith(fresh);
          if (focused && document.getElementById(focused)) {
            document.getElementById(focused).focus();
          }
          announce(fresh.querySelector(".utrecht-form-field-error-message, [role=alert]").textContent.trim());
          return;
        }
        // Saved: take over the new version and status, but leave the fields (and focus) alone.
        ["version", "original"].forEach(function (name) {
          var key = block.dataset.prefix + "-" + name;
          var from = fresh.querySelector("[name='" + key + "']");
          var to = block.querySelector("[name='" + key + "']");
          if (from && to) {
            to.value = from.value;
          }
        });
        var badge = block.querySelector(".cimolt-badge");
        if (badge) {
          badge.remove();
        }
        block.classList.remove("cimolt-question--prefilled");
        var oldStatus = block.querySelector(".cimolt-question__status");
        var newStatus = fresh.querySelector(".cimolt-question__status");
        if (oldStatus && newStatus) {
          oldStatus.innerHTML = newStatus.innerHTML;
          announce(newStatus.textContent.trim());
        }
        block.dataset.state = fresh.dataset.state;
      })
      .catch(function () {
        announce(form.dataset.offlineMessage || "");
      });
  }

  function blockOf(el) {
    return el.closest ? el.closest(".cimolt-question[data-autosave-url]") : null;
  }

  form.addEventListener("change", function (event) {
    var block = blockOf(event.target);
    if (block && event.target.name && event.target.name.indexOf(block.dataset.prefix + "-") === 0) {
      clearTimeout(timers[block.id]);
      save(block);
    }
  });

  // Text is saved a moment after typing stops, so closing the tab loses nothing.
  form.addEventListener("input", function (event) {
    var block = blockOf(event.target);
    if (!block || event.target.tagName !== "TEXTAREA" && event.target.type !== "text") {
      return;
    }
    clearTimeout(timers[block.id]);
    timers[block.id] = setTimeout(function () {
      save(block);
    }, 1000);
  });

  form.addEventListener("click", function (event) {
    if (event.target.matches("[data-save-question]")) {
      event.preventDefault();
      save(blockOf(event.target));
    }
  });

  // Leaving the page with typing not yet saved: send it on the way out.
  window.addEventListener("pagehide", function () {
    Object.keys(timers).forEach(function (id) {
      clearTimeout(timers[id]);
      var block = document.getElementById(id);
      if (block) {
        save(block, true);
      }
    });
    timers = {};
  });
})();

// Saves each answer of a scan section as soon as it is given. Without this script the page
// still works: "Save answers" posts the whole section. One question block is posted at a time
// to its data-autosave-url; the server answers with the new version and status (JSON) when it
// was saved, and with the block as it should now look when there is something to show there.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {}; // text typed but not yet sent, per block id
  var queues = {}; // the save in flight, per block id: the next one waits for it

  function payload(block) {
    // A plain form body (URL-encoded), as a form without files sends it: the lightest for the
    // server to read.
    var prefix = block.dataset.prefix + "-";
    var data = new URLSearchParams();
    data.append("csrfmiddlewaretoken", csrf);
    Array.prototype.forEach.call(block.querySelectorAll("input, textarea, select"), function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0) {
        return; // the evidence and remark fields belong to forms of their own
      }
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

  function replace(block, fresh) {
    // Keep the focus where the user had it, also when it was inside the replaced block.
    var focused = block.contains(document.activeElement) ? document.activeElement.id : null;
    block.replaceWith(fresh);
    if (focused && document.getElementById(focused)) {
      document.getElementById(focused).focus();
    }
  }

  function notSaved(block) {
    // The answer stays in the field; the user is told at the question and out loud.
    var message = form.dataset.notSavedMessage || "";
    if (block) {
      block.dataset.state = "error";
      var status = block.querySelector(".cimolt-question__status");
      status.textContent = message;
      status.setAttribute("role", "alert");
    }
    announce(message);
  }

  function takeOver(block, fresh) {
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
    block.querySelector(".cimolt-question__status").innerHTML =
      fresh.querySelector(".cimolt-question__status").innerHTML;
    block.dataset.state = fresh.dataset.state;
  }

  function applySaved(block, state) {
    // Saved (the JSON answer): the next save is based on the new version and value; the
    // fields, and the focus, stay as they are.
    if (!state.saved) {
      return; // nothing had changed
    }
    var prefix = block.dataset.prefix + "-";
    block.querySelector("[name='" + prefix + "version']").value = state.version;
    block.querySelector("[name='" + prefix + "original']").value = state.original;
    var badge = block.querySelector(".cimolt-badge");
    if (badge) {
      badge.remove();
    }
    block.classList.remove("cimolt-question--prefilled");
    block.querySelector(".cimolt-question__status").textContent = state.status;
    block.dataset.state = "saved";
    announce(state.status);
  }

  function applyBlock(block, html) {
    // The question's block (a mistake or a colleague's change, or a mistake put right).
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".cimolt-question");
    if (!fresh) {
      throw new Error("not saved");
    }
    if (fresh.dataset.state === "error") {
      // The message at the question, with what was typed kept in the field.
      replace(block, fresh);
      var message = fresh.querySelector(".utrecht-form-field-error-message, [role=alert]");
      announce(message ? message.textContent.trim() : "");
    } else if (block.dataset.state === "error") {
      // A mistake put right: the block as saved, without the old message.
      replace(block, fresh);
      announce(fresh.querySelector(".cimolt-question__status").textContent.trim());
    } else {
      takeOver(block, fresh);
      announce(fresh.querySelector(".cimolt-question__status").textContent.trim());
    }
  }

  function send(id, keepalive) {
    var block = document.getElementById(id);
    if (!block || !block.dataset.autosaveUrl) {
      return Promise.resolve();
    }
    // A block that shows a mistake asks for the whole block back, to lose the message once
    // the mistake is put right; otherwise the short JSON answer will do.
    var wantsBlock = block.dataset.state === "error";
    return fetch(block.dataset.autosaveUrl, {
      method: "POST",
      body: payload(block),
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "X-Requested-With": "fetch",
        Accept: wantsBlock ? "text/html" : "application/json, text/html;q=0.9",
      },
    })
      .then(function (response) {
        // Logged out meanwhile (the login page), or refused (submitted, deadline): say so.
        if (response.redirected || (!response.ok && response.status !== 400)) {
          throw new Error("not saved");
        }
        var type = response.headers.get("Content-Type") || "";
        return (type.indexOf("application/json") === 0 ? response.json() : response.text()).then(
          function (body) {
            var current = document.getElementById(id);
            if (!current) {
              return;
            }
            if (typeof body === "string") {
              applyBlock(current, body);
            } else {
              applySaved(current, body);
            }
          }
        );
      })
      .catch(function () {
        notSaved(document.getElementById(id));
      });
  }

  function save(block, keepalive) {
    // One save per question at a time, each with the version the previous one returned: two
    // quick changes must not look like a colleague's change.
    var id = block.id;
    clearTimeout(timers[id]);
    delete timers[id];
    queues[id] = (queues[id] || Promise.resolve()).then(function () {
      return send(id, keepalive);
    });
    return queues[id];
  }

  function blockOf(el) {
    var block = el.closest ? el.closest(".cimolt-question[data-autosave-url]") : null;
    if (block && el.name && el.name.indexOf(block.dataset.prefix + "-") === 0) {
      return block;
    }
    return null;
  }

  form.addEventListener("change", function (event) {
    var block = blockOf(event.target);
    if (block) {
      save(block);
    }
  });

  // Text is saved a moment after typing stops, so closing the tab loses nothing.
  form.addEventListener("input", function (event) {
    var block = blockOf(event.target);
    if (!block || (event.target.tagName !== "TEXTAREA" && event.target.type !== "text")) {
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
      save(event.target.closest(".cimolt-question"));
    }
  });

  // Leaving the page with typing not yet sent: send it on the way out.
  window.addEventListener("pagehide", function () {
    Object.keys(timers).forEach(function (id) {
      var block = document.getElementById(id);
      if (block) {
        save(block, true);
      }
    });
  });
})();

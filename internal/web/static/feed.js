// Member pickers of the feed and the relay (no inline scripts: the CSP forbids them).
// A mention picker inserts @[name](member:id) into its textarea; a member
// picker fills its field with member:id. Both ask /feed/members?q=.
(function () {
  "use strict";
  function setup(box) {
    var kind = box.getAttribute("data-picker");
    var target = document.getElementById(box.getAttribute("data-target"));
    var input = kind === "mention" ? box.querySelector("input[type=search]") : target;
    var list = box.querySelector(".feed-picker-results");
    if (!target || !input || !list) return;
    var timer = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (kind === "member" && /^(member:)?\d+$/.test(q)) { list.textContent = ""; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        if (!q) { list.textContent = ""; return; }
        fetch(box.getAttribute("data-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) {
            if (mine !== seq) return;
            list.textContent = "";
            hits.forEach(function (h) {
              var li = document.createElement("li");
              var b = document.createElement("button");
              b.type = "button";
              b.className = "link-button";
              b.textContent = h.name;
              b.addEventListener("click", function () { choose(h); });
              li.appendChild(b);
              list.appendChild(li);
            });
          })
          .catch(function () {});
      }, 200);
    });
    function choose(h) {
      list.textContent = "";
      if (kind === "mention") {
        var text = "@[" + h.name.replace(/[\[\]]/g, "") + "](member:" + h.id + ") ";
        var at = target.selectionStart != null ? target.selectionStart : target.value.length;
        target.value = target.value.slice(0, at) + text + target.value.slice(at);
        input.value = "";
        target.focus();
        target.selectionStart = target.selectionEnd = at + text.length;
      } else {
        target.value = "member:" + h.id;
        var chosen = box.querySelector(".feed-picker-chosen");
        if (!chosen) {
          chosen = document.createElement("p");
          chosen.className = "feed-picker-chosen";
          chosen.setAttribute("aria-live", "polite");
          box.insertBefore(chosen, list);
        }
        chosen.textContent = h.name;
      }
    }
  }
  document.querySelectorAll("[data-picker]").forEach(setup);
})();

// Suggestions as you type in the search box: the API's own accent-insensitive search
// (GET /authorities?q=…), same origin; Enter or a click opens the authority, Escape closes the list,
// arrows move through it (ARIA combobox pattern). Without JavaScript the form still submits to /recherche.
(function () {
  "use strict";
  const input = document.getElementById("q");
  const list = document.getElementById("q-suggestions");
  if (!input || !list) return;
  const lang = input.dataset.lang || "fr";
  const kinds = JSON.parse(input.dataset.kinds || "{}");  // kind code -> its name in the page's language
  let timer = null, items = [], active = -1, seq = 0;

  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }

  function render(hits) {
    list.replaceChildren();
    items = hits;
    hits.forEach(function (h, i) {
      const li = document.createElement("li");
      li.id = "q-opt-" + i;
      li.setAttribute("role", "option");
      const name = (lang === "fr" && h.name_fr) ? h.name_fr : h.name;
      // Homonyms (Alger the city, Alger the province) differ by their kind and their region.
      li.textContent = [name, kinds[h.kind] || h.kind, h.country,
                        h.admin1_name && h.admin1_name !== h.name ? h.admin1_name : ""].filter(Boolean).join(" · ");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); go(i); });
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
  }

  function go(i) { if (items[i]) window.location.href = "/collectivites/" + encodeURIComponent(items[i].id); }

  function mark(i) {
    active = i;
    Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
    if (i >= 0) input.setAttribute("aria-activedescendant", "q-opt-" + i); else input.removeAttribute("aria-activedescendant");
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      const mine = ++seq;
      fetch("/authorities?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) { if (mine === seq) render(body.items || []); })
        .catch(close);
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, 0)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); go(active); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();

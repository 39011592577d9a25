/* The archive site works without this file. It only adds speed:
 *  - autocomplete under the search box (an ARIA combobox fed by /<lang>/suggest.json), the
 *    completion of what was typed in bold;
 *  - on the results page, filters, sort, chips and pages load without a full page reload:
 *    the page at the new address is fetched, its changing parts are swapped in, and the
 *    address is pushed to the history, so every state stays a plain, shareable GET URL.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var narrow = window.matchMedia ? window.matchMedia("(max-width: 60rem)") : null;

  /* ---------- autocomplete ---------- */

  function setupCombo(combo) {
    var input = combo.querySelector("input[type=search]");
    var url = combo.getAttribute("data-suggest-url");
    if (!input || !url || !window.fetch) return;
    var form = input.form;
    var listId = input.id + "-listbox";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", combo.getAttribute("data-label-suggestions") || "Suggestions");
    list.hidden = true;
    combo.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    combo.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var sequence = 0;
    var lastQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);  // a list opened again shows nothing chosen, as Enter then chooses nothing
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      close();
      if (item.kind === "title" && item.url) {
        window.location.assign(item.url);
        return;
      }
      input.value = item.text;
      if (form) {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    }

    /* A term shows what completes the words typed in bold, what was typed plain (each piece
     * is text, never markup); a title is shown as it is. */
    function fillText(element, item) {
      var parts = item.kind === "term" && item.parts && item.parts.length ? item.parts : [{ text: item.text, typed: true }];
      parts.forEach(function (part) {
        if (part.typed) {
          element.appendChild(document.createTextNode(part.text));
        } else {
          var bold = document.createElement("b");
          bold.textContent = part.text;
          element.appendChild(bold);
        }
      });
    }

    function render(data) {
      items = (data && data.suggestions) || [];
      list.textContent = "";
      active = -1;
      if (!items.length) {
        close();
        status.textContent = "";
        return;
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.className = "suggestion suggestion--" + item.kind;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "suggestion-text";
        fillText(text, item);
        if (item.lang) text.lang = item.lang;
        li.appendChild(text);
        if (item.kind === "title") {
          var kind = document.createElement("span");
          kind.className = "suggestion-kind";
          kind.textContent = combo.getAttribute("data-label-release") || "Release";
          li.appendChild(kind);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = countLabel(items.length);
    }

    // "1 suggestion" or "N suggestions", as the page's language's plural rules say.
    function countLabel(n) {
      var lang = document.documentElement.lang || "en";
      var one = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) === "one" : n === 1;
      var template = (one && combo.getAttribute("data-label-count-one")) || combo.getAttribute("data-label-count") || "{n}";
      return template.replace("{n}", window.Intl ? new Intl.NumberFormat(lang).format(n) : String(n));
    }

    function fetchSuggestions() {
      var query = input.value;
      if (query.trim().length < 2) {
        lastQuery = null;
        close();
        return;
      }
      if (query === lastQuery && items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        return;
      }
      lastQuery = query;
      var mine = ++sequence;
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (mine === sequence && document.activeElement === input) render(data);
        })
        .catch(function () { /* autocomplete is optional */ });
    }

    input.addEventListener("input", function () {
      // What is typed now is what Enter sends: a suggestion chosen before no longer stands.
      highlight(-1);
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 160);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length;
      if (event.key === "ArrowDown") {
        if (!open) { fetchSuggestions(); return; }
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        } else {
          close();
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 120); });
  }

  /* ---------- results without a full reload ---------- */

  function setupResults() {
    var region = document.getElementById("results-region");
    var form = document.getElementById("search-form");
    if (!region || !form || !window.fetch || !window.DOMParser || !window.history.pushState) return;
    var controller = null;
    var shown = withoutHash(window.location.href);  // the address whose results are on screen

    function withoutHash(url) { return String(url).split("#")[0]; }

    function filtersDetails() { return document.getElementById("filters"); }

    function fitFilters() {
      var details = filtersDetails();
      if (details && narrow) details.open = !narrow.matches;
    }

    function formUrl() {
      var data = new FormData(form);
      var params = new URLSearchParams();
      data.forEach(function (value, key) {
        if (key !== "page" && String(value).trim() !== "") params.append(key, value);
      });
      var query = params.toString();
      return form.action + (query ? "?" + query : "");
    }

    function swap(doc) {
      document.querySelectorAll("[data-swap][id]").forEach(function (element) {
        var fresh = doc.getElementById(element.id);
        if (fresh) element.replaceWith(document.importNode(fresh, true));
      });
      document.querySelectorAll("[data-live]").forEach(function (element) {
        var fresh = element.id && doc.getElementById(element.id);
        if (fresh) element.textContent = fresh.textContent.replace(/\s+/g, " ").trim();
      });
      document.querySelectorAll("[data-swap-href]").forEach(function (element) {
        var name = element.getAttribute("data-swap-href");
        var fresh = doc.querySelector('[data-swap-href="' + name + '"]');
        if (fresh) element.setAttribute("href", fresh.getAttribute("href"));
      });
      var input = document.getElementById("q");
      var freshInput = doc.getElementById("q");
      if (input && freshInput && document.activeElement !== input) input.value = freshInput.value;
      document.title = doc.title;
    }

    function navigate(url, options) {
      options = options || {};
      var current = document.getElementById("results-region");
      var focusedId = document.activeElement && document.activeElement.id;
      var details = filtersDetails();
      // (a page without results has no drawer: the new one is then as a fresh load has it)
      var filtersOpen = details ? details.open : null;
      var openMore = Array.prototype.map.call(
        document.querySelectorAll(".facet-more[open]"),
        function (d) { return d.parentElement && d.parentElement.id; });
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      if (current) current.classList.add("loading");
      fetch(url, { headers: { Accept: "text/html" }, signal: controller ? controller.signal : undefined })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          if (!doc.getElementById("results-region")) throw new Error("not a results page");
          swap(doc);
          shown = withoutHash(url);
          if (options.push !== false) window.history.pushState({ results: true }, "", url);
          var newDetails = filtersDetails();
          if (newDetails && filtersOpen !== null) newDetails.open = filtersOpen;
          else fitFilters();
          openMore.forEach(function (id) {
            var more = id && document.querySelector("#" + id + " .facet-more");
            if (more) more.open = true;
          });
          var target = focusedId && document.getElementById(focusedId);
          if (options.scroll || !target) {
            var results = document.getElementById("results");
            if (options.scroll) {
              var bar = document.querySelector(".results-bar");
              (bar || results).scrollIntoView({ block: "start" });
            }
            if (results && (options.scroll || !target)) results.focus({ preventScroll: !options.scroll });
          } else {
            target.focus({ preventScroll: true });
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          window.location.assign(url);
        });
    }

    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches('input[type=checkbox][form="search-form"]')) {
        navigate(formUrl());
      }
    });

    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var link = event.target.closest && event.target.closest("a[data-ajax]");
      if (!link || link.origin !== window.location.origin) return;
      event.preventDefault();
      navigate(link.href, { scroll: link.hasAttribute("data-scroll") });
    });

    window.history.replaceState({ results: true }, "", window.location.href);
    window.addEventListener("popstate", function (event) {
      // a skip link or other #fragment changes the history too: only a new address reloads results
      if (event.state && event.state.results && withoutHash(window.location.href) !== shown) {
        navigate(window.location.href, { push: false });
      }
    });

    fitFilters();
    if (narrow) {
      var onChange = function () { fitFilters(); };
      if (narrow.addEventListener) narrow.addEventListener("change", onChange);
      else if (narrow.addListener) narrow.addListener(onChange);
    }
  }

  function start() {
    document.querySelectorAll(".combo[data-suggest-url]").forEach(setupCombo);
    setupResults();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

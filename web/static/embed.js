/* The archive's embeddable search box (served at /embed.js).
 *
 *   <script src="https://ARCHIVE/embed.js" defer></script>
 *   <iom-search lang="es"></iom-search>          or   <div data-iom-search data-lang="es"></div>
 *
 * Options (attributes; data-* on a div): lang (en, es), results (show that many top results
 * in a panel under the box instead of opening the results page; 1-10, empty means 5),
 * target (_self, _top or _blank: where the archive's pages open), label (the box's accessible
 * name, to tell several boxes on one page apart).
 *
 * The box lives in a shadow root, styled by a constructed stylesheet (no <style> element and
 * no style attribute, so a host page's Content-Security-Policy needs only script-src and
 * connect-src for the archive's origin). It is an ARIA 1.2 combobox: arrows move through the
 * suggestions, Enter picks one or searches, Escape closes the list or clears the box, and a
 * live region announces the number of suggestions and results. Everything that comes from
 * the archive is inserted as text; the <mark> tags of highlighted titles and snippets are
 * turned into <mark> elements by a small tokenizer, never parsed as HTML.
 */
(function () {
  "use strict";

  var STRINGS = /*STRINGS*/{"en": {}, "es": {}}/*END*/;
  var CSS = /*CSS*/""/*END*/;

  var script = document.currentScript;
  if (!script) {
    var candidates = document.querySelectorAll('script[src*="/embed.js"]');
    script = candidates[candidates.length - 1];
  }
  if (!script || !script.src) return;
  // The archive's address: where this script is, less its name (a site served under a path,
  // PUBLIC_URL=https://example.org/archive, has its API and pages under that path too).
  var BASE = new URL(".", new URL(script.src, location.href)).href.replace(/\/$/, "");
  var sheet = null;

  function t(lang, key, n) {
    var text = (STRINGS[lang] || STRINGS.en)[key] || STRINGS.en[key] || key;
    return n === undefined ? text : text.replace("{n}", new Intl.NumberFormat(lang).format(n));
  }

  // A text with a number: its "_one" or "_other" form, as the language's plural rules say.
  function tn(lang, key, n) {
    var one = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) === "one" : n === 1;
    return t(lang, key + (one ? "_one" : "_other"), n);
  }

  // Each box is a search landmark: boxes on one page get distinct names ("…", "… (2)").
  var names = {};
  function uniqueName(name) {
    names[name] = (names[name] || 0) + 1;
    return names[name] === 1 ? name : name + " (" + names[name] + ")";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function decode(text) {
    return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, function (all, name) {
      if (name.charAt(0) === "#") {
        var code = name.charAt(1) === "x" || name.charAt(1) === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        try { return String.fromCodePoint(code); } catch (e) { return all; }
      }
      return {amp: "&", lt: "<", gt: ">", quot: '"', apos: "'"}[name];
    });
  }

  // Escaped HTML whose only tags are <mark> and </mark>: text nodes and <mark> elements.
  function appendMarked(parent, html) {
    var re = /<(\/?)mark>/g, stack = [parent], last = 0, match;
    function text(chunk) {
      if (chunk) stack[stack.length - 1].appendChild(document.createTextNode(decode(chunk)));
    }
    while ((match = re.exec(html))) {
      text(html.slice(last, match.index));
      if (match[1]) {
        if (stack.length > 1) stack.pop();
      } else {
        var mark = document.createElement("mark");
        stack[stack.length - 1].appendChild(mark);
        stack.push(mark);
      }
      last = re.lastIndex;
    }
    text(html.slice(last));
    return parent;
  }

  function adoptStyles(root) {
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sheet];
    } else {
      // Older browsers: the same rules from the archive (the host's style-src must allow it).
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = BASE + "/static/embed.css";
      root.appendChild(link);
    }
  }

  function option(host, name) {
    var value = host.getAttribute(name);
    return value === null ? host.getAttribute("data-" + name) : value;
  }

  function Widget(host) {
    if (host.shadowRoot || host.__iomSearch) return;
    host.__iomSearch = this;
    var lang = option(host, "lang");
    if (!lang) {
      var scope = host.closest("[lang]");
      lang = scope ? scope.getAttribute("lang") : "en";
    }
    this.lang = lang.toLowerCase().indexOf("es") === 0 ? "es" : "en";
    var results = option(host, "results");
    this.results = results === null ? 0 : Math.max(1, Math.min(10, parseInt(results, 10) || 5));
    var target = option(host, "target");
    this.target = target === "_top" || target === "_blank" ? target : "_self";
    this.label = uniqueName(option(host, "label") || t(this.lang, "label"));
    this.items = [];
    this.active = -1;
    this.cache = {};
    this.timer = 0;
    this.controller = null;
    this.build(host.attachShadow({mode: "open"}));
  }

  Widget.prototype.build = function (root) {
    var self = this, lang = this.lang;
    adoptStyles(root);
    var box = el("div", "box");
    box.setAttribute("lang", lang);
    var form = el("form", "form");
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", this.label);
    form.noValidate = true;
    var label = el("label", "vh", this.label);
    label.htmlFor = "q";
    var field = el("div", "field");
    var input = el("input");
    input.id = "q";
    input.type = "search";
    input.name = "q";
    input.autocomplete = "off";
    input.setAttribute("autocapitalize", "off");
    input.spellcheck = false;
    input.placeholder = t(lang, "placeholder");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "listbox");
    var list = el("ul", "listbox");
    list.id = "listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", t(lang, "suggestions"));
    list.hidden = true;
    var button = el("button", "button", t(lang, "search"));
    button.type = "submit";
    var status = el("div", "vh");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    var panel = el("div", "panel");
    panel.hidden = true;
    field.appendChild(input);
    field.appendChild(list);
    form.appendChild(label);
    form.appendChild(field);
    form.appendChild(button);
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(panel);
    root.appendChild(box);
    this.input = input;
    this.list = list;
    this.status = status;
    this.panel = panel;

    input.addEventListener("input", function () {
      self.deselect();  // what is typed now is what Enter sends
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.suggest(input.value); }, 120);
    });
    input.addEventListener("keydown", function (event) { self.key(event); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit(input.value);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) self.choose(Number(item.getAttribute("data-index")));
    });
    box.addEventListener("focusout", function (event) {
      if (!event.relatedTarget || !box.contains(event.relatedTarget)) self.close();
    });
  };

  Widget.prototype.announce = function (text) {
    var status = this.status;
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  };

  Widget.prototype.api = function (path, params) {
    var url = BASE + "/api/v1/" + path + "?" + new URLSearchParams(params).toString();
    if (this.cache[url]) return Promise.resolve(this.cache[url]);
    if (this.controller) this.controller.abort();
    var controller = this.controller = window.AbortController ? new AbortController() : null;
    var self = this;
    return fetch(url, {credentials: "omit", mode: "cors", signal: controller ? controller.signal : undefined})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        self.cache[url] = data;
        return data;
      });
  };

  Widget.prototype.suggest = function (text) {
    var self = this;
    if (!text.trim()) {
      this.show([]);
      return;
    }
    this.api("suggest", {q: text, ui: this.lang, limit: "8"}).then(function (data) {
      if (self.input.value === text) self.show(data.suggestions || []);
    }, function (error) {
      if (error && error.name === "AbortError") return;
      self.show([]);
    });
  };

  Widget.prototype.show = function (items) {
    var self = this, lang = this.lang;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    items.forEach(function (item, index) {
      var li = el("li", "option option--" + item.kind);
      li.id = "option-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-index", String(index));
      var text = el("span", "text");
      // A term: what completes the words typed in bold, what was typed plain (as the site's
      // box does; each piece is text). A title is shown as it is.
      var parts = item.kind === "term" && item.parts && item.parts.length ? item.parts : [{text: item.text, typed: true}];
      parts.forEach(function (part) {
        text.appendChild(part.typed ? document.createTextNode(part.text) : el("b", "completion", part.text));
      });
      if (item.lang && item.lang !== lang) text.setAttribute("lang", item.lang);
      li.appendChild(text);
      if (item.kind === "title") li.appendChild(el("span", "kind", t(lang, "release")));
      self.list.appendChild(li);
    });
    if (items.length) {
      this.open();
      this.announce(tn(lang, "count", items.length));
    } else {
      this.close();
    }
  };

  Widget.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Widget.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.deselect();
  };

  // Nothing chosen: a list opened again shows no option selected, as Enter then chooses none.
  Widget.prototype.deselect = function () {
    if (this.active >= 0 && this.list.children[this.active]) {
      this.list.children[this.active].setAttribute("aria-selected", "false");
    }
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
  };

  Widget.prototype.move = function (step) {
    var count = this.items.length;
    if (!count) return;
    if (this.list.hidden) this.open();
    var next = this.active + step;
    if (next < 0) next = count - 1;
    if (next >= count) next = 0;
    var options = this.list.children;
    if (this.active >= 0 && options[this.active]) options[this.active].setAttribute("aria-selected", "false");
    this.active = next;
    options[next].setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", options[next].id);
    if (options[next].scrollIntoView) options[next].scrollIntoView({block: "nearest"});
  };

  Widget.prototype.key = function (event) {
    var open = !this.list.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        this.move(1);
        break;
      case "ArrowUp":
        event.preventDefault();
        this.move(-1);
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.panel.hidden = true;
        }
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  Widget.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) return;
    this.close();
    if (item.kind === "title") {
      this.go(item.url);
      return;
    }
    this.input.value = item.text;
    if (this.results) this.submit(item.text);
    else this.go(item.url);
  };

  Widget.prototype.searchUrl = function (text) {
    var query = text.trim() ? "?" + new URLSearchParams({q: text.trim()}).toString() : "";
    return BASE + "/" + this.lang + "/search" + query;
  };

  Widget.prototype.go = function (url) {
    if (this.target === "_blank") {
      window.open(url, "_blank", "noopener");
    } else if (this.target === "_top" && window.top !== window) {
      window.top.location.href = url;
    } else {
      window.location.assign(url);
    }
  };

  Widget.prototype.submit = function (text) {
    clearTimeout(this.timer);
    this.close();
    if (!this.results) {
      this.go(this.searchUrl(text));
      return;
    }
    if (!text.trim()) return;
    var self = this, lang = this.lang;
    this.announce(t(lang, "searching"));
    this.api("search", {q: text.trim(), ui: lang, per_page: String(this.results)}).then(function (data) {
      self.render(data, text);
    }, function (error) {
      if (error && error.name === "AbortError") return;
      self.panel.textContent = "";
      self.panel.appendChild(el("p", "note", t(lang, "unavailable")));
      self.panel.hidden = false;
      self.announce(t(lang, "unavailable"));
    });
  };

  Widget.prototype.render = function (data, text) {
    var lang = this.lang, panel = this.panel, target = this.target;
    var heading = tn(lang, "results", data.total);
    panel.textContent = "";
    var title = el("p", "heading", heading);
    panel.appendChild(title);
    if (!data.hits.length) {
      panel.appendChild(el("p", "note", t(lang, "none")));
    } else {
      var list = el("ol", "hits");
      var dates = new Intl.DateTimeFormat(lang, {year: "numeric", month: "long", day: "numeric", timeZone: "UTC"});
      data.hits.forEach(function (hit) {
        var li = el("li", "hit");
        var link = el("a", "hit-title");
        link.href = hit.url;
        if (target !== "_self") link.target = target;
        if (target === "_blank") link.rel = "noopener";
        if (hit.lang !== lang) link.setAttribute("lang", hit.lang);
        appendMarked(link, hit.title_html);
        li.appendChild(link);
        var meta = el("p", "meta", dates.format(new Date(hit.date + "T00:00:00Z")));
        if (hit.lang !== lang && (hit.lang === "en" || hit.lang === "es")) {
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(el("span", "badge", t(lang, "in_" + hit.lang)));
        }
        li.appendChild(meta);
        if (hit.snippets && hit.snippets[0]) {
          var html = hit.snippets[0].trim(), snippet = el("p", "snippet");
          // a fragment of the text, marked as such (as on the results page)
          if (html.charAt(0) !== "\u2026") snippet.appendChild(document.createTextNode("\u2026 "));
          appendMarked(snippet, html);
          if (html.charAt(html.length - 1) !== "\u2026") snippet.appendChild(document.createTextNode(" \u2026"));
          if (hit.lang !== lang) snippet.setAttribute("lang", hit.lang);
          li.appendChild(snippet);
        }
        list.appendChild(li);
      });
      panel.appendChild(list);
    }
    var all = el("a", "all", t(lang, "all"));
    all.href = this.searchUrl(text);
    if (target !== "_self") all.target = target;
    panel.appendChild(all);
    panel.hidden = false;
    this.announce(heading);
  };

  if (window.customElements && !window.customElements.get("iom-search")) {
    window.customElements.define("iom-search", class extends HTMLElement {
      connectedCallback() { new Widget(this); }
    });
  }

  function upgradeDivs() {
    var hosts = document.querySelectorAll("[data-iom-search]");
    for (var i = 0; i < hosts.length; i++) new Widget(hosts[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgradeDivs);
  else upgradeDivs();
})();

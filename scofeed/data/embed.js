/*! scofeed embed.js: the latest entries of a scofeed JSON Feed, in any element of any page.
 *
 *   <div data-scofeed="https://example.org/sco/countries/russia/feed.json" data-limit="5">
 *     <a href="https://example.org/sco/countries/russia/">SCO (RTG): Russia</a>
 *   </div>
 *   <script src="https://example.org/sco/embed.js" defer></script>
 *
 * data-limit: how many entries (default 10, at most 100); data-title="off" leaves out the
 * feed's title. The element keeps what it holds (a plain link, say) until the feed has loaded,
 * and keeps it when the feed cannot load. The feed's host must send
 * `Access-Control-Allow-Origin: *` with feed.json.
 *
 * Feed data never becomes markup: every text is set with textContent, and only http(s) URLs
 * become links. The markup is the one of embed.html, so one stylesheet serves both:
 *   <div class="scofeed"><p class="scofeed-title"><a>…</a></p>
 *   <ul class="scofeed-entries"><li class="scofeed-entry"><a>…</a> <time>…</time></li></ul></div>
 * Elements added later: call window.scofeed.load().
 */
(function () {
  "use strict";

  var DEFAULT_LIMIT = 10;
  var MAX_LIMIT = 100;

  function httpUrl(value, base) {
    if (typeof value !== "string" || value === "") {
      return null;
    }
    try {
      var url = new URL(value, base);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  function link(href, label) {
    var node = document.createElement(href ? "a" : "span");
    if (href) {
      node.href = href;
    }
    node.textContent = label;
    return node;
  }

  function limitOf(element) {
    var limit = parseInt(element.getAttribute("data-limit"), 10);
    if (!(limit > 0)) {
      return DEFAULT_LIMIT;
    }
    return Math.min(limit, MAX_LIMIT);
  }

  function render(element, feed, source) {
    if (!feed || typeof feed !== "object" || !Array.isArray(feed.items)) {
      throw new Error("not a JSON Feed");
    }
    var box = document.createElement("div");
    box.className = "scofeed";
    if (element.getAttribute("data-title") !== "off") {
      var heading = document.createElement("p");
      heading.className = "scofeed-title";
      heading.appendChild(link(httpUrl(feed.home_page_url, source), text(feed.title)));
      box.appendChild(heading);
    }
    var list = document.createElement("ul");
    list.className = "scofeed-entries";
    feed.items.slice(0, limitOf(element)).forEach(function (item) {
      if (!item || typeof item !== "object") {
        return;
      }
      var entry = document.createElement("li");
      entry.className = "scofeed-entry";
      var title = text(item.title) || text(item.summary) || "(untitled)";
      entry.appendChild(link(httpUrl(item.url, source), title));
      var date = text(item.date_published);
      if (/^\d{4}-\d{2}-\d{2}/.test(date)) {
        var time = document.createElement("time");
        time.setAttribute("datetime", date);
        time.textContent = date.slice(0, 10);
        entry.appendChild(document.createTextNode(" "));
        entry.appendChild(time);
      }
      list.appendChild(entry);
    });
    box.appendChild(list);
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
    element.appendChild(box);
  }

  function load(element) {
    if (element.hasAttribute("data-scofeed-state")) {
      return; // loading or loaded already
    }
    var source = httpUrl(element.getAttribute("data-scofeed"), document.baseURI);
    if (!source) {
      element.setAttribute("data-scofeed-state", "error");
      return;
    }
    element.setAttribute("data-scofeed-state", "loading");
    element.setAttribute("aria-busy", "true");
    fetch(source, { mode: "cors", credentials: "omit" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP status " + response.status);
        }
        return response.json();
      })
      .then(function (feed) {
        render(element, feed, source);
        element.setAttribute("data-scofeed-state", "done");
      })
      .catch(function (error) {
        element.setAttribute("data-scofeed-state", "error");
        if (window.console) {
          window.console.warn("scofeed: " + source + ": " + error);
        }
      })
      .then(function () {
        element.removeAttribute("aria-busy");
      });
  }

  function loadAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scofeed]"), load);
  }

  window.scofeed = { load: loadAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", loadAll);
  } else {
    loadAll();
  }
})();

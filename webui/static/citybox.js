// City boxes that complete as you type (inputs marked data-citybox): an ARIA 1.2 combobox
// with a listbox of municipalities from /api/municipalities?q= (name, reading or code).
// A box may hold several cities separated by commas; completion applies to the last one.
// Keys: ↓/↑ move, Enter chooses, Escape closes. Without JavaScript the box is a plain input
// (with the page's <datalist>, when it has one).
(function () {
  "use strict";

  var SEPARATORS = /[,、，\s　]/;
  var count = 0;

  function lastPart(value) {
    var i = value.length;
    while (i > 0 && !SEPARATORS.test(value.charAt(i - 1))) { i -= 1; }
    return { head: value.slice(0, i), part: value.slice(i) };
  }

  function label(item, shared) {
    var prefixed = shared && item.prefecture !== item.municipality;
    return prefixed ? item.prefecture + item.municipality : item.municipality;
  }

  function Box(input) {
    count += 1;
    this.input = input;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.asked = "";
    this.list = document.createElement("ul");
    this.list.id = "citybox-list-" + count;
    this.list.className = "citybox-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "自治体の候補");
    this.list.hidden = true;
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    document.body.appendChild(this.list);
    document.body.appendChild(this.status);
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKey.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    // mousedown, not click: choosing must happen before the input loses focus.
    this.list.addEventListener("mousedown", this.onPick.bind(this));
  }

  Box.prototype.onInput = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.ask(lastPart(self.input.value).part.trim()); }, 120);
  };

  Box.prototype.ask = function (query) {
    var self = this;
    this.asked = query;
    if (!query) { this.close(); return; }
    fetch("/api/municipalities?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) {
        if (self.asked === query && document.activeElement === self.input) { self.show(data.items || []); }
      })
      .catch(function () { self.close(); });
  };

  Box.prototype.show = function (items) {
    var names = {};
    items.forEach(function (item) { names[item.municipality] = (names[item.municipality] || 0) + 1; });
    this.items = items.map(function (item) {
      return { item: item, value: label(item, names[item.municipality] > 1) };
    });
    this.list.textContent = "";
    var listId = this.list.id;
    var list = this.list;
    this.items.forEach(function (entry, i) {
      var li = document.createElement("li");
      li.id = listId + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-index", String(i));
      var name = document.createElement("span");
      name.className = "citybox-name";
      name.textContent = entry.value;
      li.appendChild(name);
      var where = document.createElement("span");
      where.className = "citybox-meta";
      var prefecture = entry.item.prefecture !== entry.item.municipality ? entry.item.prefecture + "・" : "";
      where.textContent = prefecture + (entry.item.kana || "") + "・" + entry.item.code;
      li.appendChild(where);
      if (!entry.item.indexed) {
        var none = document.createElement("span");
        none.className = "citybox-none";
        none.textContent = "報告書なし";
        li.appendChild(none);
        li.classList.add("is-unindexed");
      }
      list.appendChild(li);
    });
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    if (!items.length) {
      this.close();
      this.status.textContent = "候補はありません";
      return;
    }
    this.place();
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.status.textContent = items.length + "件の候補があります（上下キーで選び、Enterで決定）";
  };

  Box.prototype.place = function () {
    var box = this.input.getBoundingClientRect();
    this.list.style.left = (box.left + window.scrollX) + "px";
    this.list.style.top = (box.bottom + window.scrollY + 2) + "px";
    this.list.style.minWidth = box.width + "px";
  };

  Box.prototype.move = function (step) {
    if (!this.items.length) { return; }
    if (this.list.hidden) { this.place(); this.list.hidden = false; this.input.setAttribute("aria-expanded", "true"); }
    var n = this.items.length;
    this.active = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n;
    var options = this.list.children;
    for (var i = 0; i < options.length; i += 1) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
      options[i].classList.toggle("is-active", i === this.active);
    }
    this.input.setAttribute("aria-activedescendant", options[this.active].id);
    options[this.active].scrollIntoView({ block: "nearest" });
  };

  Box.prototype.choose = function (index) {
    var entry = this.items[index];
    if (!entry) { return; }
    this.input.value = lastPart(this.input.value).head + entry.value;
    this.asked = "";
    this.close();
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Box.prototype.close = function () {
    window.clearTimeout(this.timer);
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Box.prototype.onKey = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open && this.active >= 0) {
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Box.prototype.onPick = function (event) {
    var option = event.target.closest("[role=option]");
    if (option) {
      event.preventDefault();
      this.choose(Number(option.getAttribute("data-index")));
    }
  };

  function start() {
    document.querySelectorAll("input[data-citybox]").forEach(function (input) { return new Box(input); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

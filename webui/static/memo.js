/* DXKB 質問準備メモ: pin passages, Q&A pairs and comparison cells; list and export them.
 *
 * The memo lives in this browser only (localStorage key "dxkb-memo": a JSON list, newest
 * last); nothing is sent to the server.  Buttons are `.memo-add` elements whose
 * `data-memo` attribute holds one item as a JSON object (templates: the `memo_button`
 * macro of _macros.html).  Item keys, all strings unless said otherwise:
 *
 *   kind          "passage" | "qa" | "cell"
 *   municipality  visited city ("" for a report-level passage), prefecture
 *   council       the council that wrote the report; body: its committee (optional)
 *   title         report title; date: visit date (ISO, 2024-07-11)
 *   file          report file name; passage: passage id (v1-p4)
 *   url           path of the passage, /reports/FILE#v1-p4 (made absolute on export)
 *   heading       heading above the passage; text: the passage (passage, cell)
 *   question, answer   the Q&A pair (qa)
 *   practice      practice name (cells; passages of a practice page may carry it too)
 *   sources       cells only: a list of {council, title, date, file, passage, url}
 *   added         set here: when it was pinned (ISO timestamp)
 *
 * An item's identity (to pin it once) is kind + file + passage, plus municipality and
 * practice for cells, which may have no file of their own.  "passage" and "qa" count as
 * one kind there: a search hit in a Q&A section and the report's Q&A pair are the same
 * passage, pinned once.
 */
(function () {
  "use strict";

  var KEY = "dxkb-memo";
  var KINDS = { passage: "段落", qa: "質疑応答", cell: "比較表" };
  var FIELDS = ["kind", "municipality", "prefecture", "council", "body", "title", "date", "file",
    "passage", "url", "heading", "text", "question", "answer", "practice", "added"];
  var SOURCE_FIELDS = ["council", "body", "title", "date", "file", "passage", "url"];
  var MESSAGES = {
    unavailable: "このブラウザではメモを保存できません（プライベートブラウズや保存領域の制限が考えられます）。",
    corrupt: "保存されているメモを読み取れませんでした。「すべて削除」で初期化すると、新しくメモできます。",
    quota: "ブラウザの保存領域がいっぱいのため、メモに追加できませんでした。不要なメモを削除してください。"
  };

  // ---------------------------------------------------------------- storage

  function storage() {
    try {
      var store = window.localStorage;
      var probe = KEY + "-probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (err) {
      return null; // blocked cookies, private mode, file:// …
    }
  }

  function text(value) {
    return typeof value === "string" ? value : (typeof value === "number" ? String(value) : "");
  }

  function pick(raw, names) {
    var out = {};
    names.forEach(function (name) {
      if (raw[name] !== undefined && raw[name] !== null) { out[name] = text(raw[name]); }
    });
    return out;
  }

  /** A clean copy of an item, or null when it is not one. */
  function clean(raw) {
    if (!raw || typeof raw !== "object" || !KINDS.hasOwnProperty(raw.kind)) { return null; }
    var item = pick(raw, FIELDS);
    if (Array.isArray(raw.sources)) {
      item.sources = raw.sources.filter(function (s) { return s && typeof s === "object"; })
        .map(function (s) { return pick(s, SOURCE_FIELDS); });
    }
    return item;
  }

  function itemId(item) {
    var parts = [item.kind === "cell" ? "cell" : "passage", item.file || "", item.passage || ""];
    if (item.kind === "cell") { parts.push(item.municipality || "", item.practice || ""); }
    return parts.join("\u001f");
  }

  /** {items, error}: error is "unavailable", "corrupt" or "". */
  function load() {
    var store = storage();
    if (!store) { return { items: [], error: "unavailable" }; }
    var raw = store.getItem(KEY);
    if (raw === null || raw === "") { return { items: [], error: "" }; }
    try {
      var list = JSON.parse(raw);
      if (!Array.isArray(list)) { throw new TypeError("not a list"); }
      return { items: list.map(clean).filter(Boolean), error: "" };
    } catch (err) {
      return { items: [], error: "corrupt" };
    }
  }

  /** Store ``items``; returns "" or the key of an error message. */
  function save(items) {
    var store = storage();
    if (!store) { return "unavailable"; }
    try {
      if (items.length) { store.setItem(KEY, JSON.stringify(items)); } else { store.removeItem(KEY); }
      return "";
    } catch (err) {
      return "quota";
    }
  }

  // ---------------------------------------------------------------- buttons and nav

  function buttonItem(button) {
    try {
      return clean(JSON.parse(button.getAttribute("data-memo") || ""));
    } catch (err) {
      return null;
    }
  }

  function setPressed(button, pinned) {
    button.setAttribute("aria-pressed", pinned ? "true" : "false");
    button.textContent = pinned ? "メモ済み" : "メモに追加";
    button.title = pinned ? "もう一度押すとメモから外します" : "質問準備メモに追加します（このブラウザ内だけに保存）";
    button.classList.toggle("is-pinned", pinned);
  }

  function refreshButtons(items) {
    var ids = {};
    items.forEach(function (item) { ids[itemId(item)] = true; });
    document.querySelectorAll(".memo-add").forEach(function (button) {
      var item = buttonItem(button);
      button.disabled = !item;
      setPressed(button, Boolean(item && ids[itemId(item)]));
    });
  }

  function refreshNav(count) {
    document.querySelectorAll(".memo-count").forEach(function (el) {
      el.textContent = count ? "(" + count + ")" : "";
    });
  }

  function toast(message) {
    var box = document.getElementById("memo-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "memo-toast";
      box.className = "memo-toast";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function toggle(button) {
    var item = buttonItem(button);
    if (!item) { return; }
    var state = load();
    if (state.error === "unavailable") { toast(MESSAGES.unavailable); return; }
    var id = itemId(item);
    var kept = state.items.filter(function (other) { return itemId(other) !== id; });
    if (kept.length === state.items.length) {
      item.added = new Date().toISOString();
      kept.push(item);
    }
    var error = save(kept);
    if (error) { toast(MESSAGES[error]); return; }
    refresh();
  }

  // ---------------------------------------------------------------- citations and formats

  function jaDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    return m ? m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日" : (value || "");
  }

  function place(item) {
    var city = item.municipality || "";
    var pref = item.prefecture && item.prefecture !== city ? item.prefecture : "";
    return city && pref ? city + "（" + pref + "）" : (city || pref);
  }

  function absolute(url) {
    return safePath(url) ? window.location.origin + url : "";
  }

  function safePath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/";
  }

  /** The reports an item cites: its sources (cells) or the item itself. */
  function citations(item) {
    if (item.sources && item.sources.length) {
      return item.sources.map(function (s) {
        return Object.assign({ municipality: item.municipality, prefecture: item.prefecture }, s);
      });
    }
    return [item];
  }

  function councilName(c) {
    return [c.council, c.body].filter(Boolean).join(" ");
  }

  /** 議会名「報告書名」、視察日 2024年7月11日、横浜市（神奈川県） */
  function citationText(c) {
    var parts = [];
    var who = councilName(c);
    var title = c.title ? "「" + c.title + "」" : "";
    if (who || title) { parts.push(who + title); }
    if (c.date) { parts.push("視察日 " + jaDate(c.date)); }
    if (place(c)) { parts.push(place(c)); }
    return parts.join("、");
  }

  function heading(item) {
    if (item.kind === "cell") { return item.practice || KINDS.cell; }
    return item.heading || KINDS[item.kind];
  }

  function groups(items) {
    var order = [];
    var byCity = {};
    items.forEach(function (item) {
      var key = item.municipality || "";
      if (!byCity[key]) { byCity[key] = []; order.push(key); }
      byCity[key].push(item);
    });
    return order.map(function (key) { return { city: key, items: byCity[key] }; });
  }

  function groupTitle(group) {
    return group.city ? place(group.items[0]) : "報告書全体（視察先の指定なし）";
  }

  function mdEscape(value) {
    return (value || "").replace(/([\\`*_[\]<>|])/g, "\\$1");
  }

  function mdQuote(value) {
    return mdEscape(value).split(/\r?\n/).map(function (line) { return "> " + line; }).join("\n");
  }

  function itemMarkdown(item, number) {
    var out = ["### " + number + ". " + mdEscape(heading(item)), ""];
    if (item.kind === "qa") {
      out.push("**問** " + mdEscape(item.question), "", "**答** " + mdEscape(item.answer), "");
    } else if (item.text) {
      out.push(mdQuote(item.text), "");
    }
    citations(item).forEach(function (c) {
      var link = absolute(c.url);
      out.push("- 出典: " + mdEscape(citationText(c)) + (link ? " <" + link + ">" : ""));
    });
    out.push("");
    return out.join("\n");
  }

  function toMarkdown(items) {
    var out = ["# 質問準備メモ", "",
      "DXKB 自治体DX視察ナレッジベースより（" + jaDate(today()) + "作成、" + items.length + "件）", ""];
    groups(items).forEach(function (group) {
      out.push("## " + mdEscape(groupTitle(group)), "");
      group.items.forEach(function (item, i) { out.push(itemMarkdown(item, i + 1)); });
    });
    return out.join("\n");
  }

  var CSV_HEAD = ["自治体", "都道府県", "種類", "取組", "見出し", "本文", "質問", "回答", "議会", "報告書", "視察日", "リンク"];

  function csvField(value) {
    var v = (value || "").replace(/\r\n?/g, "\n");
    // A leading = + - @ would start a formula in spreadsheet software.
    if (/^[=+\-@\t]/.test(v)) { v = "'" + v; }
    return '"' + v.replace(/"/g, '""') + '"';
  }

  function joined(list, name, format) {
    return list.map(function (c) { return (format || String)(c[name] || ""); })
      .filter(Boolean).join(" / ");
  }

  function csvRow(item) {
    var cites = citations(item);
    return [item.municipality, item.prefecture, KINDS[item.kind], item.practice,
      item.kind === "cell" ? "" : item.heading, item.text, item.question, item.answer,
      cites.map(councilName).filter(Boolean).join(" / "), joined(cites, "title"),
      joined(cites, "date", jaDate), cites.map(function (c) { return absolute(c.url); }).filter(Boolean).join(" ")];
  }

  function toCsv(items) {
    var rows = [CSV_HEAD].concat(items.map(csvRow));
    return "\uFEFF" + rows.map(function (row) { return row.map(csvField).join(","); }).join("\r\n") + "\r\n";
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function download(name, content, type) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  // ---------------------------------------------------------------- the memo page

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }
    return node;
  }

  function citationNode(c) {
    var line = el("p", "memo-cite");
    line.appendChild(el("span", "hit-report-label", "出典"));
    line.appendChild(el("span", "memo-cite-text", citationText(c)));
    if (safePath(c.url)) {
      var link = el("a", "memo-cite-link", "報告書のこの箇所を開く");
      link.href = c.url;
      line.appendChild(link);
    }
    return line;
  }

  function qaNode(item) {
    var dl = el("dl", "qa");
    [["dt", "qa-q", "問", item.question], ["dd", "qa-a", "答", item.answer]].forEach(function (row) {
      var line = el(row[0]);
      line.appendChild(el("span", "qa-mark " + row[1], row[2]));
      line.appendChild(el("span", "qa-text", row[3]));
      dl.appendChild(line);
    });
    return dl;
  }

  function itemNode(item) {
    var box = el("article", "memo-item");
    var head = el("div", "memo-item-head");
    head.appendChild(el("span", "badge memo-kind memo-kind-" + item.kind, KINDS[item.kind]));
    head.appendChild(el("h3", "memo-item-title", heading(item)));
    var remove = el("button", "memo-remove", "削除");
    remove.type = "button";
    remove.setAttribute("data-memo-id", itemId(item));
    remove.setAttribute("aria-label", "「" + heading(item) + "」をメモから削除");
    head.appendChild(remove);
    box.appendChild(head);
    if (item.kind === "qa") { box.appendChild(qaNode(item)); }
    if (item.kind !== "qa" && item.text) { box.appendChild(el("p", "memo-text", item.text)); }
    citations(item).forEach(function (c) { box.appendChild(citationNode(c)); });
    return box;
  }

  function groupNode(group) {
    var section = el("section", "memo-city");
    var h2 = el("h2", "memo-city-title", groupTitle(group));
    h2.appendChild(el("span", "memo-city-count", group.items.length + "件"));
    section.appendChild(h2);
    group.items.forEach(function (item) { section.appendChild(itemNode(item)); });
    return section;
  }

  function status(message) {
    var box = document.getElementById("memo-status");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function renderPage(state) {
    var app = document.getElementById("memo-app");
    if (!app) { return; }
    app.hidden = false;
    var list = document.getElementById("memo-list");
    list.replaceChildren.apply(list, groups(state.items).map(groupNode));
    var count = state.items.length;
    document.getElementById("memo-empty").hidden = count > 0 || Boolean(state.error);
    document.getElementById("memo-total").textContent = count ? groups(state.items).length + "自治体・" + count + "件" : "";
    app.querySelectorAll(".memo-export").forEach(function (b) { b.disabled = !count; });
    app.querySelector(".memo-clear").disabled = !count && state.error !== "corrupt";
    status(MESSAGES[state.error] || "");
  }

  function removeItem(id) {
    var state = load();
    var error = save(state.items.filter(function (item) { return itemId(item) !== id; }));
    if (error) { status(MESSAGES[error]); return; }
    refresh();
    document.getElementById("memo-total").focus();
  }

  function clearAll() {
    var state = load();
    var question = state.items.length ? "メモ（" + state.items.length + "件）をすべて削除します。よろしいですか？"
      : "読み取れないメモのデータを削除して初期化します。よろしいですか？";
    if (!window.confirm(question)) { return; }
    var error = save([]);
    if (error) { status(MESSAGES[error]); return; }
    refresh();
  }

  function exportAs(format) {
    var items = load().items;
    if (!items.length) { return; }
    var stamp = today().replace(/-/g, "");
    if (format === "csv") {
      download("dxkb-memo-" + stamp + ".csv", toCsv(items), "text/csv;charset=utf-8");
    } else {
      download("dxkb-memo-" + stamp + ".md", toMarkdown(items), "text/markdown;charset=utf-8");
    }
  }

  // ---------------------------------------------------------------- wiring

  function refresh() {
    var state = load();
    refreshButtons(state.items);
    refreshNav(state.items.length);
    renderPage(state);
  }

  function onClick(event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var add = target.closest(".memo-add");
    if (add) { toggle(add); return; }
    var remove = target.closest(".memo-remove");
    if (remove) { removeItem(remove.getAttribute("data-memo-id")); return; }
    var exporter = target.closest(".memo-export");
    if (exporter) { exportAs(exporter.getAttribute("data-format")); return; }
    if (target.closest(".memo-clear")) { clearAll(); }
  }

  function start() {
    document.documentElement.classList.add("memo-on");
    document.addEventListener("click", onClick);
    // Another tab changed the memo: show the same state here.
    window.addEventListener("storage", function (event) { if (event.key === KEY || event.key === null) { refresh(); } });
    var total = document.getElementById("memo-total");
    if (total) { total.tabIndex = -1; }
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

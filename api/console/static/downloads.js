/* papi-engine console: download controls for every chart and table, on every page.
   After every svg.chart and svg.map it puts "SVG" and "PNG" buttons, after every table[id]
   a "CSV" button (real buttons: keyboard and screen readers reach them, each labelled with
   what it downloads).
   - SVG: a copy of the chart with the computed styles of each element written on it (the
     page's stylesheet does not travel with a file), its size and an XML declaration.
   - PNG: that SVG drawn on a canvas at twice its size, white background.
   - CSV: the table's cells as shown, RFC 4180 quoting, UTF-8 with a byte-order mark so that
     Excel shows Vietnamese; the server's CSV files follow the same rule
     (api/console/downloads.py).
   Labels come from the script element's data-group and data-label attributes (i18n). */
(function () {
  "use strict";
  var SCRIPT = document.currentScript;
  var GROUP = (SCRIPT && SCRIPT.getAttribute("data-group")) || "Download";
  var LABEL = (SCRIPT && SCRIPT.getAttribute("data-label")) || "Download {name} as {format}";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray",
    "stroke-linecap", "stroke-opacity", "opacity", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "visibility", "display"];

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    window.setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  function titleOf(el, fallback) {
    var t = el.tagName.toLowerCase() === "table"
      ? (el.querySelector("caption") || findHeading(el))
      : el.querySelector("title");
    var text = t ? t.textContent.replace(/\s+/g, " ").trim() : "";
    return text || fallback;
  }

  function findHeading(el) {
    var node = el;
    while (node && node !== document.body) {
      var h = node.querySelector && node.querySelector("h1, h2, h3");
      if (h) { return h; }
      node = node.parentElement;
    }
    return null;
  }

  function size(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    var rect = svg.getBoundingClientRect();
    var w = Math.round(rect.width), h = Math.round(rect.height);
    if (!w || !h) {  // not shown (a closed <details>): its viewBox size
      w = Math.round(box && box.width ? box.width : 600);
      h = Math.round(box && box.height ? box.height : 400);
    }
    return { width: w, height: h };
  }

  function serialise(svg) {
    var copy = svg.cloneNode(true);
    var from = [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("*")));
    var to = [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("*")));
    from.forEach(function (el, i) {
      var style = window.getComputedStyle(el);
      var parts = [];
      PROPS.forEach(function (p) {
        var v = style.getPropertyValue(p);
        if (v) { parts.push(p + ":" + v); }
      });
      to[i].setAttribute("style", parts.join(";"));
    });
    var s = size(svg);
    copy.setAttribute("xmlns", SVG_NS);
    copy.setAttribute("width", String(s.width));
    copy.setAttribute("height", String(s.height));
    copy.removeAttribute("class");
    // links and the page's inline <style> (blocked by the page's policy anyway) stay out
    Array.prototype.forEach.call(copy.querySelectorAll("style"), function (n) { n.remove(); });
    var text = new XMLSerializer().serializeToString(copy);
    return { text: '<?xml version="1.0" encoding="utf-8"?>\n' + text, width: s.width, height: s.height };
  }

  function svgFile(svg, name) {
    save(new Blob([serialise(svg).text], { type: "image/svg+xml;charset=utf-8" }), name + ".svg");
  }

  function pngFile(svg, name) {
    var out = serialise(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = out.width * 2;
      canvas.height = out.height * 2;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { if (blob) { save(blob, name + ".png"); } }, "image/png");
    };
    var bytes = new TextEncoder().encode(out.text);
    var binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    image.src = "data:image/svg+xml;base64," + btoa(binary);
  }

  function cell(text) {
    var v = text.replace(/\s+/g, " ").trim();
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  function csvFile(table, name) {
    var lines = Array.prototype.map.call(table.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (c) { return cell(c.textContent); }).join(",");
    });
    save(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }),
      name + ".csv");
  }

  function controls(el, name, formats) {
    var title = titleOf(el, name);
    var box = document.createElement("div");
    box.className = "dl";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", GROUP + ": " + title);
    var label = document.createElement("span");
    label.textContent = GROUP + ":";
    label.setAttribute("aria-hidden", "true");
    box.appendChild(label);
    formats.forEach(function (f) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = f.label;
      b.className = "dl-" + f.label.toLowerCase();
      b.setAttribute("data-for", name);
      b.setAttribute("aria-label", LABEL.replace("{name}", title).replace("{format}", f.label));
      b.addEventListener("click", function () { f.make(el, name); });
      box.appendChild(b);
    });
    return box;
  }

  function attach() {
    var n = 0;
    Array.prototype.forEach.call(document.querySelectorAll("main svg.chart, main svg.map"), function (svg) {
      n += 1;
      if (svg.hasAttribute("data-dl")) { return; }
      svg.setAttribute("data-dl", "1");
      var name = svg.id || "chart-" + n;
      var anchor = svg;
      // keep a chart's own legend (a list right after it) with the chart
      if (anchor.nextElementSibling && anchor.nextElementSibling.classList.contains("legend")) {
        anchor = anchor.nextElementSibling;
      }
      // a chart or table folded in a <details> gets its controls after it, always visible
      anchor = svg.closest("details") || anchor;
      anchor.insertAdjacentElement("afterend", controls(svg, name, [
        { label: "SVG", make: svgFile }, { label: "PNG", make: pngFile }]));
    });
    Array.prototype.forEach.call(document.querySelectorAll("main table[id]"), function (table) {
      if (table.hasAttribute("data-dl")) { return; }
      table.setAttribute("data-dl", "1");
      var anchor = table.parentElement && table.parentElement.classList.contains("scroll")
        ? table.parentElement : table;
      anchor = table.closest("details") || anchor;
      anchor.insertAdjacentElement("afterend", controls(table, table.id, [
        { label: "CSV", make: csvFile }]));
    });
  }

  // attach() is idempotent: console.js calls it again after replacing a polled fragment
  document.addEventListener("DOMContentLoaded", attach);
  window.papiDownloads = { serialise: serialise, attach: attach };
})();

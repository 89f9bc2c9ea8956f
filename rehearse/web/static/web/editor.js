// rehearse: a code editor's keys for <textarea data-editor> (the kata page). Without this
// file the textarea is a plain one and Tab moves the focus, as everywhere else.
//
// - Tab inserts 4 spaces, or indents every line of a multi-line selection;
// - Shift+Tab removes up to 4 leading spaces from the current line or selected lines;
// - Enter keeps the current line's indentation, plus 4 after a line ending with ":";
// - Escape, then Tab: the Tab is not captured, so keyboard users can leave the editor
//   (the help text under the editor says so).
"use strict";

(() => {
  const INDENT = "    ";

  // Replace the text between start and end, keeping the browser's undo history where
  // it can (execCommand), and select [selectStart, selectEnd] afterwards.
  function replace(area, start, end, text, selectStart, selectEnd) {
    area.focus();
    area.setSelectionRange(start, end);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    area.setSelectionRange(selectStart, selectEnd);
  }

  // The start of the line holding position, and the end of the line holding position end.
  function lineBounds(value, start, end) {
    const first = value.lastIndexOf("\n", start - 1) + 1;
    // A selection ending right after a line break does not take in the next line.
    const last = end > start && value[end - 1] === "\n" ? end - 1 : end;
    let stop = value.indexOf("\n", last);
    if (stop === -1) {
      stop = value.length;
    }
    return [first, stop];
  }

  function indent(area) {
    const { value, selectionStart: start, selectionEnd: end } = area;
    if (!value.slice(start, end).includes("\n")) {
      replace(area, start, end, INDENT, start + INDENT.length, start + INDENT.length);
      return;
    }
    const [first, stop] = lineBounds(value, start, end);
    const lines = value.slice(first, stop).split("\n");
    const text = lines.map((line) => INDENT + line).join("\n");
    replace(area, first, stop, text, start + INDENT.length, end + INDENT.length * lines.length);
  }

  function dedent(area) {
    const { value, selectionStart: start, selectionEnd: end } = area;
    const [first, stop] = lineBounds(value, start, end);
    const lines = value.slice(first, stop).split("\n");
    const removed = lines.map((line) => line.match(/^ {0,4}/)[0].length);
    const total = removed.reduce((sum, count) => sum + count, 0);
    if (total === 0) {
      return;
    }
    const text = lines.map((line, index) => line.slice(removed[index])).join("\n");
    const newStart = Math.max(first, start - removed[0]);
    replace(area, first, stop, text, newStart, Math.max(newStart, end - total));
  }

  function newline(area) {
    const { value, selectionStart: start, selectionEnd: end } = area;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    const before = value.slice(lineStart, start);
    let indentation = before.match(/^[ \t]*/)[0];
    if (before.trimEnd().endsWith(":")) {
      indentation += INDENT;
    }
    const text = "\n" + indentation;
    replace(area, start, end, text, start + text.length, start + text.length);
  }

  function attach(area) {
    // Set by Escape: the next Tab is left to the browser, to move the focus on.
    let released = false;
    area.addEventListener("blur", () => { released = false; });
    area.addEventListener("keydown", (event) => {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === "Escape") {
        released = true;
        return;
      }
      if (event.key === "Shift") {
        return;
      }
      if (event.key === "Tab") {
        if (released) {
          released = false;
          return;
        }
        event.preventDefault();
        if (event.shiftKey) {
          dedent(area);
        } else {
          indent(area);
        }
        return;
      }
      released = false;
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        newline(area);
      }
    });
  }

  document.querySelectorAll("textarea[data-editor]").forEach(attach);
})();

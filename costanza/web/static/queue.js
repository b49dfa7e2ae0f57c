// The queue page: drag a post onto another to put it in that place. Only an extra: the
// "Move up" and "Move down" buttons do the same without JavaScript. The move is an
// ordinary form POST (with the page's CSRF token), so the server checks it as any other.
(function () {
  "use strict";
  var list = document.querySelector("ol.queue[data-drag]");
  var form = document.getElementById("drag-form");
  if (!list || !form) { return; }
  var dragged = null;
  list.querySelectorAll("li.queued:not(.pinned)").forEach(function (item) {
    item.draggable = true;
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.post);
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("dragging");
    });
    item.addEventListener("dragover", function (event) {
      if (dragged && dragged !== item) { event.preventDefault(); }
    });
    item.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged || dragged === item) { return; }
      form.action = "/queue/" + dragged.dataset.post + "/to";
      form.elements.target.value = item.dataset.post;
      form.submit();
    });
  });
}());

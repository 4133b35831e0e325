// Client-side search over every name of every page, in every language. Reads the index embedded in the
// page (no request), matches without regard to case or accents, and builds the results with textContent.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('search-index').textContent);
  var input = document.getElementById('q');
  var list = document.getElementById('results');
  var status = document.getElementById('search-status');
  var LIMIT = 100;

  function norm(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
  }

  var names = data.names.map(function (n) { return { key: norm(n[0]), text: n[0], lang: n[1], page: n[2] }; });

  // Best match per page: 0 exact, 1 starts with the query, 2 a word starts with it, 3 contains it.
  function search(query) {
    var q = norm(query);
    if (!q) { return []; }
    var best = {};
    names.forEach(function (n) {
      var at = n.key.indexOf(q);
      if (at < 0) { return; }
      var score = n.key === q ? 0 : at === 0 ? 1 : /[\s\-–(/'"’]/.test(n.key.charAt(at - 1)) ? 2 : 3;
      var old = best[n.page];
      if (!old || score < old.score) { best[n.page] = { score: score, name: n }; }
    });
    return Object.keys(best).map(function (i) {
      var page = data.pages[i];
      return { path: page[0], title: page[1], kind: page[2], rank: page[3], score: best[i].score, name: best[i].name };
    }).sort(function (a, b) {
      // Better matches first; among equals, actors and initiatives before claims and sources.
      return a.score - b.score || a.rank - b.rank || a.title.toLowerCase().localeCompare(b.title.toLowerCase()) ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    });
  }

  function show() {
    var hits = search(input.value);
    list.textContent = '';
    hits.slice(0, LIMIT).forEach(function (hit) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = hit.path;
      a.textContent = hit.title;
      li.appendChild(a);
      var kind = document.createElement('span');
      kind.className = 'alias';
      var also = hit.name.text !== hit.title ? ' · matched “' + hit.name.text + '”' + (hit.name.lang ? ' (' + hit.name.lang + ')' : '') : '';
      kind.textContent = ' ' + hit.kind + also;
      li.appendChild(kind);
      list.appendChild(li);
    });
    if (!input.value.trim()) {
      status.textContent = '';
    } else if (!hits.length) {
      status.textContent = 'No name matches “' + input.value.trim() + '”.';
    } else {
      status.textContent = hits.length + (hits.length === 1 ? ' page matches' : ' pages match') +
        (hits.length > LIMIT ? '; the first ' + LIMIT + ' are shown.' : '.');
    }
  }

  input.addEventListener('input', show);
  if (location.hash.indexOf('#q=') === 0) {
    input.value = decodeURIComponent(location.hash.slice(3));
    show();
  }
  window.wbsecSearch = { ready: true, search: search, count: data.pages.length };
}());

// The small network on an entity page: the entity and its neighbours in the explorer's "actors" view,
// drawn with the explorer's engine (vis-network) at fixed positions. Click a node to open its page.
// Labels reach the canvas and the tooltips as plain text; nothing is fetched.
(function () {
  'use strict';
  var holder = document.getElementById('ego');
  var source = document.getElementById('ego-data');
  if (!holder || !source || !window.vis) { return; }
  var data = JSON.parse(source.textContent);
  var root = holder.getAttribute('data-root') || '';
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, title: n.label + '\n' + n.kind + (n.page ? '' : ' (no page)'),
      x: n.x, y: n.y, shape: n.shape, size: n.centre ? 22 : 14, borderWidth: n.centre ? 3 : 1,
      color: { background: n.color, border: n.centre ? '#10263f' : n.color },
      font: { size: 13, face: 'system-ui, sans-serif', strokeWidth: 3, strokeColor: '#ffffff' },
      href: n.page ? root + n.page : ''
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return { id: i, from: e.from, to: e.to, color: { color: e.color }, title: e.title, arrows: e.arrows,
             smooth: false };
  }));
  var network = new vis.Network(holder, { nodes: nodes, edges: edges }, {
    physics: { enabled: false }, interaction: { hover: true, tooltipDelay: 120 },
    layout: { improvedLayout: false }
  });
  network.on('click', function (params) {
    var node = params.nodes.length ? nodes.get(params.nodes[0]) : null;
    if (node && node.href && node.id !== data.centre) { window.location.href = node.href; }
  });
  window.wbsecEgo = { network: network, nodes: nodes, edges: edges, ready: true };
}());

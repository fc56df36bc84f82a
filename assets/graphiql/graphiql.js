// GraphiQL against this server: queries and mutations over HTTP, subscriptions over the
// websocket endpoint (graphql-transport-ws). The bearer token typed above (or brought by a
// link's #token=... fragment, which browsers never send to a server) is sent as the
// Authorization header and in the websocket's connection_init; it stays in this browser.
(function () {
  'use strict';
  var KEY = 'delivery-desk.token';
  var input = document.getElementById('token');
  var who = document.getElementById('who');
  var linked = new URLSearchParams(location.hash.slice(1)).get('token');
  if (linked) {
    localStorage.setItem(KEY, linked);
    history.replaceState(null, '', location.pathname + location.search);
  }
  input.value = localStorage.getItem(KEY) || '';
  var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var shown = null;

  var EXAMPLE = '# Your projects, their milestones and open tickets. Press the run button (or Ctrl-Enter).\n' +
    '{\n  viewer { role user { name } contact { name } client { name } }\n' +
    '  projects(first: 5) {\n    totalCount\n    edges { node { id name status\n' +
    '      stages { name status dueDate milestoneState }\n' +
    '      tickets(open: true) { title priority status } } }\n  }\n}\n';
  var LIVE = '# Live: run this, then change a ticket\'s status (another tab or the board).\n' +
    'subscription {\n  ticketStatusChanged { from to ticket { title } }\n}\n';

  function auth() {
    var token = input.value.trim();
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  // Who the server says the token is (the `viewer` query), not what the page could decode.
  function describe() {
    var token = input.value.trim();
    if (!token) { who.textContent = 'anonymous: only introspection answers'; return; }
    who.textContent = 'checking the token…';
    fetch('/graphql', {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, auth()),
      body: JSON.stringify({ query: '{ viewer { role user { name } contact { name } client { name } } }' })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (input.value.trim() !== token) return;
      var v = body.data && body.data.viewer;
      if (!v) {
        who.textContent = 'token refused: ' + ((body.errors && body.errors[0] && body.errors[0].message) || 'unknown');
        who.dataset.state = 'refused';
        return;
      }
      who.dataset.state = 'ok';
      who.textContent = v.user
        ? v.user.name + ' · ' + v.role.toLowerCase().replace('_', ' ')
        : v.contact.name + ' · ' + v.client.name + ' portal';
    }).catch(function (e) { who.textContent = 'cannot reach the server: ' + e.message; });
  }

  function render() {
    var token = input.value.trim();
    if (token === shown) return;
    shown = token;
    describe();
    var fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: ws, headers: auth(), wsConnectionParams: auth() });
    // A new key remounts GraphiQL, so a new token also means a new websocket.
    root.render(React.createElement(GraphiQL, {
      key: token,
      fetcher: fetcher,
      defaultTabs: [{ query: EXAMPLE }, { query: LIVE }],
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    }));
  }

  // A pasted token applies at once: no need to leave the box before running.
  var pending = null;
  function changed() {
    localStorage.setItem(KEY, input.value.trim());
    clearTimeout(pending);
    pending = setTimeout(render, 150);
  }
  input.addEventListener('input', changed);
  input.addEventListener('change', function () { clearTimeout(pending); changed(); render(); });
  render();
})();

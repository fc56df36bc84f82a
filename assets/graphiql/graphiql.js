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
  var wsClient = null;

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
    // Our own websocket client: a token the server refuses (4403) ends the subscription
    // with the reason shown, where retrying could never help; other losses are retried.
    if (wsClient) wsClient.dispose();
    wsClient = graphqlWs.createClient({
      url: ws,
      connectionParams: auth(),
      lazy: true,
      retryAttempts: 5,
      shouldRetry: function (e) { return !(e && e.code >= 4400 && e.code < 4500); },
      on: {
        closed: function (e) {
          if (e && e.code >= 4400 && e.code < 4500) {
            who.dataset.state = 'refused';
            who.textContent = 'subscriptions refused (' + e.code + ' ' + (e.reason || '') + '): check the token';
          }
        }
      }
    });
    var inner = GraphiQL.createFetcher({ url: '/graphql', headers: auth(), wsClient: wsClient });
    // A subscription that fails (a refused token, a lost server) ends with its reason in
    // the result pane, as a GraphQL error, not as an error thrown into the page.
    var fetcher = function (params, opts) {
      var result = inner(params, opts);
      if (!result || typeof result[Symbol.asyncIterator] !== 'function') return result;
      return (async function* () {
        try {
          for await (var r of result) yield r;
        } catch (e) {
          var reason = e && (e.message || (e.code && 'socket closed with ' + e.code + ' ' + (e.reason || '')));
          yield { errors: [{ message: reason || String(e) }] };
        }
      })();
    };
    // A new key remounts GraphiQL, so a new token also means a new websocket.
    root.render(React.createElement(GraphiQL, {
      key: token,
      fetcher: fetcher,
      defaultTabs: [{ query: EXAMPLE }, { query: LIVE }],
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    }));
  }

  // GraphiQL lets a subscription's refusal escape as an unhandled rejection; it is shown
  // above (and in the result pane), so it is handled here.
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    var refused = (r && r.code >= 4400 && r.code < 4500) ||
      /Socket closed with event 44\d\d/.test(String(r && (r.message || r)));
    if (refused) e.preventDefault();
  });

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

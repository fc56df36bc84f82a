// GraphiQL against this server: queries and mutations over HTTP, subscriptions over the
// websocket endpoint (graphql-transport-ws). The bearer token typed above is sent as the
// Authorization header and in the websocket's connection_init; it stays in this browser.
(function () {
  'use strict';
  var KEY = 'delivery-desk.token';
  var input = document.getElementById('token');
  var who = document.getElementById('who');
  input.value = localStorage.getItem(KEY) || '';
  var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));

  function auth() {
    var token = input.value.trim();
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function describe() {
    var token = input.value.trim();
    if (!token) { who.textContent = 'anonymous: only introspection answers'; return; }
    try {
      var claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      who.textContent = claims.sub + ' (' + claims.role + ')';
    } catch (e) {
      who.textContent = 'not a JWT';
    }
  }

  function render() {
    describe();
    var fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: ws, headers: auth(), wsConnectionParams: auth() });
    // A new key remounts GraphiQL, so a new token also means a new websocket.
    root.render(React.createElement(GraphiQL, {
      key: input.value,
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    }));
  }

  input.addEventListener('change', function () {
    localStorage.setItem(KEY, input.value.trim());
    render();
  });
  render();
})();

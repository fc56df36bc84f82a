// The live board: projects with their milestones and open tickets, for a staff member or
// one client's portal token. Loaded once over HTTP, then kept current from the
// stageStatusChanged and ticketStatusChanged subscriptions; after a reconnect the board
// is loaded again, so nothing missed while offline stays wrong.
(function () {
  'use strict';
  var KEY = 'delivery-desk.token';
  var OPEN = ['NEW', 'ACKNOWLEDGED', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
  var BOARD = 'query { projects(first: 100, orderBy: NAME_ASC) { edges { node {' +
    ' id name status client { name } progressPercent' +
    ' stages { id name status milestoneState dueDate }' +
    ' tickets(open: true) { id title status priority } } } } }';
  var STAGES = 'subscription { stageStatusChanged { cursor projectId to stage { id status milestoneState } } }';
  var TICKETS = 'subscription { ticketStatusChanged { cursor projectId to ticket { id title status priority } } }';

  var input = document.getElementById('token');
  var statusEl = document.getElementById('status');
  var main = document.getElementById('projects');
  var wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var projects = {};
  var client = null;

  // Cards shown while not live may be out of date: dimmed until the board is live again.
  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    main.classList.toggle('stale', state !== 'live' && main.childElementCount > 0);
  }

  // Who the server says the token is.
  var viewerEl = document.getElementById('viewer');
  function showViewer() {
    viewerEl.textContent = '';
    return fetch('/graphql', {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, auth()),
      body: JSON.stringify({ query: '{ viewer { role user { name } contact { name } client { name } } }' })
    }).then(function (r) { return r.json(); }).then(function (body) {
      var v = body.data && body.data.viewer;
      if (!v) return;
      viewerEl.textContent = v.user
        ? 'viewing as ' + v.user.name + ' (staff)'
        : 'viewing as ' + v.contact.name + ' (' + v.client.name + ' portal)';
    }).catch(function () {});
  }

  function auth() {
    var token = input.value.trim();
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A badge says what it is ("plan: due soon", "status: in progress"), not only a value.
  function badge(value, label) {
    var words = value.replace(/_/g, ' ').toLowerCase();
    var b = el('span', 'badge');
    if (label) b.appendChild(el('span', 'label', label + ': '));
    b.appendChild(document.createTextNode(words));
    b.dataset.v = value;
    b.title = (label ? label + ': ' : '') + words;
    return b;
  }

  function flash(node) {
    node.classList.remove('flash');
    void node.offsetWidth;
    node.classList.add('flash');
  }

  function progress(p) {
    if (!p.stages.length) return null;
    var done = p.stages.filter(function (s) { return s.status === 'DONE'; }).length;
    return Math.floor(done * 100 / p.stages.length);
  }

  function stageItem(s) {
    var li = el('li');
    li.dataset.stage = s.id;
    li.appendChild(el('span', null, s.name + (s.dueDate ? ' · due ' + s.dueDate : '')));
    var right = el('span', 'badges');
    right.appendChild(badge(s.milestoneState, 'plan'));
    right.appendChild(document.createTextNode(' '));
    right.appendChild(badge(s.status, 'status'));
    li.appendChild(right);
    return li;
  }

  function ticketItem(t) {
    var li = el('li');
    li.dataset.ticket = t.id;
    li.appendChild(el('span', null, t.title + ' · ' + t.priority.toLowerCase()));
    li.appendChild(badge(t.status, 'status'));
    return li;
  }

  function renderProject(p) {
    var card = el('section', 'project');
    card.dataset.project = p.id;
    card.appendChild(el('h2', null, p.name));
    card.appendChild(el('div', 'meta', p.client.name + ' · ' + p.status.replace(/_/g, ' ').toLowerCase()));
    var pct = progress(p);
    if (pct !== null) {
      var done = p.stages.filter(function (s) { return s.status === 'DONE'; }).length;
      var row = el('div', 'progress-row');
      var bar = el('div', 'progress');
      var fill = el('div');
      fill.style.width = pct + '%';
      bar.appendChild(fill);
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-valuenow', String(pct));
      bar.setAttribute('aria-label', 'milestones done');
      row.appendChild(bar);
      row.appendChild(el('span', 'progress-text', pct + '% · ' + done + ' of ' + p.stages.length + ' milestones done'));
      card.appendChild(row);
    }
    card.appendChild(el('h3', null, 'Milestones'));
    var stages = el('ul');
    p.stages.forEach(function (s) { stages.appendChild(stageItem(s)); });
    if (!p.stages.length) card.appendChild(el('div', 'empty', 'no plan yet'));
    card.appendChild(stages);
    card.appendChild(el('h3', null, 'Open tickets'));
    var tickets = el('ul', 'tickets');
    p.tickets.forEach(function (t) { tickets.appendChild(ticketItem(t)); });
    if (!p.tickets.length) card.appendChild(el('div', 'empty', 'no open tickets'));
    card.appendChild(tickets);
    return card;
  }

  function render() {
    main.replaceChildren();
    var list = Object.keys(projects).map(function (k) { return projects[k]; });
    list.sort(function (a, b) { return a.name.localeCompare(b.name); });
    list.forEach(function (p) { main.appendChild(renderProject(p)); });
    if (!list.length) main.appendChild(el('div', 'empty', 'no projects to show'));
  }

  function load() {
    return fetch('/graphql', {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, auth()),
      body: JSON.stringify({ query: BOARD })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.errors) throw new Error(body.errors[0].message);
      projects = {};
      body.data.projects.edges.forEach(function (e) { projects[e.node.id] = e.node; });
      render();
    });
  }

  function onStage(change) {
    var p = projects[change.projectId];
    var s = change.stage;
    if (!p || !s) return;
    p.stages.forEach(function (x) {
      if (x.id === s.id) { x.status = s.status; x.milestoneState = s.milestoneState; }
    });
    var old = main.querySelector('[data-project="' + p.id + '"]');
    var card = renderProject(p);
    if (old) old.replaceWith(card);
    var row = card.querySelector('[data-stage="' + s.id + '"]');
    if (row) flash(row);
  }

  function onTicket(change) {
    var p = projects[change.projectId];
    var t = change.ticket;
    if (!p || !t) return;
    p.tickets = p.tickets.filter(function (x) { return x.id !== t.id; });
    if (OPEN.indexOf(t.status) >= 0) p.tickets.unshift(t);
    var old = main.querySelector('[data-project="' + p.id + '"]');
    var card = renderProject(p);
    if (old) old.replaceWith(card);
    var row = card.querySelector('[data-ticket="' + t.id + '"]');
    if (row) flash(row);
  }

  function subscribe(query, field, handle) {
    client.subscribe({ query: query }, {
      next: function (result) {
        if (result.data) handle(result.data[field]);
      },
      error: function (err) {
        setStatus('error', 'subscription failed: ' + (err && err.message ? err.message : 'closed'));
      },
      complete: function () {}
    });
  }

  function connect() {
    if (client) client.dispose();
    setStatus('idle', 'connecting…');
    client = graphqlWs.createClient({
      url: wsUrl,
      connectionParams: auth(),
      retryAttempts: Infinity,
      shouldRetry: function () { return true; },
      on: {
        connected: function () {
          // Load the whole board again once the subscriptions run (the protocol does not
          // acknowledge a subscribe, so shortly after the connection is acknowledged):
          // a change made between the first load and then, or while disconnected, is in
          // the reloaded board; every later one arrives as an event.
          setTimeout(function () {
            load().then(function () { setStatus('live', 'live'); }).catch(function (e) {
              setStatus('error', e.message);
            });
          }, 250);
        },
        closed: function () { setStatus('idle', 'reconnecting…'); }
      }
    });
    subscribe(STAGES, 'stageStatusChanged', onStage);
    subscribe(TICKETS, 'ticketStatusChanged', onTicket);
  }

  function start() {
    showViewer();
    load().then(connect).catch(function (e) {
      setStatus('error', e.message);
    });
  }

  // A link's #token=... fragment (never sent to a server) brings the token along.
  var linked = new URLSearchParams(location.hash.slice(1)).get('token');
  if (linked) {
    localStorage.setItem(KEY, linked);
    history.replaceState(null, '', location.pathname + location.search);
  }
  input.value = localStorage.getItem(KEY) || '';
  input.addEventListener('change', function () {
    localStorage.setItem(KEY, input.value.trim());
    start();
  });
  if (input.value) start();
})();

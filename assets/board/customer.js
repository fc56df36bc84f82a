// The customer's part of the board: shown to a client contact's portal token, above the
// projects. What the customer owes and can do: its open tasks to complete, published
// reports to read, acceptance criteria to pass or fail, an open survey to answer and
// finished milestones to rate. Each action is one mutation as the contact; the part is
// loaded again after each, so what it shows is what the server holds.
(function () {
  'use strict';
  var input = document.getElementById('token');
  var part = document.getElementById('yours');

  var QUERY = 'query {' +
    ' viewer { contact { id name } client { name } }' +
    ' actionItems(first: 100, filter: { side: CUSTOMER, status: OPEN }) { edges { node {' +
    '   id title dueDate overdue project { name } assigneeContact { name } } } }' +
    ' projects(first: 100, orderBy: NAME_ASC) { edges { node { id name' +
    '   reports { id kind status createdAt publishedAt body }' +
    '   acceptanceCriteria { id text status note }' +
    '   stages { id name status ratings { score comment contact { id } } } } } }' +
    ' surveys(first: 20, status: OPEN) { edges { node { id title periodFrom periodTo myAnswer { score } } } }' +
    '}';

  function auth() {
    var token = input.value.trim();
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function gql(query, variables) {
    return fetch('/graphql', {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, auth()),
      body: JSON.stringify({ query: query, variables: variables || {} })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.errors) throw new Error(body.errors[0].message);
      return body.data;
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function button(text, action) {
    var b = el('button', null, text);
    b.type = 'button';
    b.addEventListener('click', function () {
      b.disabled = true;
      action().then(load).catch(function (e) {
        b.disabled = false;
        say('error', e.message);
      });
    });
    return b;
  }

  // A labelled control: <label>text <control></label>.
  function labelled(text, control) {
    var l = el('label', 'field');
    l.appendChild(el('span', null, text));
    l.appendChild(control);
    return l;
  }

  function select(from, to, name) {
    var s = el('select');
    s.name = name;
    for (var v = from; v <= to; v++) {
      var o = el('option', null, String(v));
      o.value = String(v);
      s.appendChild(o);
    }
    s.value = String(to);
    return s;
  }

  function textArea(name, placeholder) {
    var t = el('textarea');
    t.name = name;
    t.rows = 2;
    t.placeholder = placeholder;
    return t;
  }

  function say(state, text) {
    var note = part.querySelector('.note');
    if (!note) return;
    note.dataset.state = state;
    note.textContent = text;
  }

  function block(title, empty, items) {
    var box = el('section', 'yours-block');
    box.appendChild(el('h2', null, title));
    if (!items.length) box.appendChild(el('div', 'empty', empty));
    var ul = el('ul');
    items.forEach(function (li) { ul.appendChild(li); });
    box.appendChild(ul);
    return box;
  }

  function task(t) {
    var li = el('li');
    li.dataset.item = t.id;
    var text = t.title + ' · ' + t.project.name + (t.assigneeContact ? ' · ' + t.assigneeContact.name : '') +
      (t.dueDate ? ' · due ' + t.dueDate : '');
    li.appendChild(el('span', t.overdue ? 'overdue' : null, text + (t.overdue ? ' (overdue)' : '')));
    li.appendChild(button('Mark done', function () {
      return gql('mutation($id: ID!) { changeActionItemStatus(id: $id, status: DONE) { status } }', { id: t.id });
    }));
    return li;
  }

  function report(r, project, read) {
    var li = el('li', 'stack');
    li.dataset.report = r.id;
    var head = el('div', 'row');
    head.appendChild(el('span', null, project.name + ' · ' + r.kind.toLowerCase() + ' report · ' +
      (r.publishedAt || r.createdAt).slice(0, 10)));
    var body = el('p', 'report-body', r.body);
    body.hidden = !read[r.id];
    if (read[r.id]) {
      head.appendChild(el('span', 'done', 'read'));
    } else {
      head.appendChild(button('Read', function () {
        return gql('mutation($id: ID!) { readReport(id: $id) { id } }', { id: r.id }).then(function () {
          read[r.id] = true;
        });
      }));
    }
    li.appendChild(head);
    li.appendChild(body);
    return li;
  }

  function criterion(c, project) {
    var li = el('li', 'stack');
    li.dataset.criterion = c.id;
    var head = el('div', 'row');
    head.appendChild(el('span', null, project.name + ' · ' + c.text));
    head.appendChild(el('span', 'badge', c.status.toLowerCase()));
    li.appendChild(head);
    var note = textArea('note', 'your note (what you checked, what is missing)');
    var row = el('div', 'row');
    row.appendChild(labelled('Note', note));
    ['PASSED', 'FAILED'].forEach(function (verdict) {
      row.appendChild(button(verdict === 'PASSED' ? 'Pass' : 'Fail', function () {
        return gql('mutation($id: ID!, $s: CriterionStatus!, $n: String) { judgeAcceptanceCriterion(id: $id, status: $s, note: $n) { status } }',
          { id: c.id, s: verdict, n: note.value.trim() || null });
      }));
    });
    li.appendChild(row);
    return li;
  }

  function survey(s) {
    var li = el('li', 'stack');
    li.dataset.survey = s.id;
    li.appendChild(el('div', null, s.title + ' · ' + s.periodFrom.slice(0, 10) + ' to ' + s.periodTo.slice(0, 10)));
    var score = select(1, 5, 'score');
    var recommend = select(0, 10, 'recommend');
    var comment = textArea('comment', 'what went well, what should change');
    var row = el('div', 'row');
    row.appendChild(labelled('Satisfaction (1-5)', score));
    row.appendChild(labelled('Would recommend us (0-10)', recommend));
    li.appendChild(row);
    li.appendChild(labelled('Comment', comment));
    li.appendChild(button('Send answer', function () {
      return gql('mutation($i: AnswerSurveyInput!) { answerSurvey(input: $i) { score } }', {
        i: { surveyId: s.id, score: Number(score.value), recommend: Number(recommend.value), comment: comment.value.trim() || null }
      });
    }));
    return li;
  }

  function milestone(st, project, me) {
    var li = el('li', 'stack');
    li.dataset.rate = st.id;
    var mine = st.ratings.filter(function (r) { return r.contact && r.contact.id === me; })[0];
    li.appendChild(el('div', null, project.name + ' · ' + st.name +
      (mine ? ' · you rated it ' + mine.score + ' of 5' : '')));
    var score = select(1, 5, 'score');
    if (mine) score.value = String(mine.score);
    var comment = textArea('comment', 'how did this milestone go?');
    var row = el('div', 'row');
    row.appendChild(labelled('Rating (1-5)', score));
    row.appendChild(labelled('Comment', comment));
    row.appendChild(button(mine ? 'Rate again' : 'Rate', function () {
      return gql('mutation($i: RateMilestoneInput!) { rateMilestone(input: $i) { score } }', {
        i: { stageId: st.id, score: Number(score.value), comment: comment.value.trim() || null }
      });
    }));
    li.appendChild(row);
    return li;
  }

  // Reports read in this browser; the server records the first reading of each.
  var read = {};

  function render(data) {
    part.replaceChildren();
    var me = data.viewer.contact.id;
    part.appendChild(el('h2', 'yours-title', 'Your part, ' + data.viewer.contact.name + ' (' + data.viewer.client.name + ')'));
    part.appendChild(el('div', 'note', ''));
    var projects = data.projects.edges.map(function (e) { return e.node; });
    var reports = [], criteria = [], ratable = [];
    projects.forEach(function (p) {
      p.reports.forEach(function (r) { reports.push(report(r, p, read)); });
      p.acceptanceCriteria.filter(function (c) { return c.status !== 'PASSED'; })
        .forEach(function (c) { criteria.push(criterion(c, p)); });
      p.stages.filter(function (s) { return s.status === 'DONE'; })
        .forEach(function (s) { ratable.push(milestone(s, p, me)); });
    });
    var surveys = data.surveys.edges.map(function (e) { return e.node; })
      .filter(function (s) { return !s.myAnswer; }).map(survey);
    var grid = el('div', 'yours-grid');
    grid.appendChild(block('Your tasks', 'nothing owed: no open task', data.actionItems.edges.map(function (e) { return task(e.node); })));
    grid.appendChild(block('Reports', 'no report published yet', reports.slice(0, 10)));
    grid.appendChild(block('Acceptance criteria to check', 'nothing to check', criteria));
    grid.appendChild(block('Survey', 'no survey waiting for your answer', surveys));
    grid.appendChild(block('Rate finished milestones', 'no milestone finished yet', ratable));
    part.appendChild(grid);
  }

  function load() {
    return gql(QUERY).then(function (data) {
      if (!data.viewer || !data.viewer.contact) {
        part.hidden = true;
        part.dataset.state = 'staff';
        return;
      }
      part.hidden = false;
      render(data);
      part.dataset.state = 'ready';
    });
  }

  function start() {
    part.dataset.state = 'loading';
    load().catch(function () {
      // The board says why (a refused token); this part stays out of the way.
      part.hidden = true;
      part.dataset.state = 'error';
    });
  }

  input.addEventListener('change', start);
  if (input.value) start();
})();

//! As a customer-portal user, every road to an internal-only field ends in `null`.
//!
//! From the schema itself (introspection), for every root query field and every root
//! subscription, the test builds one document that reaches every field leading into a
//! type with internal-only fields, by the shortest road from that root, and asserts
//! each internal-only field is null wherever an object of that type arrives. A root or
//! a field added later is walked without a change here; a root with required arguments
//! the test cannot fill fails it, so none is skipped silently.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use delivery_desk::graphql::access;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{
        self, approve, portal_token, pre_contract_project, proposal_content, signed_project,
    },
};

/// Per type, the fields a portal user must never read (each must be null, or an empty
/// list), with their selection where they are objects.
const INTERNAL: &[(&str, &[&str])] = &[
    (
        "Client",
        &[
            "source",
            "intentLevel",
            "budgetRange",
            "decisionChain",
            "keyNeeds",
            "notes",
            "firstContactAt",
            "intentHistory { level reason }",
            "interactions { id }",
        ],
    ),
    (
        "Project",
        &[
            "contractValue { amount currency }",
            "health { computed }",
            "interactions { id }",
            "requirementAnalysis { inScope { requirements } }",
            "negotiationRounds { id }",
            "kickoff { state }",
        ],
    ),
    ("Requirement", &["analysis { nature }"]),
    ("ProposalVersion", &["review { waiting }", "reviews { id }"]),
    (
        "NegotiationTerm",
        &["concedesNonNegotiable", "round { id }", "counterOf { id }"],
    ),
    ("TicketEscalation", &["reason"]),
    ("Meeting", &["internalNotes"]),
    ("Contact", &["decisionRole"]),
    ("Report", &["reads { firstReadAt }"]),
];

const INTROSPECTION: &str = "{ __schema { queryType { name } subscriptionType { name }
  types { name kind possibleTypes { name }
    fields { name type { ...T } args { name defaultValue type { ...T } } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// A field of an object or interface type: its named type, and whether it takes an
/// argument that must be given.
struct Field {
    name: String,
    ty: String,
    needs_args: bool,
}

struct Schema {
    fields: HashMap<String, Vec<Field>>,
    possible: HashMap<String, Vec<String>>,
}

fn named(ty: &Value) -> String {
    let mut t = ty;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    t["name"].as_str().unwrap().to_owned()
}

fn schema_of(body: &Value) -> Schema {
    let mut fields = HashMap::new();
    let mut possible = HashMap::new();
    for t in body["data"]["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap().to_owned();
        if let Some(fs) = t["fields"].as_array() {
            let list =
                fs.iter()
                    .map(|f| Field {
                        name: f["name"].as_str().unwrap().to_owned(),
                        ty: named(&f["type"]),
                        needs_args: f["args"].as_array().unwrap().iter().any(|a| {
                            a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null()
                        }),
                    })
                    .collect();
            fields.insert(name.clone(), list);
        }
        if let Some(ps) = t["possibleTypes"].as_array() {
            possible.insert(
                name,
                ps.iter()
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect(),
            );
        }
    }
    Schema { fields, possible }
}

/// One step of a road: a field, or a fragment on a possible type of an interface.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Step {
    Field(String),
    On(String),
}

/// The roads from `from` into every type of `INTERNAL`: for each field (or possible
/// type) that leads into one, the shortest road to it, ending on that field. Each ends
/// with the label of the field it covers, e.g. `Ticket.project`.
fn roads(schema: &Schema, from: &str) -> Vec<(Vec<Step>, String, String)> {
    let targets: HashSet<&str> = INTERNAL.iter().map(|(t, _)| *t).collect();
    // Shortest road to each type (breadth first).
    let mut road: HashMap<String, Vec<Step>> = HashMap::from([(from.to_owned(), Vec::new())]);
    let mut queue = VecDeque::from([from.to_owned()]);
    while let Some(ty) = queue.pop_front() {
        let here = road[&ty].clone();
        for (step, next) in edges(schema, &ty) {
            if !road.contains_key(&next) {
                let mut r = here.clone();
                r.push(step);
                road.insert(next.clone(), r);
                queue.push_back(next);
            }
        }
    }
    let mut out = Vec::new();
    for (ty, r) in &road {
        for (step, next) in edges(schema, ty) {
            if targets.contains(next.as_str()) {
                let label = match &step {
                    Step::Field(f) => format!("{ty}.{f}"),
                    Step::On(t) => format!("{ty} on {t}"),
                };
                let mut full = r.clone();
                full.push(step);
                out.push((full, next, label));
            }
        }
    }
    out
}

/// The steps out of a type: its fields that need no argument and lead to an object,
/// and its possible types when it is an interface.
fn edges(schema: &Schema, ty: &str) -> Vec<(Step, String)> {
    let mut out = Vec::new();
    for f in schema.fields.get(ty).into_iter().flatten() {
        if !f.needs_args && !f.name.starts_with("__") && schema.fields.contains_key(&f.ty) {
            out.push((Step::Field(f.name.clone()), f.ty.clone()));
        }
    }
    for p in schema.possible.get(ty).into_iter().flatten() {
        out.push((Step::On(p.clone()), p.clone()));
    }
    out
}

/// The roads merged into one selection tree; a node that is the end of a road into a
/// type with internal fields selects those fields and carries the road's label.
#[derive(Default)]
struct Tree {
    children: BTreeMap<Step, Tree>,
    ends: Vec<(String, String)>,
}

impl Tree {
    fn add(&mut self, steps: &[Step], ty: &str, label: &str) {
        match steps.split_first() {
            None => self.ends.push((ty.to_owned(), label.to_owned())),
            Some((first, rest)) => self
                .children
                .entry(first.clone())
                .or_default()
                .add(rest, ty, label),
        }
    }

    fn selection(&self) -> String {
        let mut s = String::from("{ __typename");
        let mut internal: Vec<&str> = Vec::new();
        for (ty, _) in &self.ends {
            internal.extend(INTERNAL.iter().find(|(t, _)| t == ty).unwrap().1);
        }
        internal.sort();
        internal.dedup();
        for f in internal {
            s.push(' ');
            s.push_str(f);
        }
        for (step, child) in &self.children {
            match step {
                Step::Field(f) => s.push_str(&format!(" {f} {}", child.selection())),
                Step::On(t) => s.push_str(&format!(" ... on {t} {}", child.selection())),
            }
        }
        s.push_str(" }");
        s
    }

    /// Checks every object the response holds at the ends of the roads; counts, per
    /// road label, the objects reached.
    fn check(&self, value: &Value, at: &str, reached: &mut HashMap<String, usize>) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.check(v, at, reached)),
            Value::Object(obj) => {
                let typename = obj.get("__typename").and_then(Value::as_str);
                for (ty, label) in &self.ends {
                    if typename != Some(ty.as_str()) {
                        continue;
                    }
                    *reached.entry(label.clone()).or_default() += 1;
                    let fields = INTERNAL.iter().find(|(t, _)| t == ty).unwrap().1;
                    for f in fields.iter() {
                        let f = f.split(' ').next().unwrap_or(f);
                        assert!(
                            // Null, or for a list: empty.
                            obj.get(f).is_some_and(
                                |v| v.is_null() || v.as_array().is_some_and(Vec::is_empty)
                            ),
                            "{ty}.{f} reached a portal user at {at} (road {label}): {value}"
                        );
                    }
                }
                for (step, child) in &self.children {
                    match step {
                        Step::Field(f) => {
                            if let Some(v) = obj.get(f) {
                                child.check(v, &format!("{at}.{f}"), reached);
                            }
                        }
                        Step::On(t) if typename == Some(t.as_str()) => {
                            child.check(value, at, reached)
                        }
                        Step::On(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The selection tree of every road from the root field `root` of `op` ("Query" or
/// "Subscription") into the internal fields, and its document (one root field, as a
/// subscription must have).
fn walk_of(
    schema: &Schema,
    op: &str,
    root: &Field,
    args: &dyn Fn(&str) -> Option<String>,
) -> (Tree, String) {
    let given = args(&root.name);
    assert!(
        !root.needs_args || given.is_some(),
        "{op}.{} needs arguments: add them to root_args",
        root.name
    );
    let mut start = Tree::default();
    for (steps, ty, label) in roads(schema, &root.ty) {
        start.add(&steps, &ty, &label);
    }
    if INTERNAL.iter().any(|(t, _)| *t == root.ty) {
        start
            .ends
            .push((root.ty.clone(), format!("{op}.{}", root.name)));
    }
    let doc = format!(
        "{} {{ {}{} {} }}",
        op.to_lowercase(),
        root.name,
        given.unwrap_or_default(),
        start.selection()
    );
    let mut tree = Tree::default();
    tree.children.insert(Step::Field(root.name.clone()), start);
    (tree, doc)
}

fn gid(kind: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The arguments of the root fields that need some; a root needing arguments that is
/// not here fails the test.
fn root_args(field: &str, client: &str, project: &str, ticket: &str, user: &str) -> Option<String> {
    Some(match field {
        "node" => format!("(id: \"{project}\")"),
        "nodes" => format!("(ids: [\"{client}\", \"{project}\", \"{ticket}\", \"{user}\"])"),
        "client" => format!("(id: \"{client}\")"),
        "project" => format!("(id: \"{project}\")"),
        "ticket" => format!("(id: \"{ticket}\")"),
        "user" => format!("(id: \"{user}\")"),
        "satisfactionReport" => {
            "(from: \"2026-01-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\")".into()
        }
        "weeklyDigest" => format!("(projectId: \"{project}\", weekOf: \"2026-11-23\")"),
        "projectActivity" => format!("(projectId: \"{project}\")"),
        "surveyReport" => format!("(id: \"{}\")", gid("Survey", 1)),
        _ => return None,
    })
}

db_test!(
    a_portal_user_reads_no_internal_field_by_any_road,
    at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        // A client with everything internal filled in, and every kind of object about it.
        let client = helpers::client(&app, "Acme").await;
        app.ok(
            "mutation($id: ID!) { updateClient(id: $id, input: { budgetRange: \"2M\", decisionChain: \"CFO signs\",
               keyNeeds: \"uptime\", notes: \"hard negotiator\", firstContactAt: \"2026-01-02T03:04:05Z\" }) { id } }",
            json!({ "id": client }),
        )
        .await;
        let project = signed_project(&app, &client, "W-1").await;
        let stage = helpers::stage(&app, &project, "Rollout").await;
        let ticket = helpers::ticket(&app, &project, "Down").await;
        let contact = helpers::contact(&app, &client).await;
        app.ok(
            "mutation($t: ID!) { escalateTicket(input: { ticketId: $t, reason: \"the account is at risk\" }) { level } }",
            json!({ "t": ticket }),
        )
        .await;
        app.ok(
            "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"r\", category: SCOPE, likelihood: 2, impact: 3, sharedWithClient: true }) { id } }",
            json!({ "p": project }),
        )
        .await;
        app.ok(
            "mutation($p: ID!) { createReport(input: { projectId: $p, kind: DAILY, body: \"on track\", progressPercent: 10 }) { id } }",
            json!({ "p": project }),
        )
        .await;
        app.ok(
            "mutation($c: ID!, $p: ID!) { logInteraction(input: { clientId: $c, projectId: $p, kind: CALL,
               occurredAt: \"2026-11-20T02:00:00Z\", summary: \"pricing is the worry\" }) { id } }",
            json!({ "c": client, "p": project }),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { updateContact(id: $id, input: { decisionRole: DECISION_MAKER }) { id } }",
            json!({ "id": contact }),
        )
        .await;
        app.ok(
            "mutation($p: ID!, $c: ID!) { updateProject(id: $p, input: { primaryContactId: $c }) { id } }",
            json!({ "p": project, "c": contact }),
        )
        .await;
        // A meeting the client attends, with the vendor's notes of it, and an action item
        // out of it.
        let meeting = app
            .ok("mutation($p: ID!, $s: ID!, $c: ID!) { scheduleMeeting(input: { projectId: $p, stageId: $s, kind: MILESTONE_REVIEW,
                   scheduledAt: \"2026-11-20T02:00:00Z\", contactIds: [$c] }) { id } }",
                json!({ "p": project, "s": stage, "c": contact }))
            .await["scheduleMeeting"]["id"]
            .clone();
        app.ok("mutation($id: ID!) { updateMeeting(id: $id, input: { internalNotes: \"they will sign late\" }) { id } }",
            json!({ "id": meeting })).await;
        app.ok("mutation($p: ID!, $m: ID!, $c: ID!) { createActionItem(input: { projectId: $p, meetingId: $m, title: \"VPN access\", assigneeContactId: $c }) { id } }",
            json!({ "p": project, "m": meeting, "c": contact })).await;
        // The road before the contract: an analysed requirement, a reviewed and presented
        // proposal, an agreed term that concedes a non-negotiable item, countering another.
        let deal = pre_contract_project(&app, &client, "Deal", "PROPOSAL").await;
        let req = app
            .ok("mutation($p: ID!) { createRequirement(input: { projectId: $p, title: \"map\", category: CORE, feasibility: FEASIBLE, inScope: true }) { id } }",
                json!({ "p": deal }))
            .await["createRequirement"]["id"]
            .clone();
        app.ok("mutation($id: ID!) { analyseRequirement(id: $id, input: { nature: FUNCTIONAL, effortPersonDays: 2, resources: \"2 devs\" }) { id } }",
            json!({ "id": req })).await;
        let reviewers = helpers::reviewers(&app).await;
        let v = app
            .ok("mutation($p: ID!, $i: ProposalContentInput!) { createProposalVersion(projectId: $p, input: $i) { id } }",
                json!({ "p": deal, "i": proposal_content("DEMO", "10.00") }))
            .await["createProposalVersion"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        approve(&app, &reviewers, &v).await;
        app.ok(
            "mutation($id: ID!) { presentProposalVersion(id: $id) { id } }",
            json!({ "id": v }),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { changeProjectStatus(id: $id, status: NEGOTIATION) { id } }",
            json!({ "id": deal }),
        )
        .await;
        let round = app
            .ok("mutation($p: ID!) { openNegotiationRound(projectId: $p, heldAt: \"2026-11-23T02:00:00Z\") { id } }", json!({ "p": deal }))
            .await["openNegotiationRound"]["id"]
            .clone();
        let first = app
            .ok("mutation($r: ID!) { proposeTerm(input: { roundId: $r, kind: INTELLECTUAL_PROPERTY, proposedBy: CLIENT, proposalItem: \"Source code ownership\", text: \"ours\" }) { id } }",
                json!({ "r": round }))
            .await["proposeTerm"]["id"]
            .clone();
        let counter = app
            .ok("mutation($r: ID!, $c: ID!) { proposeTerm(input: { roundId: $r, kind: INTELLECTUAL_PROPERTY, proposedBy: CLIENT, proposalItem: \"Source code ownership\", text: \"ours, really\", counterOf: $c }) { id } }",
                json!({ "r": round, "c": first }))
            .await["proposeTerm"]["id"]
            .clone();
        let flagged = app
            .ok("mutation($id: ID!) { decideTerm(id: $id, outcome: AGREED) { concedesNonNegotiable } }", json!({ "id": counter }))
            .await;
        assert_eq!(flagged["decideTerm"]["concedesNonNegotiable"], true);

        let user = gid("User", 1);
        let portal = portal_token(&app, &client, &contact);
        // The client's contact read the published report: a receipt only staff see.
        let report = app
            .ok("mutation($p: ID!) { createReport(input: { projectId: $p, kind: WEEKLY, progress: \"all rooms\", plan: \"training\", progressPercent: 60 }) { id } }",
                json!({ "p": project }))
            .await["createReport"]["id"]
            .clone();
        let read = app
            .gql_as(
                Some(&portal),
                "mutation($id: ID!) { readReport(id: $id) { id } }",
                json!({ "id": report }),
            )
            .await;
        assert!(read.get("errors").is_none(), "{read}");

        let body = app.gql(INTROSPECTION, json!({})).await;
        let schema = schema_of(&body);
        let args = |field: &str| root_args(field, &client, &project, &ticket, &user);
        let mut reached: HashMap<String, usize> = HashMap::new();
        let mut walked = 0;

        // Every root query field, then every root subscription with a change that each
        // one reports.
        for root in schema.fields["Query"]
            .iter()
            .filter(|r| !r.name.starts_with("__"))
        {
            let (tree, doc) = walk_of(&schema, "Query", root, &args);
            let (status, body) = app.post_as(Some(&portal), &doc, json!({})).await;
            assert_eq!(status, 200, "{doc}\n{body}");
            tree.check(&body["data"], "", &mut reached);
            walked += 1;
        }
        let mut subscriptions = Vec::new();
        for root in &schema.fields["Subscription"] {
            let (tree, doc) = walk_of(&schema, "Subscription", root, &args);
            let mut ws = app.ws(Some(&portal)).await;
            ws.subscribe("s", &doc, json!({})).await;
            if access::needs("Subscription", &root.name) == access::Needs::Staff {
                // The vendor's own alarms: refused to the portal before anything runs.
                let refused = ws.recv().await;
                assert_eq!(refused["type"], "error", "{}: {refused}", root.name);
                assert_eq!(refused["payload"][0]["extensions"]["code"], "FORBIDDEN");
                walked += 1;
                continue;
            }
            subscriptions.push((root.name.clone(), tree, ws));
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // The ticket's first response is due in 2 working hours: at risk after 95 minutes.
        app.time.advance(chrono::Duration::minutes(95));
        app.alarms.clone().unwrap().look_now();
        app.ok(
            "mutation($id: ID!) { changeStageStatus(id: $id, status: IN_PROGRESS) { id } }",
            json!({ "id": stage }),
        )
        .await;
        helpers::set_ticket_status(&app, &ticket, "IN_PROGRESS").await;
        for (name, tree, ws) in &mut subscriptions {
            let got = ws.next("s").await;
            assert!(got.get("errors").is_none(), "{name}: {got}");
            tree.check(&got["data"], "", &mut reached);
            walked += 1;
        }
        assert!(walked >= 20, "only {walked} roots walked");

        // The roads the defects were found on, and the main ones, were really travelled.
        for label in [
            "WeeklyDigest.project",
            "Query.project",
            "Query.client",
            "Ticket.project",
            "Project.client",
            "Ticket.escalations",
            "Stage.project",
            "Project.proposalVersions",
            "Project.negotiationTerms",
            "Project.requirements",
            "Project.meetings",
            "ActionItem.meeting",
            "Project.primaryContact",
        ] {
            assert!(
                reached.get(label).is_some_and(|n| *n > 0),
                "no object reached by {label}: {reached:?}"
            );
        }
    }
);

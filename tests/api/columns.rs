//! Rows read as a field's children carry only the columns the query asks for
//! (`src/graphql/columns.rs`); every field that declares its columns must answer through
//! that road exactly as through a whole row.

use std::collections::HashMap;

use delivery_desk::auth::token::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::{db_test, helpers::*};

/// The demo data, with one row of each table given a value in every nullable column.
pub(crate) async fn demo_with_every_column_set(app: &TestApp) {
    delivery_desk::seed::demo(
        &app.db,
        &delivery_desk::documents::DocumentStore::new(app.documents.path(), 1 << 20),
    )
    .await
    .expect("demo data");
    fill_nullable_columns(app).await;
}

/// Gives one row of each table a value in every nullable column, so that a field reading
/// a column it did not declare shows as a difference.
async fn fill_nullable_columns(app: &TestApp) {
    let backend = app.db.get_database_backend();
    for sql in [
        "UPDATE projects SET description = 'all columns', held_from = 'EXECUTION', \
         primary_owner_id = (SELECT MIN(id) FROM users), \
         primary_contact_id = (SELECT MIN(id) FROM contacts WHERE contacts.client_id = projects.client_id) \
         WHERE id = (SELECT MIN(id) FROM projects)",
        "UPDATE tickets SET description = 'all columns', assignee_id = (SELECT MIN(id) FROM users), \
         reporter_contact_id = (SELECT MIN(id) FROM contacts WHERE contacts.client_id = tickets.client_id), \
         resolved_at = created_at, closed_at = updated_at \
         WHERE id = (SELECT MIN(id) FROM tickets)",
        "UPDATE clients SET industry = 'all columns', main_business = 'main', \
         budget_range = 'budget', decision_chain = 'chain', key_needs = 'needs', notes = 'notes', \
         first_contact_at = created_at WHERE id = (SELECT MIN(id) FROM clients)",
        "UPDATE stages SET owner_id = (SELECT MIN(id) FROM users), deliverables = 'all columns', \
         completed_at = updated_at \
         WHERE id = (SELECT MIN(id) FROM stages)",
        "UPDATE risks SET description = 'all columns', owner_id = (SELECT MIN(id) FROM users), \
         mitigation = 'mitigate', contingency = 'fall back', closed_at = updated_at \
         WHERE id = (SELECT MIN(id) FROM risks)",
    ] {
        app.db
            .execute_raw(Statement::from_string(backend, sql))
            .await
            .expect(sql);
    }
}

/// The fields of `ty` whose type is an object (or a list of them): they need a selection.
async fn object_fields(app: &TestApp, ty: &str) -> Vec<String> {
    let data = app
        .ok(
            "query($t: String!) { __type(name: $t) { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }",
            json!({ "t": ty }),
        )
        .await;
    let mut out = Vec::new();
    for field in data["__type"]["fields"].as_array().unwrap() {
        let mut t = &field["type"];
        while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
            t = &t["ofType"];
        }
        if t["kind"] == "OBJECT" || t["kind"] == "INTERFACE" || t["kind"] == "UNION" {
            out.push(field["name"].as_str().unwrap().to_owned());
        }
    }
    out
}

/// Runs `query` as `token` (staff when `None`) and returns its data.
async fn data_as(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = app
        .gql_as(Some(token.unwrap_or(&app.admin)), query, variables)
        .await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// Every declared field, read through a page or a page's children (only `id` and the
/// field's columns) and by id (`nodes`: whole rows), as `token` sees it: the values of
/// each, by row id and field.
async fn both_roads(app: &TestApp, token: Option<&str>) -> Vec<(String, HashMap<String, Value>)> {
    let mut out = Vec::new();
    for (ty, of_project, fields) in delivery_desk::graphql::columns::declared() {
        let objects = object_fields(app, ty).await;
        for (field, _) in fields {
            let selection = if objects.iter().any(|o| o == field) {
                format!("{field} {{ __typename }}")
            } else {
                (*field).to_owned()
            };
            let mut partial: HashMap<String, Value> = HashMap::new();
            let inner = match of_project {
                Some(children) => format!("{children} {{ id {selection} }}"),
                None => format!("id {selection}"),
            };
            let query = format!("{{ projects(first: 50) {{ edges {{ node {{ {inner} }} }} }} }}");
            let data = data_as(app, token, &query, json!({})).await;
            for edge in data["projects"]["edges"].as_array().unwrap() {
                let rows = match of_project.map(|f| &edge["node"][f]) {
                    Some(Value::Array(children)) => children.clone(),
                    Some(parent) => vec![parent.clone()],
                    None => vec![edge["node"].clone()],
                };
                for row in rows {
                    partial.insert(row["id"].as_str().unwrap().to_owned(), row[field].clone());
                }
            }
            let ids: Vec<&String> = partial.keys().collect();
            let mut whole: HashMap<String, Value> = HashMap::new();
            for chunk in ids.chunks(100) {
                let query = format!(
                    "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {ty} {{ id {selection} }} }} }}"
                );
                let data = data_as(app, token, &query, json!({ "ids": chunk })).await;
                for row in data["nodes"].as_array().unwrap() {
                    whole.insert(row["id"].as_str().unwrap().to_owned(), row[field].clone());
                }
            }
            assert_eq!(partial, whole, "{ty}.{field} (token {token:?})");
            for road in rows_by_id(app, token, ty, &selection, &ids).await {
                assert!(!road.is_empty(), "{ty}.{field}: no row read by id");
                for (id, value) in road {
                    assert_eq!(Some(&value), whole.get(&id), "{ty}.{field} of {id} by id");
                }
            }
            out.push((format!("{ty}.{field}"), whole));
        }
    }
    out
}

/// `selection` of the rows of `ty` read by id in part (`loaders::selected_one`): at the
/// root (`ticket(id:)`, `project(id:)`, many to a request) and, for a project, as the
/// parent joined to a page of tickets. Each road's values by row id.
async fn rows_by_id(
    app: &TestApp,
    token: Option<&str>,
    ty: &str,
    selection: &str,
    ids: &[&String],
) -> Vec<HashMap<String, Value>> {
    let root = match ty {
        "Ticket" => "ticket",
        "Project" => "project",
        "Client" => "client",
        _ => return Vec::new(),
    };
    let mut roads = Vec::new();
    let mut by_id = HashMap::new();
    for chunk in ids.chunks(50) {
        let fields: String = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| format!("r{i}: {root}(id: \"{id}\") {{ id {selection} }} "))
            .collect();
        let data = data_as(app, token, &format!("{{ {fields} }}"), json!({})).await;
        for row in data.as_object().unwrap().values() {
            by_id.insert(row["id"].as_str().unwrap().to_owned(), row.clone());
        }
    }
    roads.push(by_id);
    if ty == "Project" {
        let query =
            format!("{{ tickets(first: 100) {{ nodes {{ project {{ id {selection} }} }} }} }}");
        let data = data_as(app, token, &query, json!({})).await;
        let mut joined = HashMap::new();
        for ticket in data["tickets"]["nodes"].as_array().unwrap() {
            let project = &ticket["project"];
            let id = project["id"].as_str().unwrap().to_owned();
            if ids.iter().any(|i| **i == id) {
                joined.insert(id, project.clone());
            }
        }
        roads.push(joined);
    }
    let field = selection.split_whitespace().next().unwrap();
    roads
        .into_iter()
        .map(|road| {
            road.into_iter()
                .map(|(id, row)| (id, row[field].clone()))
                .collect()
        })
        .collect()
}

db_test!(every_declared_field_reads_as_from_the_whole_row, |app| {
    demo_with_every_column_set(&app).await;

    for (field, whole) in both_roads(&app, None).await {
        // The data gives the field something to get wrong.
        assert!(
            whole.values().any(|v| !v.is_null() && v != ""),
            "{field}: null or empty in every row, so this checks nothing"
        );
    }

    // A portal user's rows are redacted as whole rows are, though a page reads only the
    // columns asked for: an internal contract value stays hidden when only
    // `contractValue` is asked.
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT p.id, p.client_id, (SELECT MIN(c.id) FROM contacts c WHERE c.client_id = p.client_id) AS contact \
             FROM projects p WHERE p.contract_value_minor IS NOT NULL \
             AND EXISTS (SELECT 1 FROM contacts c WHERE c.client_id = p.client_id) ORDER BY p.id",
        ))
        .await
        .unwrap()
        .expect("a project with a contract value and a contact");
    let (project, client, contact): (i64, i64, i64) = (
        row.try_get("", "id").unwrap(),
        row.try_get("", "client_id").unwrap(),
        row.try_get("", "contact").unwrap(),
    );
    app.db
        .execute_raw(Statement::from_string(
            backend,
            format!("UPDATE projects SET contract_value_internal = TRUE WHERE id = {project}"),
        ))
        .await
        .unwrap();
    let token = app.token(&format!("contact:{contact}"), Role::Client, Some(client));
    let seen = both_roads(&app, Some(&token)).await;
    let values = &seen
        .iter()
        .find(|(f, _)| f == "Project.contractValue")
        .expect("contractValue is declared")
        .1;
    let id = delivery_desk::graphql::ids::encode(
        delivery_desk::graphql::ids::NodeKind::Project,
        project,
    );
    assert_eq!(values.get(id.as_str()), Some(&Value::Null), "{values:?}");

    // And the road is taken: a title or a name alone leaves the description out, of a
    // page (through `nodes` too) and of its children, of a row by id and of its parent.
    let ticket = app
        .ok("{ tickets(first: 1) { nodes { id } } }", json!({}))
        .await["tickets"]["nodes"][0]["id"]
        .clone();
    app.settle_statements().await;
    app.ok(
        "query($t: ID!) { ticket(id: $t) { title project { name } } }",
        json!({ "t": ticket }),
    )
    .await;
    let sql = app.sql();
    assert!(
        sql.len() == 1
            && sql[0].contains("LEFT JOIN \"projects\"")
            && !sql[0].contains("description"),
        "{sql:?}"
    );
    for query in [
        "{ projects(first: 5) { edges { node { name tickets { title } } } } }",
        "{ projects(first: 5) { nodes { name tickets { title } } } }",
    ] {
        app.settle_statements().await;
        app.ok(query, json!({})).await;
        let sql = app.sql();
        for table in ["projects", "tickets"] {
            let statement = sql
                .iter()
                .find(|s| s.contains(&format!("FROM \"{table}\"")) && !s.contains("COUNT"))
                .expect("a statement");
            assert!(
                !statement.contains("description") && statement.contains("\"id\""),
                "{query}: {statement}"
            );
        }
    }
});

db_test!(fields_asked_through_fragments_are_read, |app| {
    // The columns a row needs are found through named and inline fragments too, at the
    // root, in a parent joined to the row and on a page: the same data as the fields
    // asked directly.
    let acme = client(&app, "Acme").await;
    let p = signed_project(&app, &acme, "F-1").await;
    let t = ticket(&app, &p, "Printer jams").await;
    let direct = "query($t: ID!) {
        ticket(id: $t) { title status project { name status client { name industry } } }
        projects(first: 5) { nodes { name status client { name } } } }";
    let fragments = "query($t: ID!) {
        ticket(id: $t) { ...T }
        projects(first: 5) { nodes { ... on Project { name ...S client { ...C } } } } }
        fragment T on Ticket { title ... on Ticket { status } project { ...P } }
        fragment P on Project { name ...S client { ...C industry } }
        fragment S on Project { status }
        fragment C on Client { name }";
    let a = app.ok(direct, json!({ "t": t })).await;
    let b = app.ok(fragments, json!({ "t": t })).await;
    assert_eq!(a, b);
    assert_eq!(a["ticket"]["title"], "Printer jams", "{a}");
    assert_eq!(a["ticket"]["project"]["client"]["name"], "Acme", "{a}");
});

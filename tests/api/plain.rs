//! Fields read straight off a list's rows (`src/graphql/plain.rs`) answer exactly as their
//! resolvers do: for staff and through the portal, aliased, through fragments.

use delivery_desk::auth::token::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::{columns::demo_with_every_column_set, db_test, helpers::*};

/// The projects' `list` of `ty`, every plain field asked once directly, once under an
/// alias and once through a named fragment, and `extra`.
fn query(ty: &str, list: &str, fields: &[&str], extra: &str) -> String {
    let all = fields.join(" ");
    let first = fields[0];
    format!(
        "{{ projects(first: 50) {{ nodes {{ id {list} {{ {all} __typename a: {first} {extra} ...F }} }} }} }} \
         fragment F on {ty} {{ {all} }}"
    )
}

async fn data_as(app: &TestApp, token: &str, query: &str) -> Value {
    let body = app.gql_as(Some(token), query, json!({})).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

db_test!(plain_fields_answer_as_their_resolvers, |app| {
    demo_with_every_column_set(&app).await;
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT c.id AS contact, c.client_id FROM contacts c ORDER BY c.id",
        ))
        .await
        .unwrap()
        .expect("a contact");
    let (contact, client): (i64, i64) = (
        row.try_get("", "contact").unwrap(),
        row.try_get("", "client_id").unwrap(),
    );
    let portal = app.token(&format!("contact:{contact}"), Role::Client, Some(client));

    for (token, staff) in [(app.admin.clone(), true), (portal, false)] {
        for (ty, list, fields) in delivery_desk::graphql::plain::declared() {
            // A field that is not plain sends the whole list down the resolvers' road.
            let mut resolved =
                data_as(&app, &token, &query(ty, list, &fields, "project { id }")).await;
            for project in resolved["projects"]["nodes"].as_array_mut().unwrap() {
                let id = project["id"].clone();
                for row in project[list].as_array_mut().unwrap() {
                    let parent = row.as_object_mut().unwrap().remove("project");
                    assert!(parent.is_some_and(|p| p["id"] == id));
                }
            }
            let read = data_as(&app, &token, &query(ty, list, &fields, "")).await;
            assert_eq!(read, resolved, "{ty} (staff: {staff})");

            let rows: Vec<&Value> = read["projects"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p[list].as_array().unwrap())
                .collect();
            if staff {
                // The data gives each field something to get wrong.
                for field in &fields {
                    assert!(
                        rows.iter().any(|r| !r[field].is_null()),
                        "{ty}.{field}: null in every row, so this checks nothing"
                    );
                }
            }
            for row in rows {
                assert_eq!(row["__typename"], ty);
                let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
                let mut expected: Vec<&str> = fields.clone();
                expected.extend(["__typename", "a"]);
                assert_eq!(keys, expected, "{ty}: fields in query order");
            }
        }
    }
});

db_test!(
    a_list_selected_twice_under_one_key_is_merged_item_by_item,
    |app| {
        demo_with_every_column_set(&app).await;
        // Two occurrences of `stages` resolve apart (each on the plain road) and are merged
        // item by item, as async-graphql merges any two fields under one key.
        let twice = app
        .ok(
            "{ projects(first: 10) { nodes { stages { name } tickets { title } stages { status name } } } }",
            json!({}),
        )
        .await;
        let once = app
            .ok(
                "{ projects(first: 10) { nodes { stages { name status } tickets { title } } } }",
                json!({}),
            )
            .await;
        assert_eq!(twice, once);
        assert!(
            once["projects"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| !p["stages"].as_array().unwrap().is_empty())
        );
    }
);

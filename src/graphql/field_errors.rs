//! Field errors null the field, as the GraphQL specification requires.
//!
//! async-graphql leaves a field whose resolver failed out of its object (a missing key;
//! for the only root field, `data: null`) and lists the error with its path. The
//! specification says the field becomes `null` if its type allows, and otherwise the
//! null propagates to the nearest nullable field or list item above it (up to `data`).
//! This is done after execution, from each error's path, the document and the schema's
//! types: once per error, nothing per field (see [`super::root`] for why).

use async_graphql::{
    PathSegment, Response, Value,
    parser::types::{
        ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    },
    registry::{MetaTypeName, Registry},
};

/// Nulls in `response.data` what each of its field errors makes null.
pub fn null_failed_fields(
    response: &mut Response,
    registry: &Registry,
    doc: &ExecutableDocument,
    op: &OperationDefinition,
) {
    let root = match op.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else { return };
    let mut failed = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .peekable();
    if failed.peek().is_none() {
        return;
    }
    // Every root field failed: async-graphql answers `data: null` for `{}`.
    if response.data == Value::Null {
        response.data = Value::Object(Default::default());
    }
    for err in failed {
        if let Some(nullable) = nullability(&err.path, root, registry, doc, op) {
            match nullable.iter().rposition(|n| *n) {
                Some(k) => set_null(&mut response.data, &err.path[..=k]),
                None => response.data = Value::Null,
            }
        }
    }
}

/// Whether the value at each step of `path` may be null (its declared type), or `None`
/// when the path does not follow the document (then it is left alone).
fn nullability(
    path: &[PathSegment],
    root: &str,
    registry: &Registry,
    doc: &ExecutableDocument,
    op: &OperationDefinition,
) -> Option<Vec<bool>> {
    let mut nullable = Vec::with_capacity(path.len());
    let mut sets = vec![&op.selection_set.node];
    let mut parent = root;
    // The declared type of the value at the current step, e.g. `[Ticket!]!`.
    let mut ty = "";
    for segment in path {
        match segment {
            PathSegment::Field(key) => {
                let (name, on, below) = selected(key, &sets, doc)?;
                let field = registry
                    .types
                    .get(on.unwrap_or(parent))?
                    .field_by_name(name)?;
                ty = field.ty.as_str();
                sets = below;
                parent = MetaTypeName::concrete_typename(ty);
            }
            PathSegment::Index(_) => match MetaTypeName::create(ty) {
                MetaTypeName::NonNull(inner) => match MetaTypeName::create(inner) {
                    MetaTypeName::List(item) => ty = item,
                    _ => return None,
                },
                MetaTypeName::List(item) => ty = item,
                MetaTypeName::Named(_) => return None,
            },
        }
        nullable.push(!matches!(
            MetaTypeName::create(ty),
            MetaTypeName::NonNull(_)
        ));
    }
    Some(nullable)
}

/// The field that response key `key` answers in `sets` (fragments expanded): its name,
/// the type condition of the fragment it is in (if any), and every selection set of it.
fn selected<'a>(
    key: &str,
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
) -> Option<(&'a str, Option<&'a str>, Vec<&'a SelectionSet>)> {
    let mut found: Option<(&'a str, Option<&'a str>, Vec<&'a SelectionSet>)> = None;
    for set in sets {
        collect(key, set, None, doc, &mut found);
    }
    found
}

fn collect<'a>(
    key: &str,
    set: &'a SelectionSet,
    on: Option<&'a str>,
    doc: &'a ExecutableDocument,
    found: &mut Option<(&'a str, Option<&'a str>, Vec<&'a SelectionSet>)>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if field.response_key().node.as_str() != key {
                    continue;
                }
                let below = &field.selection_set.node;
                match found {
                    Some((_, _, sets)) => sets.push(below),
                    None => *found = Some((field.name.node.as_str(), on, vec![below])),
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    let on = Some(fragment.node.type_condition.node.on.node.as_str());
                    collect(key, &fragment.node.selection_set.node, on, doc, found);
                }
            }
            Selection::InlineFragment(inline) => {
                let cond = inline.node.type_condition.as_ref();
                let on = cond.map(|c| c.node.on.node.as_str()).or(on);
                collect(key, &inline.node.selection_set.node, on, doc, found);
            }
        }
    }
}

/// Sets the value at `path` to null (adding the key a failed field left out); a path
/// through a value already null, or missing, is left alone.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, above)) = path.split_last() else {
        return;
    };
    let mut at = data;
    for segment in above {
        let next = match (segment, at) {
            (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str()),
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(value) => at = value,
            None => return,
        }
    }
    match (last, at) {
        (PathSegment::Field(key), Value::Object(map)) => {
            map.insert(async_graphql::Name::new(key), Value::Null);
        }
        (PathSegment::Index(i), Value::List(items)) => {
            if let Some(item) = items.get_mut(*i) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Object, ServerError};
    use serde_json::json;

    use super::*;

    struct Query;
    struct Item;

    #[Object]
    impl Query {
        async fn maybe(&self) -> Option<Item> {
            Some(Item)
        }
        async fn sure(&self) -> Item {
            Item
        }
        async fn items(&self) -> Vec<Item> {
            vec![Item, Item]
        }
    }

    #[Object]
    impl Item {
        async fn ok(&self) -> i32 {
            1
        }
        async fn opt(&self) -> Option<i32> {
            Some(2)
        }
    }

    fn nulled(query: &str, data: serde_json::Value, paths: &[&[PathSegment]]) -> serde_json::Value {
        let registry = registry();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let op = crate::graphql::selected_operation(&doc, None).unwrap();
        let mut response = Response::new(Value::from_json(data).unwrap());
        response.errors = paths
            .iter()
            .map(|p| {
                let mut e = ServerError::new("failed", None);
                e.path = p.to_vec();
                e
            })
            .collect();
        null_failed_fields(&mut response, &registry, &doc, op);
        response.data.into_json().unwrap()
    }

    /// The types this module reads, as a schema of `Query` registers them.
    fn registry() -> Registry {
        let mut registry = Registry {
            query_type: "Query".to_owned(),
            ..Default::default()
        };
        <Query as async_graphql::OutputType>::create_type_info(&mut registry);
        registry
    }

    fn f(key: &str) -> PathSegment {
        PathSegment::Field(key.to_owned())
    }

    #[test]
    fn a_failed_nullable_field_becomes_null_in_place() {
        let data = nulled(
            "{ maybe { ok } sure { ok } }",
            json!({ "sure": { "ok": 1 } }),
            &[&[f("maybe")]],
        );
        assert_eq!(data, json!({ "sure": { "ok": 1 }, "maybe": null }));
        let data = nulled(
            "{ sure { ok opt } }",
            json!({ "sure": { "ok": 1 } }),
            &[&[f("sure"), f("opt")]],
        );
        assert_eq!(data, json!({ "sure": { "ok": 1, "opt": null } }));
    }

    #[test]
    fn a_failed_non_null_field_nulls_the_nearest_nullable_one_above() {
        // maybe (nullable) > ok (non-null): maybe becomes null.
        let data = nulled(
            "{ m: maybe { ok } }",
            json!({ "m": {} }),
            &[&[f("m"), f("ok")]],
        );
        assert_eq!(data, json!({ "m": null }));
        // items: [Item!]! > ok: nothing nullable up to the root, so data is null.
        let data = nulled(
            "{ items { ok } }",
            json!({ "items": [{ "ok": 1 }, {}] }),
            &[&[f("items"), PathSegment::Index(1), f("ok")]],
        );
        assert_eq!(data, serde_json::Value::Null);
        // Through a fragment, aliased.
        let data = nulled(
            "{ sure { ...F } } fragment F on Item { o: opt }",
            json!({ "sure": {} }),
            &[&[f("sure"), f("o")]],
        );
        assert_eq!(data, json!({ "sure": { "o": null } }));
    }

    #[test]
    fn an_only_root_field_failing_leaves_data_with_it_null() {
        let data = nulled(
            "{ maybe { ok } }",
            serde_json::Value::Null,
            &[&[f("maybe")]],
        );
        assert_eq!(data, json!({ "maybe": null }));
        let data = nulled("{ sure { ok } }", serde_json::Value::Null, &[&[f("sure")]]);
        assert_eq!(data, serde_json::Value::Null);
    }
}

//! Lists of rows whose fields are read straight off the row.
//!
//! async-graphql resolves every field of every object as a future of its own: boxed,
//! polled in a `FuturesUnordered` per object, its value put in a map as it finishes. For a
//! page's children (a dashboard's stages and open tickets: a thousand fields a request)
//! that machinery is most of the server's work, though each of those fields only copies a
//! column. Here a type declares such fields ([`PlainFields`]: a field name, and a function
//! of the row that gives its value as its resolver would), and its lists are returned as
//! [`Rows`]: when every field a query selects on the list's items is one of those, the
//! items are read in one loop, with no future per field or item. Any other selection
//! (a field with arguments or a sub-selection, a directive, a fragment on another type)
//! takes async-graphql's own road, unchanged. (The schema registers no extension: one
//! that watches each resolver would not see these fields.)
//!
//! The values are read from the same visible (redacted) row the resolvers read, so what a
//! portal user sees is the same on both roads; `tests/api/plain.rs` checks every declared
//! field against its resolver, as staff and through the portal.

use std::{borrow::Cow, collections::HashMap};

use async_graphql::{
    ContextSelectionSet, EnumType, ID, Name, OutputType, Positioned, ScalarType, ServerResult,
    Value,
    indexmap::IndexMap,
    parser::types::{Field, FragmentDefinition, Selection, SelectionSet},
    registry::Registry,
    resolver_utils::{enum_value, resolve_list},
};

/// How a plain field's value is read off its row.
pub type Read<T> = fn(&T) -> Value;

/// An object some of whose fields read only their row: no context, arguments or await.
pub trait PlainFields: Sized + 'static {
    /// Those fields, by GraphQL name, each with what its resolver answers.
    const FIELDS: &'static [(&'static str, Read<Self>)];
}

/// A list of `T` that reads its items' plain fields directly (see the module's comment).
/// Its GraphQL type is `[T!]!`, as `Vec<T>`'s.
pub struct Rows<T>(pub Vec<T>);

impl<T> FromIterator<T> for Rows<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Rows(iter.into_iter().collect())
    }
}

impl<T: OutputType + PlainFields> OutputType for Rows<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // `query_env` is public but hidden from async-graphql's docs: the document's
        // fragments, which its own resolvers read the same way (Cargo.lock holds the version).
        match plan::<T>(&ctx.item.node, &ctx.query_env.fragments) {
            Some(plan) => Ok(Value::List(
                self.0.iter().map(|row| plan.read(row)).collect(),
            )),
            None => resolve_list(ctx, field, &self.0, Some(self.0.len())).await,
        }
    }
}

/// The response keys of a selection of plain fields, in query order, and their reads.
struct Plan<T> {
    /// An item's object with every value null: copied per item, then filled in. A copy
    /// takes the keys' hashes along, where inserting hashes each key of each item again
    /// (a dashboard's page of 100 is thousands of objects; `IndexMap` inserts and their
    /// SipHash were ~7 % of its server samples, async-graphql's own objects included).
    template: IndexMap<Name, Value>,
    /// The read of each key, in the template's order.
    reads: Vec<Read<T>>,
}

impl<T> Plan<T> {
    /// The plan of these keys and reads; `None` when there are none (an item with no
    /// field left, all skipped, is null on async-graphql's road).
    fn new(fields: Vec<(Name, Read<T>)>) -> Option<Self> {
        if fields.is_empty() {
            return None;
        }
        let (keys, reads): (Vec<Name>, Vec<Read<T>>) = fields.into_iter().unzip();
        Some(Plan {
            template: keys.into_iter().map(|key| (key, Value::Null)).collect(),
            reads,
        })
    }

    /// One item as async-graphql would answer it.
    fn read(&self, row: &T) -> Value {
        let mut object = self.template.clone();
        for (value, read) in object.values_mut().zip(&self.reads) {
            *value = read(row);
        }
        Value::Object(object)
    }

    #[cfg(test)]
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.template.keys().map(Name::as_str)
    }
}

/// The plan that reads `set` (the selection on each item of a list of `T`), or `None`
/// when some of it needs async-graphql's own road.
fn plan<T: OutputType + PlainFields>(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
) -> Option<Plan<T>> {
    let mut fields = Vec::new();
    collect::<T>(set, fragments, &mut fields)?;
    Plan::new(fields)
}

fn collect<T: OutputType + PlainFields>(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    out: &mut Vec<(Name, Read<T>)>,
) -> Option<()> {
    for selection in &set.items {
        // `@skip` and `@include` are gone by now (async-graphql removes what they skip);
        // any directive left is one a resolver may act on.
        if !selection.node.directives().is_empty() {
            return None;
        }
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if !field.arguments.is_empty() || !field.selection_set.node.items.is_empty() {
                    return None;
                }
                let read: Read<T> = match field.name.node.as_str() {
                    "__typename" => type_name::<T>,
                    name => T::FIELDS.iter().find(|(f, _)| *f == name)?.1,
                };
                // A key selected twice (directly and in a fragment) is one field: the
                // validation has made sure both ask the same.
                let key = field.response_key().node.clone();
                if !out.iter().any(|(k, _)| *k == key) {
                    out.push((key, read));
                }
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let fragment = &fragments.get(&spread.node.fragment_name.node)?.node;
                if !fragment.directives.is_empty() {
                    return None;
                }
                (Some(&fragment.type_condition), &fragment.selection_set)
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref(),
                &fragment.node.selection_set,
            ),
        };
        // A fragment on an interface or union applies too, but is rare enough to leave
        // to async-graphql, which knows what implements what.
        if condition.is_some_and(|c| c.node.on.node.as_str() != T::type_name().as_ref()) {
            return None;
        }
        collect::<T>(&inner.node, fragments, out)?;
    }
    Some(())
}

fn type_name<T: OutputType>(_: &T) -> Value {
    Value::String(T::type_name().into_owned())
}

/// A text field's value.
pub fn text(value: &str) -> Value {
    Value::String(value.to_owned())
}

/// A nullable text field's value.
pub fn opt_text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, text)
}

/// A scalar field's value (numbers, booleans, dates, times, ids).
pub fn scalar<S: ScalarType>(value: &S) -> Value {
    value.to_value()
}

/// A nullable scalar field's value.
pub fn opt<S: ScalarType>(value: &Option<S>) -> Value {
    value.as_ref().map_or(Value::Null, ScalarType::to_value)
}

/// An enum field's value.
pub fn variant<E: EnumType>(value: E) -> Value {
    enum_value(value)
}

/// An `id` field's value.
pub fn id(value: ID) -> Value {
    Value::String(value.0)
}

/// Every type with plain fields, by GraphQL type name, with the field of `Project` that
/// lists its rows and the plain fields' names (for tests that read each both ways).
pub fn declared() -> [(&'static str, &'static str, Vec<&'static str>); 3] {
    fn names<T: PlainFields>() -> Vec<&'static str> {
        T::FIELDS.iter().map(|(name, _)| *name).collect()
    }
    [
        ("Stage", "stages", names::<super::delivery::Stage>()),
        ("Risk", "risks", names::<super::delivery::Risk>()),
        ("Ticket", "tickets", names::<super::ticket::Ticket>()),
    ]
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{parse_query, types::DocumentOperations};

    use super::*;
    use crate::graphql::delivery::Stage;

    /// The plan for the selection on `stages` in `query`.
    fn plan_of(query: &str) -> Option<Vec<String>> {
        let doc = parse_query(query).unwrap();
        let DocumentOperations::Single(op) = &doc.operations else {
            panic!("one operation")
        };
        let Selection::Field(field) = &op.node.selection_set.node.items[0].node else {
            panic!("a field")
        };
        plan::<Stage>(&field.node.selection_set.node, &doc.fragments)
            .map(|p| p.keys().map(str::to_owned).collect())
    }

    #[test]
    fn plain_selections_are_planned_in_query_order() {
        assert_eq!(
            plan_of("{ stages { name s: status dueDate __typename } }").unwrap(),
            ["name", "s", "dueDate", "__typename"]
        );
        assert_eq!(
            plan_of("{ stages { name ...F ... on Stage { position name } } } fragment F on Stage { dueDate }")
                .unwrap(),
            ["name", "dueDate", "position"]
        );
        assert_eq!(
            plan_of("{ stages { ... { version } } }").unwrap(),
            ["version"]
        );
    }

    #[test]
    fn anything_else_takes_the_resolvers_road() {
        for query in [
            // A field that is not plain, or has a selection or arguments.
            "{ stages { name milestoneState } }",
            "{ stages { name project { name } } }",
            "{ stages { events(last: 1) { kind } } }",
            // A directive left for resolvers to see (async-graphql takes out `@skip` and
            // `@include` before execution; others stay).
            "{ stages { name @include(if: true) } }",
            "{ stages { ... on Stage @include(if: true) { name } } }",
            // A fragment on another type (an interface).
            "{ stages { ... on Node { id } } }",
            "{ stages { ...F } } fragment F on Node { id }",
            // A fragment the document lacks.
            "{ stages { ...Missing } }",
        ] {
            assert_eq!(plan_of(query), None, "{query}");
        }
    }

    #[test]
    fn each_item_gets_its_own_values_under_the_plans_keys() {
        struct Row(i32, &'static str);
        let plan = Plan::<Row>::new(vec![
            (Name::new("b"), |r| text(r.1)),
            (Name::new("a"), |r| Value::from(r.0)),
        ])
        .unwrap();
        let items: Vec<Value> = [Row(1, "x"), Row(2, "y")]
            .iter()
            .map(|row| plan.read(row))
            .collect();
        assert_eq!(
            serde_json::to_string(&items).unwrap(),
            r#"[{"b":"x","a":1},{"b":"y","a":2}]"#
        );
        // Read by key too: the copied index finds each value.
        let Value::Object(first) = &items[0] else {
            panic!("an object")
        };
        assert_eq!(first.get("a"), Some(&Value::from(1)));
        assert!(Plan::<Row>::new(Vec::new()).is_none());
    }

    #[test]
    fn an_empty_selection_is_left_to_async_graphql() {
        let doc = parse_query("{ stages { name } }").unwrap();
        assert!(plan::<Stage>(&SelectionSet::default(), &doc.fragments).is_none());
    }
}

//! Response fields in query order.
//!
//! async-graphql resolves the fields of an object concurrently and inserts each into the
//! response when it finishes, so `{ projects events }` may answer `{ events projects }`.
//! The specification orders response fields as the query's selection sets do (fragments
//! expanded in place); clients that compare or display responses rely on it. This puts
//! every object of `data` back in that order.

use async_graphql::{
    Name, Value,
    indexmap::IndexMap,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Reorders `data` as the operation `operation_name` of `doc` selects it.
pub fn order_like_query(data: &mut Value, doc: &ExecutableDocument, operation_name: Option<&str>) {
    if let Some(op) = super::selected_operation(doc, operation_name) {
        reorder(data, &[&op.selection_set.node], doc);
    }
}

/// The response keys the selection sets ask for, in document order, each with the
/// selection sets of its sub-fields (one field may be selected in several places).
fn collect<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    out: &mut Vec<(Name, Vec<&'a SelectionSet>)>,
) {
    for set in sets {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.alias.as_ref().unwrap_or(&field.name).node.clone();
                    let sub = &field.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => out.push((key, vec![sub])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        collect(&[&fragment.node.selection_set.node], doc, out);
                    }
                }
                Selection::InlineFragment(inline) => {
                    collect(&[&inline.node.selection_set.node], doc, out)
                }
            }
        }
    }
}

/// The response keys of a selection, in order, each with its sub-fields' selection sets.
type Order<'a> = Vec<(Name, Vec<&'a SelectionSet>)>;

fn reorder(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    if matches!(value, Value::Object(_) | Value::List(_)) {
        // Once per selection, not per item: a list's objects share it.
        let mut order = Vec::new();
        collect(sets, doc, &mut order);
        apply(value, &order, doc);
    }
}

fn apply(value: &mut Value, order: &Order<'_>, doc: &ExecutableDocument) {
    match value {
        // Most objects already are in order: walked side by side with the selection,
        // with no lookup by key (hashing every key of every object was 4 % of a
        // dashboard's CPU).
        Value::Object(map) if in_order(map, order) => {
            let mut selected = order.iter();
            for (key, child) in map.iter_mut() {
                if let Some((_, subs)) = selected.find(|(k, _)| k == key) {
                    reorder(child, subs, doc);
                }
            }
        }
        Value::Object(map) => {
            for (key, subs) in order {
                if let Some(child) = map.get_mut(key) {
                    reorder(child, subs, doc);
                }
            }
            let mut ordered = IndexMap::with_capacity(map.len());
            for (key, _) in order {
                if let Some(child) = map.shift_remove(key) {
                    ordered.insert(key.clone(), child);
                }
            }
            // Anything not named by the query (there should be nothing) keeps its place after.
            ordered.extend(map.drain(..));
            *map = ordered;
        }
        Value::List(items) => items.iter_mut().for_each(|item| apply(item, order, doc)),
        _ => {}
    }
}

/// Whether `map` holds exactly the keys of `order` it has, in that order, and no other.
fn in_order(map: &IndexMap<Name, Value>, order: &Order<'_>) -> bool {
    let mut selected = order.iter();
    map.keys().all(|key| selected.any(|(k, _)| k == key))
}

#[cfg(test)]
mod tests {
    use async_graphql::{Value, parser::parse_query, value};

    use super::*;

    #[test]
    fn fields_come_back_in_query_order_through_aliases_fragments_and_lists() {
        let doc =
            parse_query("{ b a: x { ...F d } } fragment F on T { ... on T { c } e }").unwrap();
        let mut data: Value = value!({ "a": [{ "d": 1, "e": 2, "c": 3 }], "b": 0 });
        order_like_query(&mut data, &doc, None);
        let json = serde_json::to_string(&data).unwrap();
        assert_eq!(json, r#"{"b":0,"a":[{"c":3,"e":2,"d":1}]}"#);
    }

    #[test]
    fn each_item_of_a_list_is_ordered_and_one_in_order_is_left_as_it_is() {
        let doc = parse_query("{ xs { a b ys { c d } } }").unwrap();
        let mut data: Value = value!({ "xs": [
            { "a": 1, "b": 2, "ys": [{ "c": 3, "d": 4 }] },
            { "ys": [{ "d": 5, "c": 6 }], "b": 7, "a": 8 },
        ] });
        order_like_query(&mut data, &doc, None);
        let json = serde_json::to_string(&data).unwrap();
        assert_eq!(
            json,
            r#"{"xs":[{"a":1,"b":2,"ys":[{"c":3,"d":4}]},{"a":8,"b":7,"ys":[{"c":6,"d":5}]}]}"#
        );
    }

    #[test]
    fn a_key_the_query_does_not_name_puts_an_object_out_of_order() {
        let doc = parse_query("{ a b }").unwrap();
        let order: Order<'_> = {
            let mut out = Vec::new();
            let op = crate::graphql::selected_operation(&doc, None).unwrap();
            collect(&[&op.selection_set.node], &doc, &mut out);
            out
        };
        let map = |v: Value| match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        assert!(in_order(&map(value!({ "a": 1, "b": 2 })), &order));
        assert!(in_order(&map(value!({ "b": 2 })), &order));
        assert!(!in_order(&map(value!({ "b": 2, "a": 1 })), &order));
        assert!(!in_order(&map(value!({ "a": 1, "z": 0, "b": 2 })), &order));
        assert!(!in_order(&map(value!({ "a": 1, "b": 2, "z": 0 })), &order));
    }
}

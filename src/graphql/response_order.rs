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

fn reorder(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::Object(map) => {
            let mut order = Vec::new();
            collect(sets, doc, &mut order);
            let mut ordered = IndexMap::with_capacity(map.len());
            for (key, subs) in order {
                if let Some(mut child) = map.shift_remove(&key) {
                    reorder(&mut child, &subs, doc);
                    ordered.insert(key, child);
                }
            }
            // Anything not named by the query (there should be nothing) keeps its place after.
            ordered.extend(map.drain(..));
            *map = ordered;
        }
        Value::List(items) => items.iter_mut().for_each(|item| reorder(item, sets, doc)),
        _ => {}
    }
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
}

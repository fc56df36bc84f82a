//! What can be checked from the document and the variables alone is checked before
//! anything runs.
//!
//! async-graphql's validation knows types, not ranges, and takes any number for an `Int`
//! and any string for a `DateTime`: those would fail one field at a time during
//! execution, after a mutation had already committed. Here every argument of the
//! operation, nested input fields included, is checked against
//! - the formats of the scalars (`Int` in 32 bits, `DateTime`, `NaiveDate`, `NaiveTime`:
//!   the very parsers execution uses; `JSON` takes any value), and
//! - the `@constraint` declared on the argument or input field in the schema (`min`,
//!   `max`, `maxItems`): the one place a range is written.
//!
//! A failure refuses the request whole, as a request error (`BAD_USER_INPUT` naming the
//! argument), so a mutation runs only when every argument in its selection is valid.
//! Root fields the caller may not use are skipped: [`super::access`] refuses them first
//! (subscription roots, which run no resolve hook, are refused here).

use async_graphql::{
    Name, ScalarType, ServerError, TypeDirective, Variables,
    parser::types::{
        ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    },
    registry::{MetaInputValue, MetaType, MetaTypeName, Registry},
};

use super::access;
use crate::{auth::Caller, error::AppError};

/// A bound on an argument or input field, enforced before execution: `min`/`max` for
/// numbers, `maxItems` for lists.
#[TypeDirective(location = "ArgumentDefinition", location = "InputFieldDefinition")]
pub fn constraint(min: Option<i32>, max: Option<i32>, max_items: Option<i32>) {}

/// The refusals of the operation `op` of `doc` (the one the request runs), for `caller`;
/// empty when it may run.
pub fn check(
    registry: &Registry,
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    variables: &Variables,
    caller: &Caller,
) -> Vec<ServerError> {
    let root = match op.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let mut walk = Walk {
        registry,
        doc,
        variables,
        op,
        caller,
        errors: Vec::new(),
        fragments_seen: Vec::new(),
    };
    if let Some(root) = root {
        walk.selection_set(root, &op.selection_set.node, true);
    }
    walk.errors
}

struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    op: &'a OperationDefinition,
    caller: &'a Caller,
    errors: Vec<ServerError>,
    /// Fragments already walked for a type: a fragment spread twice is checked once.
    fragments_seen: Vec<(&'a str, &'a str)>,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, ty: &'a str, set: &'a SelectionSet, at_root: bool) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if name.starts_with("__") {
                        continue;
                    }
                    if at_root
                        && let Err(refused) = access::check(self.caller, access::needs(ty, name))
                    {
                        // A subscription that may not run is refused here, whole (a
                        // request error, not a stream); other root fields are refused
                        // each in its place by `super::root`.
                        if self.registry.subscription_type.as_deref() == Some(ty) {
                            let err: async_graphql::Error = refused.into();
                            self.errors.push(err.into_server_error(field.name.pos));
                        }
                        continue;
                    }
                    let Some(meta) = self
                        .registry
                        .types
                        .get(ty)
                        .and_then(|t| t.field_by_name(name))
                    else {
                        continue;
                    };
                    let at = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
                    for (arg_name, value) in &field.arguments {
                        if let Some(arg) = meta.args.get(arg_name.node.as_str()) {
                            // Missing variables are async-graphql's to report.
                            let Ok(value) = value
                                .node
                                .clone()
                                .into_const_with(|name| self.variable(name))
                            else {
                                continue;
                            };
                            let path = Path {
                                field: at,
                                argument: arg.name.clone(),
                            };
                            self.value(arg, &arg.ty, &value, &path, arg_name.pos);
                        }
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty);
                    self.selection_set(child, &field.selection_set.node, false);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if self.fragments_seen.contains(&(name, ty)) {
                        continue;
                    }
                    self.fragments_seen.push((name, ty));
                    if let Some(fragment) = self.doc.fragments.get(name) {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.selection_set(on, &fragment.node.selection_set.node, at_root);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    self.selection_set(on, &inline.node.selection_set.node, at_root);
                }
            }
        }
    }

    /// A variable's value, or its default in the operation.
    fn variable(&self, name: Name) -> Result<async_graphql::Value, ()> {
        self.variables
            .get(&name)
            .cloned()
            .or_else(|| {
                self.op
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == name)
                    .and_then(|d| d.node.default_value.as_ref())
                    .map(|v| v.node.clone())
            })
            .ok_or(())
    }

    fn value(
        &mut self,
        input: &MetaInputValue,
        ty: &str,
        value: &async_graphql::Value,
        path: &Path<'_>,
        pos: async_graphql::Pos,
    ) {
        if matches!(value, async_graphql::Value::Null) {
            return;
        }
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => self.value(input, inner, value, path, pos),
            MetaTypeName::List(item) => {
                let async_graphql::Value::List(items) = value else {
                    // A single value where a list is expected is a list of one.
                    return self.value(input, item, value, path, pos);
                };
                if let Some(max) = bound(input, "maxItems")
                    && items.len() > max as usize
                {
                    self.refuse(path, pos, format!("takes at most {max} items"));
                }
                for (i, item_value) in items.iter().enumerate() {
                    let path = path.then(&format!("[{i}]"));
                    self.value(input, item, item_value, &path, pos);
                }
            }
            MetaTypeName::Named(name) => match self.registry.types.get(name) {
                Some(MetaType::Scalar { .. }) => self.scalar(input, name, value, path, pos),
                Some(MetaType::InputObject { input_fields, .. }) => {
                    let async_graphql::Value::Object(fields) = value else {
                        return;
                    };
                    for (field_name, field_value) in fields {
                        if let Some(field) = input_fields.get(field_name.as_str()) {
                            let path = path.then(&format!(".{}", field.name));
                            self.value(field, &field.ty, field_value, &path, pos);
                        }
                    }
                }
                _ => {}
            },
        }
    }

    fn scalar(
        &mut self,
        input: &MetaInputValue,
        name: &str,
        value: &async_graphql::Value,
        path: &Path<'_>,
        pos: async_graphql::Pos,
    ) {
        if let Some(problem) = scalar_problem(name, value) {
            return self.refuse(path, pos, problem);
        }
        let Some(n) = value_as_i64(value) else {
            return;
        };
        let (min, max) = (bound(input, "min"), bound(input, "max"));
        let outside =
            min.is_some_and(|min| n < i64::from(min)) || max.is_some_and(|max| n > i64::from(max));
        if outside {
            let message = match (min, max) {
                (Some(min), Some(max)) => format!("must be between {min} and {max}"),
                (Some(min), None) => format!("must be at least {min}"),
                (None, Some(max)) => format!("must be at most {max}"),
                (None, None) => unreachable!("outside needs a bound"),
            };
            self.refuse(path, pos, message);
        }
    }

    fn refuse(&mut self, path: &Path<'_>, pos: async_graphql::Pos, problem: String) {
        let message = format!("{}({}:) {problem}", path.field, path.argument);
        let err: async_graphql::Error = AppError::input(path.innermost(), message).into();
        let mut err = err.into_server_error(pos);
        if let Some(ext) = &mut err.extensions {
            ext.set("argument", path.argument.as_str());
        }
        self.errors.push(err);
    }
}

/// Where a value sits: the field (by its response key) and the path in its argument,
/// e.g. `createRisk` and `input.likelihood`, or `updateServiceLevelPolicy` and
/// `input.targets[0].minutes`.
struct Path<'a> {
    field: &'a str,
    argument: String,
}

impl Path<'_> {
    fn then(&self, step: &str) -> Self {
        Path {
            field: self.field,
            argument: format!("{}{step}", self.argument),
        }
    }

    /// The input field itself, as the services name it in `extensions.field`.
    fn innermost(&self) -> String {
        let last = self.argument.rsplit('.').next().unwrap_or(&self.argument);
        last.split('[').next().unwrap_or(last).to_owned()
    }
}

fn value_as_i64(value: &async_graphql::Value) -> Option<i64> {
    match value {
        async_graphql::Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// The integer argument `arg` of the `@constraint` on `input`, if any.
fn bound(input: &MetaInputValue, arg: &str) -> Option<i32> {
    input
        .directive_invocations
        .iter()
        .filter(|d| d.name == "constraint")
        .find_map(|d| match d.args.get(arg) {
            Some(async_graphql::Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        })
}

/// Why `value` is no `name` scalar, by the parser execution would use.
fn scalar_problem(name: &str, value: &async_graphql::Value) -> Option<String> {
    fn parses<T: ScalarType>(value: &async_graphql::Value) -> bool {
        T::parse(value.clone()).is_ok()
    }
    let (ok, expected) = match name {
        "Int" => (parses::<i32>(value), "a 32-bit integer"),
        "DateTime" => (
            parses::<chrono::DateTime<chrono::Utc>>(value),
            "an RFC 3339 date and time, e.g. 2026-12-01T09:30:00Z",
        ),
        "NaiveDate" => (
            parses::<chrono::NaiveDate>(value),
            "a date as YYYY-MM-DD, e.g. 2026-12-01",
        ),
        "NaiveTime" => (
            parses::<chrono::NaiveTime>(value),
            "a time as HH:MM:SS, e.g. 09:30:00",
        ),
        // async-graphql's own parser panics on a placeholder without a number after it;
        // only what its multipart reader writes (`#__graphql_file__:<n>`) gets past here.
        "Upload" => (
            matches!(value, async_graphql::Value::String(s)
                if s.strip_prefix("#__graphql_file__:").is_some_and(|n| n.parse::<usize>().is_ok())),
            "a file sent as a part of a multipart request (the GraphQL multipart request specification)",
        ),
        _ => return None,
    };
    (!ok).then(|| format!("must be {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(name: &str, json: serde_json::Value) -> Option<String> {
        scalar_problem(name, &async_graphql::Value::from_json(json).expect("json"))
    }

    #[test]
    fn scalars_are_checked_by_the_parsers_execution_uses() {
        assert!(problem("Int", serde_json::json!(99_999_999_999_i64)).is_some());
        assert!(problem("Int", serde_json::json!(2_147_483_647)).is_none());
        assert!(problem("DateTime", serde_json::json!("yesterday")).is_some());
        assert!(problem("DateTime", serde_json::json!("2026-12-01T09:30:00Z")).is_none());
        assert!(problem("NaiveDate", serde_json::json!("junk")).is_some());
        assert!(problem("NaiveDate", serde_json::json!("2026-12-01")).is_none());
        assert!(problem("NaiveTime", serde_json::json!("25:00:00")).is_some());
        assert!(problem("String", serde_json::json!("anything")).is_none());
        // A file is only ever what the multipart reader put in the variables.
        assert!(problem("Upload", serde_json::json!("x")).is_some());
        assert!(problem("Upload", serde_json::json!("#__graphql_file__:x")).is_some());
        assert!(problem("Upload", serde_json::json!(null)).is_some());
        assert!(problem("Upload", serde_json::json!("#__graphql_file__:0")).is_none());
    }

    /// async-graphql parses its custom scalars only when a resolver runs, and an error
    /// there carries no code (an `Upload` placeholder without a number even panics). So
    /// every scalar of the schema is checked here first, but JSON, which any value is.
    #[test]
    fn every_scalar_of_the_schema_is_checked_before_execution() {
        let sdl = super::super::sdl();
        let scalars: Vec<&str> = sdl
            .lines()
            .filter_map(|l| l.strip_prefix("scalar "))
            .map(str::trim)
            .collect();
        assert!(scalars.contains(&"DateTime"), "{scalars:?}");
        for name in scalars.into_iter().filter(|n| *n != "JSON") {
            assert!(
                problem(name, serde_json::json!({ "not": "a scalar" })).is_some(),
                "the preflight does not check the scalar {name}"
            );
        }
    }
}

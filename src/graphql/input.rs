//! Parsing GraphQL arguments into the checked values services take.

use async_graphql::{ID, MaybeUndefined};

use super::ids::{NodeKind, decode_as};
use crate::{
    domain::input::{opt_text, text},
    error::AppResult,
};

/// A nullable field of an update: absent leaves it, `null` (or blank) clears it.
pub fn patch_text(
    field: &str,
    value: MaybeUndefined<String>,
    max: usize,
) -> AppResult<Option<Option<String>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => opt_text(field, Some(&v), max).map(Some),
    }
}

/// A required field of an update: absent leaves it; given, it must be a valid text.
pub fn set_text(field: &str, value: Option<String>, max: usize) -> AppResult<Option<String>> {
    value.map(|v| text(field, &v, max)).transpose()
}

/// A nullable non-text field of an update.
pub fn patch<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// A nullable id field of an update.
pub fn patch_id(
    field: &str,
    value: MaybeUndefined<ID>,
    kind: NodeKind,
) -> AppResult<Option<Option<i64>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(id) => decode_as(field, &id, kind).map(|id| Some(Some(id))),
    }
}

/// An optional id argument.
pub fn opt_id(field: &str, value: Option<&ID>, kind: NodeKind) -> AppResult<Option<i64>> {
    value.map(|id| decode_as(field, id, kind)).transpose()
}

/// A list of ids of one kind.
pub fn ids(field: &str, values: Option<Vec<ID>>, kind: NodeKind) -> AppResult<Vec<i64>> {
    values
        .unwrap_or_default()
        .iter()
        .map(|id| decode_as(field, id, kind))
        .collect()
}

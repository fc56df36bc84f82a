//! Only the columns a query reads, for rows loaded in bulk: a field's children, a page.
//!
//! A dashboard's open tickets are hundreds of rows a page; the query prints three fields
//! of each, and decoding the rest (descriptions, timestamps, ids of people) is most of
//! what reading a row costs. A table declares, beside its GraphQL object, which columns
//! each of the object's fields reads ([`FieldColumns`], checked against every field by
//! `tests/api/columns.rs`); the look-ahead of the field being resolved then names the
//! columns its rows need ([`Columns::of`]). A field not declared means the whole row.
//!
//! The others are not left out of the statement (the row type has every column) but
//! stood in for by a constant that costs nothing to send or decode: `NULL` for a nullable
//! column, `''` for text. Columns of other types are read as they are. Such rows are
//! only ever handed to the resolvers of the selection they were read for: they never
//! enter a by-id cache.

use async_graphql::Lookahead;
use sea_orm::{
    ColumnTrait, ColumnType, EntityTrait, IdenStatic, Iterable, QuerySelect, Select,
    sea_query::{Expr, StringLen},
};

use super::loaders::Keyed;

/// For each GraphQL field of a table's object, the columns it reads (by name).
pub type FieldColumns = &'static [(&'static str, &'static [&'static str])];

/// Every GraphQL object whose fields declare the columns they read, by type name, with
/// the field of `Project` that lists its rows (`None`: the projects page itself), for
/// tests that read each field both ways.
pub fn declared() -> [(&'static str, Option<&'static str>, FieldColumns); 4] {
    [
        ("Project", None, super::project::COLUMNS),
        ("Ticket", Some("tickets"), super::ticket::COLUMNS),
        ("Stage", Some("stages"), super::delivery::STAGE_COLUMNS),
        ("Risk", Some("risks"), super::delivery::RISK_COLUMNS),
    ]
}

/// A set of a table's columns: bit `i` is its `i`-th column (in declaration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns(u64);

impl Columns {
    /// Every column: the whole row.
    pub const ALL: Columns = Columns(u64::MAX);

    /// The columns of `E` that the sub-fields of `look` (the field being resolved, whose
    /// items are rows of `E`) read, with `always` (the row's id, the column a loader
    /// groups by). Any field `E` does not declare: all of them.
    pub fn of<E: Keyed>(look: &Lookahead<'_>, always: &[E::Column]) -> Columns {
        let Some(fields) = E::field_columns() else {
            return Columns::ALL;
        };
        let mut set = Columns(0);
        for column in always {
            set.add::<E>(column.as_str());
        }
        for occurrence in look.selection_fields() {
            for field in occurrence.selection_set() {
                let name = field.name();
                if name == "__typename" {
                    continue;
                }
                let Some((_, columns)) = fields.iter().find(|(f, _)| *f == name) else {
                    return Columns::ALL;
                };
                for column in *columns {
                    if !set.add::<E>(column) {
                        return Columns::ALL;
                    }
                }
            }
        }
        set
    }

    /// Adds column `name` of `E`; false if `E` has no such column (or more than 64).
    fn add<E: EntityTrait>(&mut self, name: &str) -> bool {
        match E::Column::iter().position(|c| c.as_str() == name) {
            Some(i) if i < 64 => {
                self.0 |= 1 << i;
                true
            }
            _ => false,
        }
    }

    fn has(self, i: usize) -> bool {
        i >= 64 || self.0 & (1 << i) != 0
    }

    /// `select` reading only these columns, the others stood in for where that is free.
    pub fn apply<E: EntityTrait>(self, select: Select<E>) -> Select<E> {
        if self == Columns::ALL {
            return select;
        }
        let mut select = select.select_only();
        for (i, column) in E::Column::iter().enumerate() {
            select = match stand_in(&column) {
                Some(constant) if !self.has(i) => {
                    select.column_as(Expr::cust(constant), column.as_str())
                }
                _ => select.column(column),
            };
        }
        select
    }
}

/// A constant that decodes as a column's type at no cost, if it has one.
fn stand_in<C: ColumnTrait>(column: &C) -> Option<&'static str> {
    let def = column.def();
    if def.is_null() {
        return Some("NULL");
    }
    match def.get_column_type() {
        // Enums are short strings of a fixed length (`String(N(32))`), and would not
        // decode from ''; free text has no length.
        ColumnType::Text | ColumnType::String(StringLen::None) => Some("''"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryFilter, QueryTrait};

    use super::*;

    #[test]
    fn columns_not_read_are_stood_in_for_where_that_is_free() {
        use entity::ticket::{Column, Entity};
        let mut set = Columns(0);
        for name in ["id", "project_id", "title", "status"] {
            assert!(set.add::<Entity>(name));
        }
        assert!(!set.add::<Entity>("no_such_column"));
        let sql = set
            .apply(Entity::find().filter(sea_orm::ColumnTrait::eq(&Column::ProjectId, 1)))
            .build(DbBackend::Postgres)
            .to_string();
        for read in ["\"title\"", "\"status\"", "\"project_id\"", "\"priority\""] {
            assert!(
                sql.contains(&format!("\"tickets\".{read}")),
                "{read}: {sql}"
            );
        }
        // Nullable: NULL; free text: ''.
        assert!(sql.contains("NULL AS \"description\""), "{sql}");
        assert!(sql.contains("NULL AS \"assignee_id\""), "{sql}");
        // A non-null timestamp is read as it is.
        assert!(sql.contains("\"tickets\".\"created_at\""), "{sql}");
        assert_eq!(
            Columns::ALL
                .apply(Entity::find())
                .build(DbBackend::Postgres)
                .to_string(),
            Entity::find().build(DbBackend::Postgres).to_string()
        );
    }
}

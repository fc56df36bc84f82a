//! Only the columns a query reads, for rows loaded in bulk: a field's children, a page.
//!
//! A dashboard's open tickets are hundreds of rows a page; the query prints three fields
//! of each. Every other column costs twice: PostgreSQL converts and sends each value of
//! each row (most of what such a statement costs it), and the driver copies and decodes
//! it. A table declares, beside its GraphQL object, which columns each of the object's
//! fields reads ([`FieldColumns`], checked against every field by `tests/api/columns.rs`);
//! the look-ahead of the field being resolved then names the columns its rows need
//! ([`Columns::of`]). A field not declared means the whole row.
//!
//! The statement selects those columns only ([`Columns::apply`]); [`Reader`] makes each
//! row whole again from the table's blank row (its model's `Default`), so that resolvers
//! keep one row type. Such rows are only ever handed to the resolvers of the selection
//! they were read for: a by-id cache keeps them under their columns too
//! (`loaders::selected_one`), never as whole rows. What [`Redact`] reads is always read, so
//! a row read in part is redacted as the whole row would be.

use async_graphql::Lookahead;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{
    ColIdx, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, ModelTrait,
    QueryResult, QuerySelect, QueryTrait, Select, Value,
};

use super::loaders::Keyed;
use crate::auth::scope::Redact;

/// For each GraphQL field of a table's object, the columns it reads (by name).
pub type FieldColumns = &'static [(&'static str, &'static [&'static str])];

/// Every GraphQL object whose fields declare the columns they read, by type name, with
/// the field of `Project` that lists its rows or holds its row (`None`: the projects page
/// itself), for tests that read each field both ways.
pub fn declared() -> [(&'static str, Option<&'static str>, FieldColumns); 5] {
    [
        ("Project", None, super::project::COLUMNS),
        ("Client", Some("client"), super::client::COLUMNS),
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
        let (Some(fields), Some(_)) = (E::field_columns(), E::blank()) else {
            return Columns::ALL;
        };
        let mut set = Columns(0);
        for column in always {
            set.add::<E>(column.as_str());
        }
        for column in <E::Model as Redact>::READS {
            if !set.add::<E>(column) {
                return Columns::ALL;
            }
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

    /// Every column of `E`, as a set a [`Reader`] reads by position (where [`Columns::ALL`]
    /// reads by name).
    pub fn every<E: EntityTrait>() -> Columns {
        match E::Column::iter().count() {
            n @ 0..64 => Columns((1 << n) - 1),
            _ => Columns::ALL,
        }
    }

    /// These columns but `column` (of `E`).
    pub fn without<E: EntityTrait>(self, column: E::Column) -> Columns {
        match E::Column::iter().position(|c| c.as_str() == column.as_str()) {
            Some(i) if i < 64 && self != Columns::ALL => Columns(self.0 & !(1 << i)),
            _ => self,
        }
    }

    pub(super) fn has(self, i: usize) -> bool {
        i >= 64 || self.0 & (1 << i) != 0
    }

    /// `select` reading only these columns (in the table's order), to read with
    /// [`Reader`].
    pub fn apply<E: EntityTrait>(self, select: Select<E>) -> Select<E> {
        if self == Columns::ALL {
            return select;
        }
        let mut select = select.select_only();
        for (i, column) in E::Column::iter().enumerate() {
            if self.has(i) {
                select = select.column(column);
            }
        }
        select
    }

    /// Runs `select`, narrowed by [`Columns::apply`], and reads its rows.
    pub async fn all<E: Keyed>(
        self,
        db: &impl ConnectionTrait,
        select: Select<E>,
    ) -> Result<Vec<E::Model>, DbErr> {
        if self == Columns::ALL {
            return select.all(db).await;
        }
        let reader = Reader::<E>::new(self)?;
        let statement = select.build(db.get_database_backend());
        db.query_all_raw(statement)
            .await?
            .iter()
            .map(|row| reader.read(row))
            .collect()
    }
}

/// Reads rows whose own columns are those of a [`Columns`] (first in the row, in the
/// table's order, as [`Columns::apply`] selects them) into whole models: the blank row
/// with the columns read set, by position.
pub struct Reader<E: EntityTrait> {
    /// `None`: the whole row, by name.
    part: Option<Part<E>>,
}

/// The blank row, and the columns read (in the row's order) with how to decode each.
struct Part<E: EntityTrait> {
    blank: E::Model,
    read: Vec<(E::Column, Kind)>,
}

/// How a column's values are decoded: its model field's type, as its blank value shows.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    BigInt,
    Double,
    Text,
    Json,
    Date,
    Instant,
}

impl Kind {
    fn of(value: &Value) -> Option<Kind> {
        Some(match value {
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::BigInt(_) => Kind::BigInt,
            Value::Double(_) => Kind::Double,
            Value::String(_) => Kind::Text,
            Value::Json(_) => Kind::Json,
            Value::ChronoDate(_) => Kind::Date,
            Value::ChronoDateTimeUtc(_) => Kind::Instant,
            _ => return None,
        })
    }

    /// A value of this kind from JSON as the databases write columns into it
    /// (`super::nested`): booleans as `true` or 1, dates and instants as text.
    fn read_json(self, value: serde_json::Value) -> Option<Value> {
        use serde_json::Value as J;
        if value.is_null() {
            return Some(self.null());
        }
        Some(match (self, value) {
            (Kind::Bool, J::Bool(b)) => Value::Bool(Some(b)),
            (Kind::Bool, J::Number(n)) => Value::Bool(Some(n.as_i64()? != 0)),
            (Kind::Int, J::Number(n)) => Value::Int(Some(i32::try_from(n.as_i64()?).ok()?)),
            (Kind::BigInt, J::Number(n)) => Value::BigInt(Some(n.as_i64()?)),
            (Kind::Double, J::Number(n)) => Value::Double(Some(n.as_f64()?)),
            (Kind::Text, J::String(s)) => Value::String(Some(s)),
            (Kind::Json, value) => Value::Json(Some(Box::new(value))),
            (Kind::Date, J::String(s)) => {
                Value::ChronoDate(Some(NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()?))
            }
            (Kind::Instant, J::String(s)) => Value::ChronoDateTimeUtc(Some(instant(&s)?)),
            _ => return None,
        })
    }

    /// A value of this kind as PostgreSQL writes it by [`Kind::pg_text`].
    fn read_text(self, text: Option<String>) -> Option<Value> {
        let Some(text) = text else {
            return Some(self.null());
        };
        Some(match self {
            Kind::Bool => Value::Bool(Some(match text.as_str() {
                "true" => true,
                "false" => false,
                _ => return None,
            })),
            Kind::Int => Value::Int(Some(text.parse().ok()?)),
            Kind::BigInt => Value::BigInt(Some(text.parse().ok()?)),
            Kind::Double => Value::Double(Some(text.parse().ok()?)),
            Kind::Text => Value::String(Some(text)),
            Kind::Json => Value::Json(Some(Box::new(serde_json::from_str(&text).ok()?))),
            Kind::Date => {
                Value::ChronoDate(Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?))
            }
            Kind::Instant => Value::ChronoDateTimeUtc(Some(instant(&text)?)),
        })
    }

    /// `column` as text on PostgreSQL: dates and instants (in UTC) in ISO form whatever
    /// the session's `DateStyle` and `TimeZone`.
    fn pg_text(self, column: &str) -> String {
        match self {
            Kind::Date => format!("to_char({column}, 'YYYY-MM-DD')"),
            Kind::Instant => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')")
            }
            Kind::Text => column.to_owned(),
            _ => format!("{column}::text"),
        }
    }

    fn null(self) -> Value {
        match self {
            Kind::Bool => Value::Bool(None),
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Double => Value::Double(None),
            Kind::Text => Value::String(None),
            Kind::Json => Value::Json(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Instant => Value::ChronoDateTimeUtc(None),
        }
    }

    /// The value of the column at `at` (a position, or a name).
    fn read(self, row: &QueryResult, at: impl ColIdx) -> Result<Value, DbErr> {
        Ok(match self {
            Kind::Bool => Value::Bool(row.try_get_by(at)?),
            Kind::Int => Value::Int(row.try_get_by(at)?),
            Kind::BigInt => Value::BigInt(row.try_get_by(at)?),
            Kind::Double => Value::Double(row.try_get_by(at)?),
            Kind::Text => Value::String(row.try_get_by(at)?),
            Kind::Json => Value::Json(
                row.try_get_by::<Option<serde_json::Value>, _>(at)?
                    .map(Box::new),
            ),
            Kind::Date => Value::ChronoDate(row.try_get_by(at)?),
            Kind::Instant => Value::ChronoDateTimeUtc(row.try_get_by(at)?),
        })
    }
}

/// An instant as PostgreSQL writes a `timestamptz` into JSON (RFC 3339) or as SQLite
/// holds one (RFC 3339, or with a space for the `T`, with or without an offset: UTC).
fn instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.to_utc());
    }
    let text = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f%#z") {
        return Some(t.to_utc());
    }
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(naive.and_utc())
}

impl<E: Keyed> Reader<E> {
    pub fn new(columns: Columns) -> Result<Self, DbErr> {
        if columns == Columns::ALL {
            return Ok(Self { part: None });
        }
        let table = E::default().table_name();
        let blank = E::blank()
            .ok_or_else(|| DbErr::Custom(format!("{table} has no blank row to read into")))?;
        let mut read = Vec::new();
        for (i, column) in E::Column::iter().enumerate() {
            if columns.has(i) {
                let kind = Kind::of(&blank.get(column)).ok_or_else(|| {
                    DbErr::Custom(format!("{table}.{}: no reader", column.as_str()))
                })?;
                read.push((column, kind));
            }
        }
        Ok(Self {
            part: Some(Part { blank, read }),
        })
    }

    /// The columns read, in the order a row holds them; `None`: the whole row, by name.
    pub fn columns(&self) -> Option<impl Iterator<Item = E::Column> + '_> {
        let part = self.part.as_ref()?;
        Some(part.read.iter().map(|(column, _)| *column))
    }

    /// The columns read as PostgreSQL text, in the order of [`Reader::columns`], each
    /// qualified by `table` (quoted).
    pub fn pg_text_columns(&self, table: &str) -> Vec<String> {
        let Some(part) = &self.part else {
            return Vec::new();
        };
        part.read
            .iter()
            .map(|(column, kind)| kind.pg_text(&format!("\"{table}\".\"{}\"", column.as_str())))
            .collect()
    }

    /// Whether every column read comes back exactly from the text a page's statement
    /// gathers children into (`super::nested`): SQLite's JSON writes a double with 15
    /// digits, and JSON held as text as a string; so neither kind is gathered anywhere.
    pub fn reads_json_exactly(&self) -> bool {
        self.part.as_ref().is_some_and(|part| {
            part.read
                .iter()
                .all(|(_, kind)| !matches!(kind, Kind::Double | Kind::Json))
        })
    }

    /// A row from a JSON array of its columns' values, in the order of [`Reader::columns`].
    pub fn read_json(&self, values: Vec<serde_json::Value>) -> Result<E::Model, DbErr> {
        self.read_values(values, Kind::read_json)
    }

    /// A row from its columns' values as [`Reader::pg_text_columns`] writes them.
    pub fn read_text(&self, values: Vec<Option<String>>) -> Result<E::Model, DbErr> {
        self.read_values(values, Kind::read_text)
    }

    fn read_values<V>(
        &self,
        values: Vec<V>,
        read_value: impl Fn(Kind, V) -> Option<Value>,
    ) -> Result<E::Model, DbErr> {
        let Some(Part { blank, read }) = &self.part else {
            return Err(DbErr::Custom(
                "a whole row is read by name, not by position".into(),
            ));
        };
        if values.len() != read.len() {
            return Err(DbErr::Type(format!(
                "{} values for {} columns",
                values.len(),
                read.len()
            )));
        }
        let mut model = blank.clone();
        for ((column, kind), value) in read.iter().zip(values) {
            let value = read_value(*kind, value)
                .ok_or_else(|| DbErr::Type(format!("{}: not a {kind:?}", column.as_str())))?;
            model.try_set(*column, value)?;
        }
        Ok(model)
    }

    pub fn read(&self, row: &QueryResult) -> Result<E::Model, DbErr> {
        let Some(Part { blank, read }) = &self.part else {
            return E::Model::from_query_result(row, "");
        };
        let mut model = blank.clone();
        for (i, (column, kind)) in read.iter().enumerate() {
            model.try_set(*column, kind.read(row, i)?)?;
        }
        Ok(model)
    }

    /// This reader for columns named `{prefix}{column}` wherever they are in a row (a
    /// parent joined to its child's statement, [`super::parents`]).
    pub fn prefixed(self, prefix: String) -> PrefixedReader<E> {
        let names = self.part.as_ref().map_or_else(Vec::new, |part| {
            part.read
                .iter()
                .map(|(column, _)| format!("{prefix}{}", column.as_str()))
                .collect()
        });
        PrefixedReader {
            reader: self,
            prefix,
            names,
        }
    }
}

/// A [`Reader`] of columns named `{prefix}{column}`, the names made once for all rows.
pub struct PrefixedReader<E: EntityTrait> {
    reader: Reader<E>,
    prefix: String,
    names: Vec<String>,
}

impl<E: Keyed> PrefixedReader<E> {
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn read(&self, row: &QueryResult) -> Result<E::Model, DbErr> {
        let Some(Part { blank, read }) = &self.reader.part else {
            return E::Model::from_query_result(row, &self.prefix);
        };
        let mut model = blank.clone();
        for ((column, kind), name) in read.iter().zip(&self.names) {
            model.try_set(*column, kind.read(row, name.as_str())?)?;
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryFilter, QueryTrait};

    use super::*;

    #[test]
    fn only_the_columns_read_are_selected() {
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
        assert!(
            sql.starts_with(
                "SELECT \"tickets\".\"id\", \"tickets\".\"project_id\", \"tickets\".\"title\", \"tickets\".\"status\" FROM"
            ),
            "{sql}"
        );
        assert_eq!(
            Columns::ALL
                .apply(Entity::find())
                .build(DbBackend::Postgres)
                .to_string(),
            Entity::find().build(DbBackend::Postgres).to_string()
        );
    }

    #[test]
    fn every_column_of_a_declaring_table_has_a_reader() {
        fn check<E: Keyed>() {
            let all = Columns((1u64 << E::Column::iter().count()) - 1);
            assert!(
                Reader::<E>::new(all).is_ok(),
                "{}",
                E::default().table_name()
            );
        }
        check::<entity::project::Entity>();
        check::<entity::client::Entity>();
        check::<entity::ticket::Entity>();
        check::<entity::stage::Entity>();
        check::<entity::risk::Entity>();
    }
}

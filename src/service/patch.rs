//! Partial updates: which fields an update sets, and the record of what changed.

use sea_orm::{ActiveValue, Value};
use serde::Serialize;

/// The changed fields of one update, with their new values, for the event log.
#[derive(Debug, Default)]
pub struct Changes(serde_json::Map<String, serde_json::Value>);

impl Changes {
    /// The active value for a field: set when `new` is given and differs from `current`.
    /// For nullable columns `T` is an `Option`, so `Some(None)` clears the field.
    pub fn field<T>(&mut self, name: &'static str, current: &T, new: Option<T>) -> ActiveValue<T>
    where
        T: Into<Value> + PartialEq + Serialize,
    {
        match new {
            Some(value) if &value != current => {
                self.0.insert(
                    name.to_owned(),
                    serde_json::to_value(&value).unwrap_or_default(),
                );
                ActiveValue::Set(value)
            }
            _ => ActiveValue::NotSet,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_json(self) -> serde_json::Value {
        serde_json::Value::Object(self.0)
    }
}

/// A JSON object of the initial fields of a created row, for its CREATED event.
#[macro_export]
macro_rules! snapshot {
    ($model:expr; $($field:ident),+ $(,)?) => {
        serde_json::json!({ $(stringify!($field): &$model.$field),+ })
    };
}

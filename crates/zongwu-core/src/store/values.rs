//! Moving JSON values in and out of SQLite for the generic write and merge paths.

use serde_json::{Map, Number, Value};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{query::Query, Column, Row, Sqlite, TypeInfo, ValueRef};

pub(crate) type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// Bind a JSON value as the SQLite value it stands for, borrowing text rather than copying it.
/// Arrays and objects are stored as JSON text.
pub(crate) fn bind_value<'q>(q: SqliteQuery<'q>, v: &'q Value) -> SqliteQuery<'q> {
    match v {
        Value::Null => q.bind(Option::<&str>::None),
        Value::Bool(b) => q.bind(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => q.bind(s.as_str()),
        other => q.bind(other.to_string()),
    }
}

/// One column of a row read back as JSON, by its stored type.
pub(crate) fn column_value(row: &SqliteRow, idx: usize) -> Value {
    let raw = match row.try_get_raw(idx) {
        Ok(r) => r,
        Err(_) => return Value::Null,
    };
    if raw.is_null() {
        return Value::Null;
    }
    let ty = raw.type_info().name().to_ascii_uppercase();
    match ty.as_str() {
        "INTEGER" => row.try_get::<i64, _>(idx).map(Value::from).unwrap_or(Value::Null),
        "REAL" => row
            .try_get::<f64, _>(idx)
            .ok()
            .and_then(Number::from_f64)
            .map(|n| normalise(&Value::Number(n)))
            .unwrap_or(Value::Null),
        _ => row.try_get::<String, _>(idx).map(Value::String).unwrap_or(Value::Null),
    }
}

pub(crate) fn row_to_map(row: &SqliteRow) -> Map<String, Value> {
    row.columns().iter().enumerate().map(|(i, c)| (c.name().to_string(), column_value(row, i))).collect()
}

/// [`normalise`] in place: only values SQLite would store differently are replaced.
pub(crate) fn normalise_in_place(v: &mut Value) {
    if matches!(v, Value::Bool(_) | Value::Array(_) | Value::Object(_)) || matches!(v, Value::Number(n) if n.as_i64().is_none()) {
        *v = normalise(v);
    }
}

/// Normalise a value the way SQLite would store it, so "before" and "after" compare equal when
/// nothing really changed (`true` is stored as 1, whole floats as integers).
pub(crate) fn normalise(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::from(*b as i64),
        Value::Number(n) if n.as_i64().is_none() => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                Value::from(f as i64)
            } else {
                v.clone()
            }
        }
        Value::Array(_) | Value::Object(_) => Value::String(v.to_string()),
        _ => v.clone(),
    }
}

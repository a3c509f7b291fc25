//! Typed reading of untrusted JSON: a parsed [`Value`] deserialized into
//! docgate's own structs (serde), with an error that names the path of the
//! first value that does not fit (`findings[3].line`) and says what it should
//! be in docgate's words ("is not a list", "is missing"), never serde's
//! ("invalid type: map, expected a sequence").
//!
//! It reads only a `Value`, so the JSON syntax, its nesting limit and its
//! UTF-8 were checked by `serde_json` before, with positions.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
    value::{BorrowedStrDeserializer, StrDeserializer},
};
use serde_json::Value;

/// Deserialize `value` into `T`.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, Invalid> {
    T::deserialize(Tracked(value))
}

/// A value that does not fit: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Outermost first.
    path: Vec<Segment>,
    why: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A key from the input, as a message shows it: escaped and bounded.
fn shown_key(key: &str) -> String {
    let escaped: String = key.escape_debug().collect();
    match escaped.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &escaped[..at]),
        None => escaped,
    }
}

impl Invalid {
    fn new(why: impl Into<String>) -> Invalid {
        Invalid {
            path: Vec::new(),
            why: why.into(),
        }
    }

    fn under(mut self, segment: Segment) -> Invalid {
        self.path.insert(0, segment);
        self
    }

    /// `findings[3].line`; empty for the value itself.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Key(k) if out.is_empty() => out.push_str(k),
                Segment::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// What is wrong with the value at [`Invalid::path`] ("is not a string").
    pub fn why(&self) -> &str {
        &self.why
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            p if p.is_empty() => write!(f, "the value {}", self.why),
            p => write!(f, "`{p}` {}", self.why),
        }
    }
}

impl std::error::Error for Invalid {}

/// What a value should have been, in docgate's words. A type with its own
/// `expecting` ("a line or column number") says it itself.
fn should_be(expected: &dyn Expected) -> String {
    let serde_words = expected.to_string();
    match serde_words.as_str() {
        "a sequence" => "a list".into(),
        "a boolean" => "true or false".into(),
        "a map" => "an object".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number".into(),
        s if s.starts_with("struct ") => "an object".into(),
        // A unit variant is written as its name.
        s if s.starts_with("enum ") => "a string".into(),
        s => s.into(),
    }
}

impl de::Error for Invalid {
    fn custom<T: fmt::Display>(msg: T) -> Invalid {
        Invalid::new(msg.to_string())
    }

    fn invalid_type(_: Unexpected<'_>, expected: &dyn Expected) -> Invalid {
        Invalid::new(format!("is not {}", should_be(expected)))
    }

    fn invalid_value(_: Unexpected<'_>, expected: &dyn Expected) -> Invalid {
        Invalid::new(format!("is not {}", should_be(expected)))
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Invalid {
        Invalid::new(format!("has {len} entries, not {}", should_be(expected)))
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Invalid {
        Invalid::new(format!("is not one of {}", expected.join(", ")))
    }

    fn unknown_field(field: &str, _: &'static [&'static str]) -> Invalid {
        Invalid::new(format!(
            "is not a field of the report docgate {} writes",
            env!("CARGO_PKG_VERSION")
        ))
        .under(Segment::Key(shown_key(field)))
    }

    fn missing_field(field: &'static str) -> Invalid {
        Invalid::new("is missing").under(Segment::Key(field.into()))
    }

    fn duplicate_field(field: &'static str) -> Invalid {
        Invalid::new("appears twice").under(Segment::Key(field.into()))
    }
}

/// A `Value` as a serde `Deserializer` whose errors carry their path.
struct Tracked<'de>(&'de Value);

impl<'de> de::Deserializer<'de> for Tracked<'de> {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                // Only with serde_json's arbitrary_precision, which docgate
                // does not build with.
                (None, None, None) => Err(Invalid::new("is not a number JSON can hold")),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.iter().enumerate(),
            }),
            Value::Object(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                next: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    /// An object only: serde's derive would also read a struct from a list
    /// of its fields in order.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::invalid_type(Unexpected::Other("JSON"), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::String(s) => {
                let unit: StrDeserializer<'_, Invalid> = s.as_str().into_deserializer();
                visitor.visit_enum(unit)
            }
            _ => Err(de::Error::invalid_type(Unexpected::Other("JSON"), &visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
        ignored_any
    }
}

struct Seq<'de> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Invalid> {
        match self.items.next() {
            None => Ok(None),
            Some((i, item)) => seed
                .deserialize(Tracked(item))
                .map(Some)
                .map_err(|e| e.under(Segment::Index(i))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'de> {
    entries: serde_json::map::Iter<'de>,
    next: Option<(&'de str, &'de Value)>,
}

impl<'de> MapAccess<'de> for Map<'de> {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.next = Some((key, value));
        let key: BorrowedStrDeserializer<'de, Invalid> = BorrowedStrDeserializer::new(key);
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        let (key, value) = self
            .next
            .take()
            .ok_or_else(|| Invalid::new("has a value without a key"))?;
        seed.deserialize(Tracked(value))
            .map_err(|e| e.under(Segment::Key(shown_key(key))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::{number, opt_number};
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
        #[serde(default)]
        flag: Option<bool>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default, deserialize_with = "opt_number")]
        line: Option<usize>,
        #[serde(deserialize_with = "number")]
        count: u32,
        tags: Vec<String>,
        kind: Kind,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        A,
        B,
    }

    fn err(v: Value) -> String {
        from_value::<Outer>(&v).unwrap_err().to_string()
    }

    fn good() -> Value {
        json!({"name": "n", "flag": null, "items": [
            {"line": 3, "count": 1, "tags": [], "kind": "a"},
            {"line": null, "count": 2, "tags": ["x"], "kind": "b"},
        ]})
    }

    #[test]
    fn a_value_that_fits_is_read() {
        let outer: Outer = from_value(&good()).expect("fits");
        assert_eq!(outer.name, "n");
        assert_eq!(outer.flag, None);
        assert_eq!(outer.items[0].line, Some(3));
        assert_eq!(outer.items[1].line, None);
        assert_eq!(outer.items[1].tags, ["x"]);
        assert_eq!(outer.items[1].kind, Kind::B);
        let mut v = good();
        v["items"][0].as_object_mut().unwrap().remove("line");
        v["flag"] = json!(true);
        let outer: Outer = from_value(&v).expect("fits");
        assert_eq!((outer.items[0].line, outer.flag), (None, Some(true)));
    }

    #[test]
    fn errors_name_the_path_in_docgate_words() {
        let cases: &[(&str, Value, &str)] = &[
            (
                "/items/1/line",
                json!("7"),
                "`items[1].line` is not a line or column number",
            ),
            (
                "/items/0/line",
                json!(-7),
                "`items[0].line` is not a line or column number",
            ),
            (
                "/items/0/line",
                json!(1.5),
                "`items[0].line` is not a line or column number",
            ),
            (
                "/items/0/count",
                json!(5_000_000_000u64),
                "`items[0].count` is not a line or column number",
            ),
            (
                "/items/0/count",
                Value::Null,
                "`items[0].count` is not a line or column number",
            ),
            (
                "/items/1/tags/0",
                json!(7),
                "`items[1].tags[0]` is not a string",
            ),
            ("/items/1/tags", json!("x"), "`items[1].tags` is not a list"),
            ("/items", json!({"0": {}}), "`items` is not a list"),
            ("/items/0", json!([]), "`items[0]` is not an object"),
            ("/name", json!(["n"]), "`name` is not a string"),
            ("/flag", json!("yes"), "`flag` is not true or false"),
            (
                "/items/0/kind",
                json!("c"),
                "`items[0].kind` is not one of a, b",
            ),
            ("/items/0/kind", json!(1), "`items[0].kind` is not a string"),
        ];
        for (pointer, value, want) in cases {
            let mut v = good();
            *v.pointer_mut(pointer).unwrap() = value.clone();
            assert_eq!(err(v), *want, "{pointer}");
        }
        let mut v = good();
        v["items"][1].as_object_mut().unwrap().remove("count");
        assert_eq!(err(v), "`items[1].count` is missing");
        assert_eq!(err(json!([])), "the value is not an object");
    }

    /// A field docgate does not write is refused, never skipped: its name,
    /// escaped and bounded.
    #[test]
    fn unknown_fields_are_refused_by_name() {
        let mut v = good();
        v["items"][0]["evil\u{1b}[2K"] = json!(1);
        let e = from_value::<Outer>(&v).unwrap_err();
        assert_eq!(e.path(), "items[0].evil\\u{1b}[2K");
        assert!(
            e.why().starts_with("is not a field of the report docgate "),
            "{e}"
        );
        let mut v = good();
        v["x".repeat(500)] = json!(1);
        let e = from_value::<Outer>(&v).unwrap_err();
        assert_eq!(e.path(), format!("{}…", "x".repeat(100)));
    }
}

//! `format: int64` that travels as a JSON string (`types.int64 =
//! "string"` in the configuration).

/// A 64-bit integer that travels as a JSON string (`"9007199254740993"`,
/// as APIs send integers that JavaScript cannot hold exactly); it reads a
/// string or a number. In parameters it is its digits, as any integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Int64(pub i64);

impl From<i64> for Int64 {
    fn from(value: i64) -> Self {
        Int64(value)
    }
}

impl From<Int64> for i64 {
    fn from(value: Int64) -> Self {
        value.0
    }
}

impl std::ops::Deref for Int64 {
    type Target = i64;
    fn deref(&self) -> &i64 {
        &self.0
    }
}

impl std::fmt::Display for Int64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Int64 {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Int64)
    }
}

impl serde::Serialize for Int64 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Int64 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Int64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a 64-bit integer, or a string of one")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Int64, E> {
                s.parse().map(Int64).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Int64, E> {
                Ok(Int64(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Int64, E> {
                i64::try_from(n).map(Int64).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

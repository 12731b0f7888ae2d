//! Reading JSON objects into the structs of a crate's `types` module, and
//! writing them, shared by their `Serialize` and `Deserialize` impls
//! instead of derived into each (a fraction of the compile time).

/// A struct read from an object, one property at a time.
pub trait Read<'de>: Sized {
    /// What the input should have been, for error messages.
    const EXPECTING: &'static str;

    /// Reads the struct from the object's properties.
    fn read<M: serde::de::MapAccess<'de>>(map: M) -> Result<Self, M::Error>;
}

/// Deserializes any [`Read`] struct from a map.
pub struct Visitor<T>(std::marker::PhantomData<T>);

impl<T> Visitor<T> {
    /// The visitor for `T`.
    pub fn new() -> Self {
        Visitor(std::marker::PhantomData)
    }
}

impl<T> Default for Visitor<T> {
    fn default() -> Self {
        Visitor::new()
    }
}

impl<'de, T: Read<'de>> serde::de::Visitor<'de> for Visitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<T, M::Error> {
        T::read(map)
    }
}

/// A property name, borrowed from the input where it can be.
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Owned(v)))
    }
}

/// Reads the value of property `name` into its slot; a repeated property
/// is an error.
pub fn field<'de, M: serde::de::MapAccess<'de>, T: serde::Deserialize<'de>>(
    map: &mut M,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), M::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a property the struct does not name.
pub fn skip<'de, M: serde::de::MapAccess<'de>>(map: &mut M) -> Result<(), M::Error> {
    map.next_value::<serde::de::IgnoredAny>().map(drop)
}

/// Reads the value of a property the struct does not name into its
/// additional properties.
pub fn other<'de, M: serde::de::MapAccess<'de>, T: serde::Deserialize<'de>>(
    map: &mut M,
    additional: &mut std::collections::BTreeMap<String, T>,
    key: Key<'de>,
) -> Result<(), M::Error> {
    additional.insert(key.0.into_owned(), map.next_value()?);
    Ok(())
}

/// The first of the required properties that is absent.
pub fn absent(properties: &[(&'static str, bool)]) -> Option<&'static str> {
    properties
        .iter()
        .find(|(_, absent)| *absent)
        .map(|(name, _)| *name)
}

/// The error for a required property that is absent.
pub fn missing<E: serde::de::Error>(absent: Option<&'static str>) -> E {
    E::missing_field(absent.unwrap_or("?"))
}

/// Writes a struct as an object, one property at a time; the first error
/// is kept and returned by [`Writer::end`].
pub struct Writer<M: serde::ser::SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: serde::ser::SerializeMap> Writer<M> {
    /// Starts the object.
    pub fn new<S>(serializer: S) -> Result<Self, M::Error>
    where
        S: serde::Serializer<SerializeMap = M, Ok = M::Ok, Error = M::Error>,
    {
        Ok(Writer {
            map: serializer.serialize_map(None)?,
            error: None,
        })
    }

    /// Writes a property.
    pub fn entry<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if self.error.is_none() {
            if let Err(error) = self.map.serialize_entry(name, value) {
                self.error = Some(error);
            }
        }
    }

    /// Writes an optional property, if it is set.
    pub fn optional<T: serde::Serialize>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(name, value);
        }
    }

    /// Ends the object, or gives the first error.
    pub fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(error) => Err(error),
            None => self.map.end(),
        }
    }
}

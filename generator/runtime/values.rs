//! Enums that meet a value the spec does not list: an error when the
//! server reads a request, an `Unknown` variant when the client reads a
//! response ([`lenient`]).

/// A value that is none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue(pub String);

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown value `{}`", self.0)
    }
}

impl std::error::Error for UnknownValue {}

thread_local! {
    static LENIENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `read` with enums taking values that the spec does not list as
/// their `Unknown` variant instead of failing. The client reads responses
/// so, so that a server that learns a new value does not break it;
/// elsewhere (the server reading a request) such a value is an error.
pub fn lenient<T>(read: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LENIENT.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(LENIENT.with(|l| l.replace(true)));
    read()
}

/// The `Unknown` variant for `value` when reading leniently, else an error.
pub fn unknown<T>(
    value: impl std::fmt::Display,
    variant: impl FnOnce() -> T,
) -> Result<T, UnknownValue> {
    if LENIENT.with(std::cell::Cell::get) {
        Ok(variant())
    } else {
        Err(UnknownValue(value.to_string()))
    }
}

//! Raw HTTP/1 requests into the generated server's router; see the crate's
//! documentation (`src/lib.rs`) for what is checked, and README.md for how
//! to run it.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(failure) = uniapi_fuzz::run(data) {
        panic!("{failure}");
    }
});

//! The petstore API, generated at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/petstore.rs"));

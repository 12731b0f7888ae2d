//! Every runtime file, laid out as a generated crate lays them out (one
//! module per file, siblings of each other).

#[path = "../../../generator/runtime/api.rs"]
pub mod api;
#[path = "../../../generator/runtime/auth.rs"]
pub mod auth;
#[path = "../../../generator/runtime/client.rs"]
pub mod client;
#[path = "../../../generator/runtime/int64.rs"]
pub mod int64;
#[path = "../../../generator/runtime/jwt.rs"]
pub mod jwt;
#[path = "../../../generator/runtime/oauth2.rs"]
pub mod oauth2;
#[path = "../../../generator/runtime/object.rs"]
pub mod object;
#[path = "../../../generator/runtime/pages.rs"]
pub mod pages;
#[path = "../../../generator/runtime/problem.rs"]
pub mod problem;
#[path = "../../../generator/runtime/request.rs"]
pub mod request;
#[path = "../../../generator/runtime/server.rs"]
pub mod server;
#[path = "../../../generator/runtime/signature.rs"]
pub mod signature;
#[path = "../../../generator/runtime/stream.rs"]
pub mod stream;
#[path = "../../../generator/runtime/stream_client.rs"]
pub mod stream_client;
#[path = "../../../generator/runtime/stream_server.rs"]
pub mod stream_server;
#[path = "../../../generator/runtime/values.rs"]
pub mod values;
#[path = "../../../generator/runtime/violations.rs"]
pub mod violations;

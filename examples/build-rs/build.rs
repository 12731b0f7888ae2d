//! Generates the petstore's server and client into `OUT_DIR` on every
//! build that changed the spec.

fn main() -> Result<(), uniapi::BuildError> {
    uniapi::configure()
        .server(true)
        .client(true)
        .compile("../../specs/petstore.yaml")?;
    Ok(())
}

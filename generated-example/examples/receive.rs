//! Receives the puppy shop's `adoption.approved` webhook:
//! `cargo run -p puppy-shop --example receive`, then
//! `WEBHOOK_URL=http://127.0.0.1:8081/hooks/adoption.approved cargo run -p puppy-shop --example serve`
//! and adopt a puppy (`--example call` does).
//!
//! Listens on 127.0.0.1:8081 (or `$PORT`); checks each delivery's Standard
//! Webhooks signature with `$WEBHOOK_SECRET` (or the demo secret that
//! `--example serve` uses too) before the handler runs.

use puppy_shop::webhooks::{self, api, StandardWebhooks, Webhooks};

const DEMO_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Printer;

impl Webhooks for Printer {
    async fn adoption_approved(
        &self,
        request: api::AdoptionApprovedRequest,
    ) -> Result<api::AdoptionApprovedResponse, webhooks::Error> {
        let event = request.body;
        println!(
            "puppy {} is adopted and called {} ({}, at {})",
            event.puppy_id, event.name, event.adoption_id, event.approved_at
        );
        Ok(api::AdoptionApprovedResponse::NoContent)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8081u16);
    let secret = std::env::var("WEBHOOK_SECRET").unwrap_or_else(|_| DEMO_SECRET.to_owned());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let app = axum::Router::new().nest(
        "/hooks",
        webhooks::router(Printer, StandardWebhooks::new(&secret)?),
    );
    println!(
        "receiving adoption.approved at http://{}/hooks/adoption.approved",
        listener.local_addr()?
    );
    puppy_shop::server::serve_until(listener, app, puppy_shop::server::shutdown_signal()).await?;
    Ok(())
}

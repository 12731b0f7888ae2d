//! Calls a running puppy shop with the generated client:
//! `cargo run -p puppy-shop --example call` (after `--example serve`).

use puppy_shop::{api, types, Api, Client, Credentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| Client::DEFAULT_BASE_URL.to_owned());
    let client = Client::new(base).with_credentials(Credentials {
        bearer_auth: Some("my-token".into()),
        ..Credentials::default()
    });

    let request = api::ListPuppiesRequest::new().breed("Beagle").limit(10)?;
    match client.list_puppies(request).await? {
        api::ListPuppiesResponse::Ok { body, etag, .. } => {
            println!("{} beagles (ETag {})", body.total, etag.unwrap_or_default());
            for puppy in &body.items {
                println!(
                    "  {} {} ({} cents)",
                    puppy.id, puppy.name, puppy.price_cents
                );
            }
        }
        other => println!("unexpected: {other:?}"),
    }

    let item = types::CartItemInput {
        puppy_id: 12345,
        note: Some("a good boy".into()),
    };
    match client
        .add_cart_item(api::AddCartItemRequest::new(item))
        .await?
    {
        api::AddCartItemResponse::Created(cart) => println!(
            "cart: {} item(s), {} cents",
            cart.items.len(),
            cart.total_cents
        ),
        other => println!("not added: {other:?}"),
    }

    // A served shop with `WEBHOOK_URL` set announces this adoption there.
    let form = types::AdoptionForm {
        puppy_id: 12345,
        name: "Fido Lava".into(),
        callback_url: None,
    };
    match client
        .adopt_puppy(api::AdoptPuppyRequest::new(form))
        .await?
    {
        api::AdoptPuppyResponse::Created(adoption) => {
            println!("adopted: {} is {}", adoption.puppy_id, adoption.name)
        }
        other => println!("not adopted: {other:?}"),
    }
    Ok(())
}

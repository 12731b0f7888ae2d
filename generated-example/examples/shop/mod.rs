//! An in-memory puppy shop behind the generated `Api` trait.
//!
//! The server keeps resources, not sessions: the catalogue, and carts that
//! are named by the caller the bearer token names. Everything a request
//! needs arrives with it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use puppy_shop::api::{self, Api, Error};
use puppy_shop::{callbacks, types, webhooks};

pub struct Shop {
    puppies: Mutex<BTreeMap<i64, types::Puppy>>,
    carts: Mutex<HashMap<String, Vec<types::CartItem>>>,
    /// Who hears of approved adoptions (the `adoption.approved` webhook).
    subscriber: Option<Subscriber>,
    /// Tells an adopter whose form gave a `callbackUrl` of the decision
    /// (the `adoptionDecided` callback).
    callbacks: Option<callbacks::Sender>,
    /// The keys of partner shelters (the `shopKey` scheme).
    partners: api::Tokens,
}

/// A subscriber's URL, and the sender that signs with its secret.
struct Subscriber {
    url: String,
    sender: webhooks::Sender,
}

impl Shop {
    pub fn new(puppies: impl IntoIterator<Item = types::Puppy>) -> Self {
        Shop {
            puppies: Mutex::new(puppies.into_iter().map(|p| (p.id, p)).collect()),
            carts: Mutex::new(HashMap::new()),
            subscriber: None,
            callbacks: None,
            partners: api::Tokens::new(),
        }
    }

    /// Lets the partner shelter that presents `key` adopt.
    pub fn with_partner(mut self, key: &str) -> Self {
        self.partners = self.partners.grant(key, api::Principal::new(key));
        self
    }

    /// Calls adopters back at the URL their form gave, signed with
    /// `secret` (a Standard Webhooks `whsec_...` secret).
    // Not every program that includes the shop calls back.
    #[allow(dead_code)]
    pub fn with_callbacks(mut self, secret: &str) -> Result<Self, Error> {
        let signer = callbacks::StandardWebhooks::new(secret).map_err(Error::other)?;
        self.callbacks = Some(callbacks::sender(signer)?);
        Ok(self)
    }

    /// Tells `url` of every approved adoption, signed with `secret` (a
    /// Standard Webhooks `whsec_...` secret).
    // Not every program that includes the shop announces adoptions.
    #[allow(dead_code)]
    pub fn with_subscriber(mut self, url: &str, secret: &str) -> Result<Self, Error> {
        let signer = webhooks::StandardWebhooks::new(secret).map_err(Error::other)?;
        self.subscriber = Some(Subscriber {
            url: url.to_owned(),
            sender: webhooks::sender(signer)?,
        });
        Ok(self)
    }

    /// A shop with a few puppies in it.
    pub fn with_sample_puppies() -> Self {
        let puppy = |id, name: &str, breed: &str, size, price_cents| types::Puppy {
            id,
            name: name.into(),
            breed: breed.into(),
            size,
            price_cents,
            adopted: false,
            tags: Some(vec!["vaccinated".into()]),
        };
        Shop::new([
            puppy(12345, "Fido", "Beagle", types::Size::Medium, 25_000),
            puppy(12346, "Rex", "Great Dane", types::Size::Large, 40_000),
            puppy(12347, "Bella", "Chihuahua", types::Size::Small, 30_000),
            puppy(12348, "Luna", "Beagle", types::Size::Medium, 27_500),
            puppy(12349, "Max", "Poodle", types::Size::Small, 35_000),
        ])
        .with_partner("shelter-7")
    }
}

/// Who may call: partner shelters present a key the shop knows; a bearer
/// token names its caller, whose cart it is. Here any token of up to 64
/// letters, digits, `-`, `_` or `.` is let in as the caller it spells, so
/// that the examples need no token server. A real shop verifies tokens:
/// the crate's `jwt` feature has `Jwt` for that.
impl api::Authenticate for Shop {
    async fn authenticate(
        &self,
        presented: &api::Presented<'_>,
    ) -> Result<api::Principal, api::Refusal> {
        match presented.credential {
            api::Credential::Bearer(token) => {
                let name = token.len() <= 64
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if name {
                    Ok(api::Principal::new(token))
                } else {
                    Err(api::Refusal::invalid(
                        "a token here is a caller's name: up to 64 letters, digits, `-`, `_` or `.`",
                    ))
                }
            }
            _ => api::Authenticate::authenticate(&self.partners, presented).await,
        }
    }
}

fn error(code: &str, message: impl Into<String>) -> types::Error {
    types::Error {
        code: code.into(),
        message: message.into(),
    }
}

/// A strong ETag of a JSON body, as the server sends it.
fn etag<T: serde::Serialize>(body: &T) -> String {
    puppy_shop::server::json_etag(body)
}

fn cart_of(items: &[types::CartItem]) -> types::Cart {
    types::Cart {
        total_cents: items.iter().map(|i| i.puppy.price_cents).sum(),
        items: items.to_vec(),
    }
}

impl Api for Shop {
    async fn list_puppies(
        &self,
        request: api::ListPuppiesRequest,
    ) -> Result<api::ListPuppiesResponse, Error> {
        // The server has checked `limit` (1 to 100) and `offset` (at least 0).
        let (limit, offset) = (*request.limit as usize, *request.offset as usize);
        let puppies = self
            .puppies
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        let matching: Vec<&types::Puppy> = puppies
            .values()
            .filter(|p| request.breed.as_ref().is_none_or(|b| &p.breed == b))
            .filter(|p| request.size.as_ref().is_none_or(|s| &p.size == s))
            .filter(|p| {
                request
                    .max_price_cents
                    .is_none_or(|max| p.price_cents <= *max)
            })
            .collect();
        let items: Vec<types::Puppy> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|p| (*p).clone())
            .collect();
        let next = (offset + limit < matching.len())
            .then(|| format!("offset={}&limit={limit}", offset + limit));
        let body = types::PuppyPage {
            items,
            total: matching.len() as i64,
            next: Some(next),
        };
        Ok(api::ListPuppiesResponse::Ok {
            etag: Some(etag(&body)),
            cache_control: Some("public, max-age=60".into()),
            body,
        })
    }

    async fn get_puppy(
        &self,
        request: api::GetPuppyRequest,
    ) -> Result<api::GetPuppyResponse, Error> {
        let puppies = self
            .puppies
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        Ok(match puppies.get(&request.puppy_id) {
            Some(puppy) => api::GetPuppyResponse::Ok(puppy.clone()),
            None => api::GetPuppyResponse::NotFound(error(
                "not_found",
                format!("no puppy {}", request.puppy_id),
            )),
        })
    }

    async fn adopt_puppy(
        &self,
        request: api::AdoptPuppyRequest,
    ) -> Result<api::AdoptPuppyResponse, Error> {
        let form = request.body;
        if form.name.trim().is_empty() {
            return Ok(api::AdoptPuppyResponse::BadRequest(error(
                "bad_name",
                "the new name is empty",
            )));
        }
        let mut puppies = self
            .puppies
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        let Some(puppy) = puppies.get_mut(&form.puppy_id) else {
            return Ok(api::AdoptPuppyResponse::NotFound(error(
                "not_found",
                format!("no puppy {}", form.puppy_id),
            )));
        };
        if puppy.adopted {
            return Ok(api::AdoptPuppyResponse::Conflict(error(
                "adopted",
                format!("{} has a home already", puppy.name),
            )));
        }
        puppy.adopted = true;
        puppy.name = form.name.clone();
        let event = types::AdoptionApproved {
            adoption_id: format!("ad_{}", form.puppy_id),
            puppy_id: form.puppy_id,
            name: form.name.clone(),
            approved_at: std::time::SystemTime::now().into(),
        };
        // The callback goes where the adopter's form said (the server read
        // `callbackUrl` out of the body), on a task of its own.
        if let (Some(sender), Some(url)) = (&self.callbacks, request.adoption_decided_url) {
            let delivery = sender.with_base_url(url);
            let request = callbacks::api::AdoptionDecidedRequest::new(event.clone());
            tokio::spawn(async move {
                if let Err(error) = callbacks::Callbacks::adoption_decided(&delivery, request).await
                {
                    eprintln!("adoptionDecided was not delivered: {error}");
                }
            });
        }
        if let Some(subscriber) = &self.subscriber {
            // Delivered (and retried) on its own task: the caller does not
            // wait for the subscriber.
            let delivery = subscriber.sender.with_base_url(&subscriber.url);
            tokio::spawn(async move {
                let request = webhooks::api::AdoptionApprovedRequest::new(event);
                if let Err(error) = webhooks::Webhooks::adoption_approved(&delivery, request).await
                {
                    eprintln!("adoption.approved was not delivered: {error}");
                }
            });
        }
        Ok(api::AdoptPuppyResponse::Created(types::Adoption {
            puppy_id: form.puppy_id,
            name: form.name,
        }))
    }

    async fn get_cart(&self, request: api::GetCartRequest) -> Result<api::GetCartResponse, Error> {
        // The router let the caller in by its bearer token; its name names
        // the cart.
        let Some(token) = request.context.principal.subject else {
            return Ok(api::GetCartResponse::Unauthorized(error(
                "unauthorized",
                "no bearer token",
            )));
        };
        let carts = self
            .carts
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        Ok(api::GetCartResponse::Ok(cart_of(
            carts.get(&token).map(Vec::as_slice).unwrap_or_default(),
        )))
    }

    async fn add_cart_item(
        &self,
        request: api::AddCartItemRequest,
    ) -> Result<api::AddCartItemResponse, Error> {
        let Some(token) = request.context.principal.subject else {
            return Ok(api::AddCartItemResponse::Unauthorized(error(
                "unauthorized",
                "no bearer token",
            )));
        };
        let puppy = {
            let puppies = self
                .puppies
                .lock()
                .map_err(|_| Error::other("the shop's lock is poisoned"))?;
            match puppies.get(&request.body.puppy_id) {
                Some(p) => p.clone(),
                None => {
                    let message = format!("no puppy {}", request.body.puppy_id);
                    return Ok(api::AddCartItemResponse::NotFound(error(
                        "not_found",
                        message,
                    )));
                }
            }
        };
        let mut carts = self
            .carts
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        let items = carts.entry(token).or_default();
        if items.iter().any(|i| i.puppy.id == puppy.id) {
            return Ok(api::AddCartItemResponse::BadRequest(error(
                "duplicate",
                "the puppy is in the cart already",
            )));
        }
        items.push(types::CartItem {
            puppy,
            note: request.body.note,
        });
        Ok(api::AddCartItemResponse::Created(cart_of(items)))
    }

    async fn remove_cart_item(
        &self,
        request: api::RemoveCartItemRequest,
    ) -> Result<api::RemoveCartItemResponse, Error> {
        let Some(token) = request.context.principal.subject else {
            return Ok(api::RemoveCartItemResponse::Unauthorized(error(
                "unauthorized",
                "no bearer token",
            )));
        };
        let mut carts = self
            .carts
            .lock()
            .map_err(|_| Error::other("the shop's lock is poisoned"))?;
        let items = carts.entry(token).or_default();
        let before = items.len();
        items.retain(|i| i.puppy.id != request.puppy_id);
        Ok(if items.len() < before {
            api::RemoveCartItemResponse::NoContent
        } else {
            api::RemoveCartItemResponse::NotFound(error(
                "not_found",
                "the puppy is not in the cart",
            ))
        })
    }
}

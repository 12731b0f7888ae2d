//! The generated client against raw `reqwest` making the same calls to the
//! same server (the generated shop, in this process, on 127.0.0.1):
//! `client-bench [ROUNDS] [CALLS]`. Rounds alternate between the two; each
//! round makes CALLS sequential calls of one kind. Prints one line per kind
//! with the median time per call of each and the ratio raw / generated
//! (the generated client's throughput relative to raw reqwest's).

use std::time::{Duration, Instant};

use puppy_shop::{Api, Client, api, types};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Get,
    List,
    Post,
}

const KINDS: [(Kind, &str); 3] = [
    (Kind::Get, "GET /puppies/{id}"),
    (Kind::List, "GET /puppies?limit=100"),
    (Kind::Post, "POST /cart/items"),
];

async fn generated(client: &Client, kind: Kind, i: usize) -> usize {
    match kind {
        Kind::Get => match client
            .get_puppy(api::GetPuppyRequest::new(1 + (i as i64 % 1000)))
            .await
        {
            Ok(api::GetPuppyResponse::Ok(p)) => p.name.len(),
            other => panic!("get: {other:?}"),
        },
        Kind::List => {
            let mut request = api::ListPuppiesRequest::new();
            request.limit = types::ListPuppiesLimit::try_from(100).expect("in range");
            match client.list_puppies(request).await {
                Ok(api::ListPuppiesResponse::Ok { body, .. }) => body.items.len(),
                other => panic!("list: {other:?}"),
            }
        }
        Kind::Post => {
            let mut request = api::AddCartItemRequest::new(types::CartItemInput {
                puppy_id: 1 + (i as i64 % 1000),
                note: Some("a good dog".into()),
            });
            request.context.credentials.bearer_auth = Some(format!("g{i}"));
            match client.add_cart_item(request).await {
                Ok(api::AddCartItemResponse::Created(cart)) => cart.items.len(),
                other => panic!("post: {other:?}"),
            }
        }
    }
}

async fn raw(http: &reqwest::Client, base: &str, kind: Kind, i: usize) -> usize {
    let check = |r: reqwest::Response, status: u16| {
        assert_eq!(r.status().as_u16(), status, "unexpected status");
        r
    };
    match kind {
        Kind::Get => {
            let url = format!("{base}/puppies/{}", 1 + (i as i64 % 1000));
            let r = check(http.get(url).send().await.expect("get"), 200);
            r.json::<types::Puppy>().await.expect("puppy").name.len()
        }
        Kind::List => {
            let r = http
                .get(format!("{base}/puppies?limit=100"))
                .send()
                .await
                .expect("list");
            let page = check(r, 200)
                .json::<types::PuppyPage>()
                .await
                .expect("page");
            page.items.len()
        }
        Kind::Post => {
            let body = types::CartItemInput {
                puppy_id: 1 + (i as i64 % 1000),
                note: Some("a good dog".into()),
            };
            let r = http
                .post(format!("{base}/cart/items"))
                .bearer_auth(format!("r{i}"))
                .json(&body)
                .send()
                .await
                .expect("post");
            let cart = check(r, 201).json::<types::Cart>().await.expect("cart");
            cart.items.len()
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(15);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, uniapi_bench::generated_router()).await });
    // One connection pool each, kept warm across rounds.
    let http = reqwest::Client::new();
    let client = Client::with_http_client(base.clone(), reqwest::Client::new());
    let mut counter = 0usize;
    println!(
        "kind\tgenerated_us_per_call\traw_us_per_call\tratio_raw_over_generated\tspread_generated\tspread_raw"
    );
    for (kind, label) in KINDS {
        // Warm both up.
        for _ in 0..50 {
            counter += 1;
            std::hint::black_box(generated(&client, kind, counter).await);
            std::hint::black_box(raw(&http, &base, kind, counter).await);
        }
        let (mut g, mut r) = (Vec::new(), Vec::new());
        for round in 0..rounds * 2 {
            let start = Instant::now();
            for _ in 0..calls {
                counter += 1;
                if (round % 2 == 0) == (round / 2 % 2 == 0) {
                    std::hint::black_box(generated(&client, kind, counter).await);
                } else {
                    std::hint::black_box(raw(&http, &base, kind, counter).await);
                }
            }
            let per_call = start.elapsed() / calls as u32;
            if (round % 2 == 0) == (round / 2 % 2 == 0) {
                g.push(per_call);
            } else {
                r.push(per_call);
            }
        }
        let spread = |v: &[Duration]| {
            let min = v.iter().min().copied().unwrap_or_default();
            let max = v.iter().max().copied().unwrap_or_default();
            format!(
                "{:.1}-{:.1}",
                min.as_secs_f64() * 1e6,
                max.as_secs_f64() * 1e6
            )
        };
        let (sg, sr) = (spread(&g), spread(&r));
        let (mg, mr) = (median(g), median(r));
        println!(
            "{label}\t{:.1}\t{:.1}\t{:.3}\t{sg}\t{sr}",
            mg.as_secs_f64() * 1e6,
            mr.as_secs_f64() * 1e6,
            mr.as_secs_f64() / mg.as_secs_f64(),
        );
    }
    Ok(())
}

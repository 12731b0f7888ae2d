//! Generated types at run time (`specs/features/uniapi/types.yaml`): a
//! tagged union, defaults, formats, and a PATCH body that keeps "absent"
//! apart from "null", through serde and through the server and client.

use feature_uniapi_types::{Api, Client, Error, api, types};
use serde_json::json;

#[test]
fn tagged_union_dispatches_on_the_tag_and_writes_it() {
    let dog: types::Pet = serde_json::from_value(json!({"kind": "dog", "name": "Rex"})).unwrap();
    let types::Pet::Dog(rex) = &dog else {
        panic!("{dog:?}")
    };
    assert!(rex.barks, "default applied when absent");
    assert_eq!(
        serde_json::to_value(&dog).unwrap(),
        json!({"kind": "dog", "name": "Rex", "barks": true})
    );

    // Cat has no `kind` property of its own: the tag is still written.
    let cat = types::Pet::Cat(types::Cat {
        name: "Tom".into(),
        lives: 9,
        seen: None,
    });
    assert_eq!(
        serde_json::to_value(&cat).unwrap(),
        json!({"kind": "cat", "name": "Tom", "lives": 9})
    );
    let back: types::Pet = serde_json::from_value(json!({"kind": "cat", "name": "Tom"})).unwrap();
    assert_eq!(back, cat, "lives defaults to 9");

    let unknown = serde_json::from_value::<types::Pet>(json!({"kind": "bird", "name": "Tweety"}));
    assert!(unknown.unwrap_err().to_string().contains("bird"));
    let untagged = serde_json::from_value::<types::Pet>(json!({"name": "Nobody"}));
    assert!(untagged.unwrap_err().to_string().contains("kind"));
}

#[test]
fn formats_round_trip() {
    let value = json!({"kind": "dog", "name": "Rex", "born": "2024-02-29", "barks": false});
    let dog: types::Dog = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(dog.born, chrono::NaiveDate::from_ymd_opt(2024, 2, 29));
    assert_eq!(serde_json::to_value(&dog).unwrap(), value);
    let bad = serde_json::from_value::<types::Dog>(
        json!({"kind": "dog", "name": "Rex", "born": "yesterday"}),
    );
    assert!(bad.is_err());
}

#[test]
fn patch_keeps_absent_apart_from_null() {
    let absent: types::PetPatch = serde_json::from_value(json!({})).unwrap();
    let null: types::PetPatch = serde_json::from_value(json!({"nickname": null})).unwrap();
    let set: types::PetPatch = serde_json::from_value(json!({"nickname": "Rexy"})).unwrap();
    assert_eq!(absent.nickname, None);
    assert_eq!(null.nickname, Some(None));
    assert_eq!(set.nickname, Some(Some("Rexy".into())));
    for patch in [absent, null, set] {
        let again: types::PetPatch =
            serde_json::from_value(serde_json::to_value(&patch).unwrap()).unwrap();
        assert_eq!(again, patch);
    }
}

/// Answers a PATCH with what it received, so the test sees what arrived.
struct Echo;

impl Api for Echo {
    async fn patch_pet(
        &self,
        request: api::PatchPetRequest,
    ) -> Result<api::PatchPetResponse, Error> {
        let name = format!(
            "{} verbose={} nickname={:?}",
            request.id, request.verbose, request.body.nickname
        );
        Ok(api::PatchPetResponse::Ok(types::Pet::Cat(types::Cat {
            name,
            lives: 9,
            seen: None,
        })))
    }
}

#[tokio::test]
async fn through_server_and_client() {
    let base = crate::serve(feature_uniapi_types::router(Echo)).await;
    let client = Client::new(&base);
    let id = uuid::Uuid::from_u128(0x1234);
    let name = |response: api::PatchPetResponse| match response {
        api::PatchPetResponse::Ok(types::Pet::Cat(cat)) => cat.name,
        other => panic!("{other:?}"),
    };

    let patch = types::PetPatch {
        name: None,
        nickname: Some(None),
    };
    let got = name(
        client
            .patch_pet(api::PatchPetRequest::new(id, patch))
            .await
            .unwrap(),
    );
    assert_eq!(got, format!("{id} verbose=false nickname=Some(None)"));

    let mut request = api::PatchPetRequest::new(
        id,
        types::PetPatch {
            name: None,
            nickname: None,
        },
    );
    request.verbose = true;
    let got = name(client.patch_pet(request).await.unwrap());
    assert_eq!(got, format!("{id} verbose=true nickname=None"));

    // Without `verbose` on the wire the server applies its default; a path
    // parameter that is no UUID is a 400.
    let http = reqwest::Client::new();
    let response = http
        .patch(format!("{base}/pets/{id}"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["name"], format!("{id} verbose=false nickname=None"));
    let response = http
        .patch(format!("{base}/pets/not-a-uuid"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[test]
fn integer_enums_are_numbers_on_the_wire() {
    let level: types::Level = serde_json::from_value(json!(-1)).unwrap();
    assert_eq!(level, types::Level::Minus1);
    assert_eq!(serde_json::to_value(types::Level::V3).unwrap(), json!(3));
    assert!(serde_json::from_value::<types::Level>(json!(7)).is_err());
    assert!(serde_json::from_value::<types::Level>(json!("1")).is_err());
    assert_eq!("2".parse::<types::Level>(), Ok(types::Level::V2));
    assert_eq!(types::Level::Minus1.to_string(), "-1");

    let settings: types::Settings = serde_json::from_value(json!({})).unwrap();
    assert_eq!(
        settings.priority,
        types::SettingsPriority::V20,
        "default applied"
    );
    assert_eq!(settings.level, None);
}

mod round_trips {
    use super::types;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = chrono::NaiveDate> {
        (1i32..=9999, 1u32..=366).prop_filter_map("a day of the year", |(y, d)| {
            chrono::NaiveDate::from_yo_opt(y, d)
        })
    }

    fn time() -> impl Strategy<Value = chrono::DateTime<chrono::Utc>> {
        (0i64..=253_402_300_799, 0u32..1_000_000_000)
            .prop_filter_map("a time", |(s, n)| chrono::DateTime::from_timestamp(s, n))
    }

    fn pet() -> impl Strategy<Value = types::Pet> {
        prop_oneof![
            ("\\PC*", proptest::option::of(date()), any::<bool>()).prop_map(
                |(name, born, barks)| types::Pet::Dog(types::Dog {
                    kind: "dog".into(),
                    name,
                    born,
                    barks,
                })
            ),
            ("\\PC*", any::<i32>(), proptest::option::of(time()))
                .prop_map(|(name, lives, seen)| types::Pet::Cat(types::Cat { name, lives, seen })),
        ]
    }

    fn level() -> impl Strategy<Value = types::Level> {
        prop_oneof![
            Just(types::Level::V1),
            Just(types::Level::V2),
            Just(types::Level::V3),
            Just(types::Level::Minus1),
        ]
    }

    proptest! {
        #[test]
        fn pets(pet in pet()) {
            let json = serde_json::to_string(&pet).unwrap();
            prop_assert_eq!(serde_json::from_str::<types::Pet>(&json).unwrap(), pet);
        }

        #[test]
        fn patches(name in proptest::option::of("\\PC*"), nickname in proptest::option::of(proptest::option::of("\\PC*"))) {
            let patch = types::PetPatch { name, nickname };
            let json = serde_json::to_string(&patch).unwrap();
            prop_assert_eq!(serde_json::from_str::<types::PetPatch>(&json).unwrap(), patch);
        }

        #[test]
        fn settings(level in proptest::option::of(level()), priority in prop_oneof![Just(types::SettingsPriority::V10), Just(types::SettingsPriority::V20)]) {
            let settings = types::Settings { level, priority };
            let json = serde_json::to_string(&settings).unwrap();
            prop_assert_eq!(serde_json::from_str::<types::Settings>(&json).unwrap(), settings);
        }
    }
}

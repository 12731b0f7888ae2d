//! Choosing which generated crates to compile-check: the fewest, cheapest
//! crates that between them hold everything the generator emitted.
//!
//! Each candidate crate has a signature (`vocabulary::Signature`): the
//! features of the generator's output it holds, and its size. The choice is
//! a greedy weighted set cover: take the crate that brings the most
//! still-wanted features per byte to check (plus a fixed cost per crate),
//! until every feature that any candidate holds is held by `times` chosen
//! crates (or by all its candidates, if fewer). Twice rather than once, so
//! that a feature's fault shows in more than the one crate that happened to
//! be cheapest. Then, while fewer than `min` crates are chosen, the wanted
//! count goes up by one and the cover goes on (stopping at `min`), so the
//! extra crates are the ones that add the most variety, not the next in
//! line. Ties go to the cheaper
//! crate, then to the smaller key (the spec's path), so the choice depends
//! only on the signatures.

use std::collections::BTreeMap;

/// What a crate costs to check besides its bytes: a crate of 1 byte is not
/// free (cargo, rustc start-up, the crate's own metadata).
pub const CRATE_COST_BYTES: u64 = 48 * 1024;

/// A crate that may be chosen.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Orders ties; unique (the spec's path).
    pub key: &'a str,
    /// Bytes of generated source.
    pub bytes: u64,
    /// Sorted, without repeats.
    pub features: &'a [String],
}

/// One chosen crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// Its index in the candidates.
    pub index: usize,
    /// How many holders each feature was wanted to have when it was chosen.
    pub wanted: usize,
    /// The still-wanted features it brought, rarest first (fewest
    /// candidates hold them), then by name.
    pub brought: Vec<String>,
}

/// The choice, in the order it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub chosen: Vec<Chosen>,
    /// Distinct features over all candidates.
    pub features: usize,
}

/// Chooses at least `min` candidates (all of them if there are fewer) that
/// hold every feature `times` times; see the module's documentation.
pub fn choose(candidates: &[Candidate], times: usize, min: usize) -> Choice {
    // Interned features: ids in name order, so ids compare like names.
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for candidate in candidates {
        for feature in candidate.features {
            ids.entry(feature.as_str()).or_insert(0);
        }
    }
    for (id, value) in ids.values_mut().enumerate() {
        *value = id;
    }
    let names: Vec<&str> = ids.keys().copied().collect();
    let signatures: Vec<Vec<usize>> = candidates
        .iter()
        .map(|c| c.features.iter().map(|f| ids[f.as_str()]).collect())
        .collect();
    let mut holders = vec![0usize; names.len()];
    for signature in &signatures {
        for &id in signature {
            holders[id] += 1;
        }
    }
    let most_holders = holders.iter().copied().max().unwrap_or(0);

    let mut held = vec![0usize; names.len()];
    let mut taken = vec![false; candidates.len()];
    let mut chosen = Vec::new();
    let times = times.max(1);
    let mut wanted = times;
    let cost = |i: usize| candidates[i].bytes + CRATE_COST_BYTES;
    let gain = |i: usize, held: &[usize], wanted: usize| {
        signatures[i]
            .iter()
            .filter(|&&id| held[id] < wanted.min(holders[id]))
            .count() as u64
    };
    while chosen.len() < candidates.len() {
        // Past the cover asked for, crates are added only up to `min`.
        if wanted > times && chosen.len() >= min {
            break;
        }
        let mut best: Option<(usize, u64)> = None;
        for i in (0..candidates.len()).filter(|&i| !taken[i]) {
            let g = gain(i, &held, wanted);
            let better = match best {
                None => true,
                Some((b, bg)) => {
                    // g / cost(i) against bg / cost(b), without division.
                    let (left, right) = (
                        u128::from(g) * u128::from(cost(b)),
                        u128::from(bg) * u128::from(cost(i)),
                    );
                    left > right
                        || (left == right
                            && (cost(i), candidates[i].key) < (cost(b), candidates[b].key))
                }
            };
            if better {
                best = Some((i, g));
            }
        }
        let Some((index, best_gain)) = best else {
            break;
        };
        if best_gain == 0 {
            if chosen.len() >= min {
                break;
            }
            if wanted < most_holders {
                wanted += 1;
                continue;
            }
            // Everything is held by all its holders: the cheapest remain.
        }
        let mut brought: Vec<usize> = signatures[index]
            .iter()
            .copied()
            .filter(|&id| held[id] < wanted.min(holders[id]))
            .collect();
        brought.sort_by_key(|&id| (holders[id], id));
        for &id in &signatures[index] {
            held[id] += 1;
        }
        taken[index] = true;
        chosen.push(Chosen {
            index,
            wanted,
            brought: brought.iter().map(|&id| names[id].to_owned()).collect(),
        });
    }
    Choice {
        chosen,
        features: names.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates from `(key, kilobytes, "feature feature ...")`.
    fn candidates(
        rows: &[(&'static str, u64, &str)],
    ) -> (Vec<Vec<String>>, Vec<(&'static str, u64)>) {
        let features = rows
            .iter()
            .map(|(_, _, f)| {
                let mut f: Vec<String> = f.split_whitespace().map(str::to_owned).collect();
                f.sort();
                f
            })
            .collect();
        (
            features,
            rows.iter().map(|&(k, kb, _)| (k, kb * 1024)).collect(),
        )
    }

    fn check(rows: &[(&'static str, u64, &str)], times: usize, min: usize) -> Vec<&'static str> {
        let (features, keys) = candidates(rows);
        let list: Vec<Candidate> = keys
            .iter()
            .zip(&features)
            .map(|(&(key, bytes), features)| Candidate {
                key,
                bytes,
                features,
            })
            .collect();
        choose(&list, times, min)
            .chosen
            .iter()
            .map(|c| keys[c.index].0)
            .collect()
    }

    #[test]
    fn every_feature_is_held_twice_by_the_cheapest_crates() {
        let rows = [
            ("big", 900, "a b c d"),
            ("a1", 1, "a b"),
            ("a2", 2, "a b"),
            ("c1", 1, "c"),
            ("c2", 3, "c d"),
            ("d1", 1, "d"),
        ];
        // `big` holds everything but costs more than the four it replaces.
        assert_eq!(check(&rows, 2, 0), ["a1", "a2", "c2", "c1", "d1"]);
        // Once: the two that hold the most per byte.
        assert_eq!(check(&rows, 1, 0), ["a1", "c2"]);
    }

    #[test]
    fn a_feature_only_one_crate_has_takes_that_crate() {
        let rows = [
            ("a", 1, "x"),
            ("b", 1, "x"),
            ("c", 1, "x"),
            ("huge", 5000, "x rare"),
        ];
        // Twice: a and b hold `x` cheaper than `huge`, which is needed for `rare`.
        assert_eq!(check(&rows, 2, 0), ["a", "b", "huge"]);
    }

    #[test]
    fn up_to_the_minimum_it_wants_more_holders_then_the_cheapest() {
        let rows = [
            ("a", 1, "x"),
            ("b", 1, "x y"),
            ("c", 2, "y"),
            ("d", 1, ""),
            ("e", 1, "x"),
            ("f", 1, "x"),
        ];
        // Twice: b (x y), then a (x) and c (y). Three times: e (x), and
        // only up to the minimum. Four times: f (x). Then d.
        assert_eq!(check(&rows, 2, 0), ["b", "a", "c"]);
        assert_eq!(check(&rows, 2, 2), ["b", "a", "c"]);
        assert_eq!(check(&rows, 2, 4), ["b", "a", "c", "e"]);
        assert_eq!(check(&rows, 2, 5), ["b", "a", "c", "e", "f"]);
        assert_eq!(check(&rows, 2, 6), ["b", "a", "c", "e", "f", "d"]);
        assert_eq!(check(&rows, 2, 9).len(), 6);
    }

    #[test]
    fn ties_go_to_the_cheaper_then_the_smaller_key() {
        let rows = [("b", 1, "x"), ("a", 1, "x"), ("c", 1, "x")];
        assert_eq!(check(&rows, 1, 0), ["a"]);
        let rows = [("a", 2, "x"), ("b", 1, "x")];
        assert_eq!(check(&rows, 1, 0), ["b"]);
    }

    #[test]
    fn what_each_crate_brought_is_recorded_rarest_first() {
        let (features, _) = candidates(&[("a", 1, "common rare"), ("b", 1, "common")]);
        let list = [
            Candidate {
                key: "a",
                bytes: 1,
                features: &features[0],
            },
            Candidate {
                key: "b",
                bytes: 1,
                features: &features[1],
            },
        ];
        let choice = choose(&list, 1, 0);
        assert_eq!(choice.features, 2);
        assert_eq!(
            choice.chosen,
            [Chosen {
                index: 0,
                wanted: 1,
                brought: vec!["rare".into(), "common".into()],
            }]
        );
    }

    #[test]
    fn the_choice_does_not_depend_on_the_candidates_order() {
        let rows = [
            ("p", 300, "a b c"),
            ("q", 1, "a"),
            ("r", 2, "b c"),
            ("s", 2, "c d"),
            ("t", 4, "d e"),
            ("u", 1, "a"),
            ("w", 1, "b"),
        ];
        let mut reversed = rows;
        reversed.reverse();
        let forward = check(&rows, 2, 0);
        assert_eq!(forward, check(&reversed, 2, 0));
        let mut set = forward;
        set.sort();
        // `p` holds a lot, but cheaper crates hold each of its features twice.
        assert_eq!(set, ["q", "r", "s", "t", "u", "w"]);
    }
}

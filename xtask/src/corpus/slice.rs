//! The coverage slice's glue: from the generated crates' signatures to
//! the chosen crates in the `crates/` workspace, and `slice.csv`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use super::vocabulary::Signature;
use super::{Outcome, cover, generate, report};

/// The chosen coverage slice.
pub struct Slice {
    pub info: report::CoverInfo,
    /// `slice.csv`: why each crate was chosen.
    pub csv: String,
}

/// Chooses the coverage slice among the kept (small enough) generated
/// crates in the scratch folder and moves the chosen ones into `crates`:
/// afterwards, exactly the chosen generations are `kept`.
pub fn choose_slice(
    jobs: &[generate::Job],
    generations: &mut [generate::Generation],
    min: usize,
    max_bytes: u64,
    crates: &Path,
) -> Result<Slice, String> {
    let candidates: Vec<(usize, &Signature)> = generations
        .iter()
        .enumerate()
        .filter(|(_, g)| g.kept && g.outcome == Outcome::Generated)
        .filter_map(|(i, g)| g.signature.as_ref().map(|s| (i, s)))
        .collect();
    let list: Vec<cover::Candidate> = candidates
        .iter()
        .map(|&(i, s)| cover::Candidate {
            key: &jobs[i].label,
            bytes: s.bytes,
            features: &s.features,
        })
        .collect();
    let choice = cover::choose(&list, 2, min);

    // Features that only crates over the size limit hold.
    let mut held: BTreeSet<&str> = BTreeSet::new();
    for (_, signature) in &candidates {
        held.extend(signature.features.iter().map(String::as_str));
    }
    let mut only_large: BTreeSet<&str> = BTreeSet::new();
    let mut large = 0;
    for generation in generations.iter() {
        if let (false, Some(signature)) = (generation.kept, &generation.signature) {
            large += 1;
            only_large.extend(
                signature
                    .features
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !held.contains(f)),
            );
        }
    }

    let mut csv = String::from("order,spec,crate,kb,wanted,new_features,rarest_new\n");
    let mut bytes = 0;
    let mut chosen_jobs = Vec::new();
    for (order, chosen) in choice.chosen.iter().enumerate() {
        let (i, signature) = candidates[chosen.index];
        bytes += signature.bytes;
        chosen_jobs.push(i);
        let rarest: Vec<&str> = chosen.brought.iter().take(5).map(String::as_str).collect();
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{}",
            order + 1,
            report::csv_field(&jobs[i].label),
            jobs[i].name,
            signature.bytes.div_ceil(1024),
            chosen.wanted,
            chosen.brought.len(),
            report::csv_field(&rarest.join(" ")),
        );
    }
    let info = report::CoverInfo {
        min,
        crates: choice.chosen.len(),
        bytes,
        features: choice.features,
        candidates: candidates.len(),
        max_bytes,
        large,
        only_large: only_large.iter().map(|f| (*f).to_owned()).collect(),
    };
    eprintln!(
        "chose {} crates ({} KB of source) holding the {} features of {} candidate crates \
         (generated, up to {} KB); {} features only in the {} larger crates",
        info.crates,
        bytes.div_ceil(1024),
        info.features,
        info.candidates,
        max_bytes / 1024,
        info.only_large.len(),
        large
    );
    chosen_jobs.sort_unstable();
    for generation in generations.iter_mut() {
        generation.kept = false;
    }
    for i in chosen_jobs {
        let to = crates.join(&jobs[i].name);
        std::fs::rename(&jobs[i].dir, &to).map_err(|e| {
            format!(
                "cannot move {} to {}: {e}",
                jobs[i].dir.display(),
                to.display()
            )
        })?;
        generations[i].kept = true;
    }
    Ok(Slice { info, csv })
}

//! `boxoffice-load compare --a URL --b URL`: the same rush (same options, same seed; each
//! run sets up its own data) against two targets in alternation, A B A B …, for `--rounds`
//! rounds, so drift on the machine hits both alike; then the medians of each side and the
//! ratios B/A: throughput, p99 of hold, purchase and the sold-out answer, time to sell out,
//! users served, invariant violations. For comparing two commits or two configurations.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use crate::rush::report::RushReport;
use crate::rush::{RushArgs, execute, parse_args};

/// Options of `boxoffice-load compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Target A.
    #[arg(long)]
    pub a: String,
    /// Target B.
    #[arg(long)]
    pub b: String,
    /// Staff token of A (else `--a-data-dir`).
    #[arg(long)]
    pub a_admin_token: Option<String>,
    /// Staff token of B (else `--b-data-dir`).
    #[arg(long)]
    pub b_admin_token: Option<String>,
    /// Data directory of A, for its `admin-token`.
    #[arg(long)]
    pub a_data_dir: Option<PathBuf>,
    /// Data directory of B, for its `admin-token`.
    #[arg(long)]
    pub b_data_dir: Option<PathBuf>,
    /// Rounds (each runs A then B).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub rounds: u32,
    /// Options passed to every rush, e.g. `--rush "--users 2000 --duration 30s"`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub rush: String,
    /// Allow targets that are not on loopback.
    #[arg(long)]
    pub allow_remote: bool,
}

/// The figures compared.
const METRICS: [&str; 7] = [
    "requests/s",
    "p99 hold ms",
    "p99 purchase ms",
    "p99 sold-out ms",
    "sold out after s",
    "users served",
    "violations",
];

fn figures(r: &RushReport) -> [f64; 7] {
    let p99 = |op: &str| r.operations.get(op).map_or(f64::NAN, |s| s.p99_ms);
    [
        r.requests_per_s,
        p99("hold"),
        p99("purchase"),
        p99("sold_out_answer"),
        r.hot.sold_out_after_s.unwrap_or(f64::NAN),
        r.served as f64,
        r.verification.violation_count as f64,
    ]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn rush_args(
    args: &CompareArgs,
    target: &str,
    token: Option<&String>,
    dir: Option<&PathBuf>,
    side: &str,
    round: u32,
) -> anyhow::Result<RushArgs> {
    let words: Vec<&str> = args.rush.split_whitespace().collect();
    let mut rush = parse_args(&words)?;
    rush.target = target.to_owned();
    rush.admin_token = token.cloned().or(rush.admin_token);
    rush.data_dir = dir.cloned().or(rush.data_dir);
    rush.allow_remote = args.allow_remote;
    rush.quiet = true;
    rush.setup = None;
    rush.json = PathBuf::from(format!("compare-{side}-{round}.json"));
    rush.chart = PathBuf::from(format!("compare-{side}-{round}.svg"));
    if rush.store.is_some() {
        bail!("--store names one database; compare checks both targets through their APIs only");
    }
    Ok(rush)
}

/// Runs the comparison and prints the table.
///
/// # Errors
/// Bad options, a failed rush, or a violated invariant on either side.
pub async fn run(args: CompareArgs) -> anyhow::Result<()> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for round in 1..=args.rounds {
        for (side, target, token, dir, out) in [
            ("a", &args.a, args.a_admin_token.as_ref(), args.a_data_dir.as_ref(), &mut a),
            ("b", &args.b, args.b_admin_token.as_ref(), args.b_data_dir.as_ref(), &mut b),
        ] {
            let rush = rush_args(&args, target, token, dir, side, round)?;
            println!("round {round}: rush against {side} = {target}");
            let report = execute(&rush).await?;
            report.write(&rush.json, &rush.chart)?;
            println!(
                "  {:.0} req/s, {} served, {} violations",
                report.requests_per_s, report.served, report.verification.violation_count
            );
            out.push(figures(&report));
        }
    }
    println!("\n{:<20} {:>12} {:>12} {:>8}", "median of rounds", "A", "B", "B/A");
    let mut violations = 0.0;
    for (i, name) in METRICS.iter().enumerate() {
        let (ma, mb) = (median(a.iter().map(|f| f[i]).collect()), median(b.iter().map(|f| f[i]).collect()));
        println!("{name:<20} {ma:>12.2} {mb:>12.2} {:>8.2}", mb / ma);
        if i == METRICS.len() - 1 {
            violations = a.iter().chain(&b).map(|f| f[i]).sum();
        }
    }
    if violations > 0.0 {
        bail!("{violations} invariant violation(s) across the runs");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn medians_skip_missing_figures() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(super::median(vec![4.0, f64::NAN, 2.0]), 3.0);
        assert!(super::median(vec![f64::NAN]).is_nan());
    }
}

//! `report.html`: one self-contained file — no network, no scripts, the font embedded —
//! that opens offline in any browser and prints cleanly.

use std::fmt::Write as _;

use super::Rendered;
use super::data::{Batch, MeanCi, Share, thousands};
use super::format::{Interval, num, num_ci, pct, range};
use super::theme;
use crate::scenario::validated::InjectKind;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML and mean nothing in HTML.
            c if crate::text::is_unsafe(c) => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648), for the embedded font.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

pub(super) fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

pub(super) const STYLE: &str = r#"
:root { --sig: SIG; --non: NON; --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; --faint: #f4f4f4; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "DejaVu Sans", "Bitstream Vera Sans", Verdana, sans-serif; color: var(--ink); background: #fff;
  max-width: 1010px; margin: 2rem auto 3rem; padding: 0 1.25rem; font-size: 15px; line-height: 1.5; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2.4rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--ink); }
p { margin: .5rem 0; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .75rem; color: var(--muted); margin: 0 0 .3rem; }
.meta { color: var(--muted); font-size: .88rem; }
.meta span { white-space: nowrap; }
nav { font-size: .88rem; margin: 1rem 0 0; padding: .6rem .8rem; background: var(--faint); }
nav a { color: inherit; margin-right: 1rem; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: .87rem; font-variant-numeric: tabular-nums; margin: .6rem 0; }
th, td { text-align: left; padding: .32rem .55rem; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
thead th { border-bottom: 1.5px solid var(--ink); font-weight: bold; vertical-align: bottom; }
td.n { text-align: right; white-space: nowrap; }
th.n { text-align: right; }
td.name { min-width: 11em; } td.group { white-space: nowrap; } .no { white-space: nowrap; }
td.ci { color: var(--muted); white-space: nowrap; }
tr.section td { font-weight: bold; background: var(--faint); }
.dot { display: inline-block; width: .72em; height: .72em; border-radius: 50%; margin-right: .4em; vertical-align: -.05em; }
.dot.sig { background: var(--sig); } .dot.non { background: var(--non); }
.sig-t { color: var(--sig); font-weight: bold; } .non-t { color: var(--non); font-weight: bold; }
.no { color: #999; }
figure { margin: 1.4rem 0 2.2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid #ececec; }
figcaption { margin-top: .55rem; font-size: .93rem; }
figcaption .files { display: block; color: var(--muted); font-size: .8rem; margin-top: .15rem; }
.note { border-left: 3px solid #E69F00; padding: .3rem .7rem; background: #fff8e6; font-size: .9rem; }
footer { margin-top: 3rem; padding-top: .6rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: .8rem; }
@media print {
  @page { size: A4; margin: 13mm 12mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, table, tr { break-inside: avoid; page-break-inside: avoid; }
  figure svg { border: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole report.
pub fn report(b: &Batch, charts: &[Rendered], notes: &[String]) -> String {
    let s = &b.summary;
    let m = &b.manifest;
    let sc = &b.scenario;
    let mut h = String::with_capacity(2_000_000);
    let style = STYLE.replace("SIG", &hex(theme::SIGNATORIES)).replace("NON", &hex(theme::NON_SIGNATORIES));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"escalate {}\">\n<title>{} — escalate report</title>\n<style>\n\
         @font-face {{ font-family: \"DejaVu Sans\"; font-style: normal; font-weight: normal; \
         src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n\
         @font-face {{ font-family: \"DejaVu Sans\"; font-style: normal; font-weight: bold; \
         src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n{}</style>\n</head>\n<body>\n",
        escape(&m.version),
        escape(&sc.name),
        base64(theme::FONT_REGULAR),
        base64(theme::FONT_BOLD),
        style
    );

    // Header: what was simulated, with which parameters.
    h.push_str("<header>\n<p class=\"kicker\">escalate batch report</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(&sc.name));
    for para in sc.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(h, "<p class=\"desc\">{}</p>", escape(&para.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    let mut meta = vec![
        format!("<strong>{}</strong> runs", thousands(b.runs())),
        format!("master seed <strong>{}</strong>", m.master_seed),
        format!("{} turns of one {}", s.turns, escape(&s.turn_length)),
        format!("escalate <strong>{}</strong>", escape(&m.version)),
        format!(
            "scenario {} (SHA-256 {}…)",
            escape(&m.scenario_file),
            escape(m.scenario_sha256.get(..12).unwrap_or(""))
        ),
        format!("created {}", escape(&m.created_utc)),
    ];
    if m.shard.n > 1 {
        meta.push(format!("shard {}/{} of a {}-run batch", m.shard.k, m.shard.n, thousands(m.runs_total)));
    }
    if !m.merged_from.is_empty() {
        meta.push(format!("merged from {} shards", m.merged_from.len()));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}</p>",
        meta.iter().map(|x| format!("<span>{x}</span>")).collect::<Vec<_>>().join(" · ")
    );
    h.push_str("<nav><a href=\"#norms\">Norms</a><a href=\"#headline\">Headline figures</a>");
    for r in charts {
        let _ = write!(h, "<a href=\"#{}\">{}</a>", r.chart.stem(), escape(short_name(r.chart.stem())));
    }
    h.push_str("<a href=\"#actors\">Per actor</a></nav>\n</header>\n");

    norms_section(&mut h, b);
    headline_section(&mut h, b);

    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    let cx = super::charts::Context { runs: b.runs() };
    for r in charts {
        let stem = r.chart.stem();
        let _ = writeln!(h, "<figure id=\"{stem}\">\n{}", inline_svg(&r.svg));
        let _ = writeln!(
            h,
            "<figcaption><strong>Reading:</strong> {}<span class=\"files\">charts/{stem}.png · charts/{stem}.svg</span></figcaption>\n</figure>",
            escape(&r.chart.reading(&cx))
        );
    }
    for n in notes {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(n));
    }
    h.push_str("</section>\n");

    actors_section(&mut h, b);

    let _ = write!(
        h,
        "<footer>Generated by escalate {} from the files of this batch directory (manifest.json, scenario.ron, \
         summary.json, turns.{}); drawing never re-simulates. Intervals are 95%: for means of scores, ± t·sd/√n \
         over runs; for means of quantities that are never negative (downtime, harm, counts), the 2.5% and 97.5% \
         quantiles of a gamma distribution with the mean's mean and variance, which never go below 0; for shares, \
         Wilson score intervals. Escalation scores use the tier weights of Rivera et al. (2024).</footer>\n\
         </body>\n</html>\n",
        escape(&m.version),
        m.format.ext()
    );
    h
}

fn short_name(stem: &str) -> &'static str {
    match stem {
        "escalation-score" => "Escalation",
        "highest-rung" => "Highest rung",
        "outcomes" => "Outcomes",
        "violations" => "Violations",
        "downtime" => "Downtime",
        "attribution" => "Attribution",
        "first-use-of-force" => "First use of force",
        "actors" => "Actors",
        "escalation-score-by-actor" => "Escalation by actor",
        _ => "Chart",
    }
}

/// An SVG ready to sit in HTML: no XML namespace URL needed there.
pub(super) fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn dot(signatory: bool) -> &'static str {
    if signatory { "<span class=\"dot sig\"></span>" } else { "<span class=\"dot non\"></span>" }
}

fn norms_section(h: &mut String, b: &Batch) {
    let sc = &b.scenario;
    h.push_str("<section id=\"norms\">\n<h2>Who is bound by which norms</h2>\n");
    let reference = sc.reference_set.map(|r| sc.norm_sets[r.index()].name.clone());
    match &reference {
        Some(name) => {
            let _ = writeln!(
                h,
                "<p>Group figures compare <span class=\"sig-t\">signatories</span> and <span class=\"non-t\">non-signatories</span> \
                 of the {}: an actor counts as a signatory from the turn it is bound. The group at the start is shown by its colour.</p>",
                escape(name)
            );
        }
        None => {
            h.push_str("<p>This scenario declares no reference norm set: every actor counts as a non-signatory.</p>\n")
        }
    }
    h.push_str("<table>\n<thead><tr><th>Actor</th><th>Kind</th>");
    for set in &sc.norm_sets {
        let _ = write!(h, "<th>{}</th>", escape(&set.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, a) in sc.actors.iter().enumerate() {
        let signatory = b.summary.per_actor.iter().find(|r| r.id == a.id).is_some_and(|r| r.signatory_at_start);
        let kind = format!("{:?}", a.kind).to_lowercase();
        let _ = write!(
            h,
            "<tr><td class=\"name\">{}{} <span class=\"no\">{}</span></td><td>{}</td>",
            dot(signatory),
            escape(&a.name),
            escape(&a.id),
            kind
        );
        for (k, _) in sc.norm_sets.iter().enumerate() {
            let mut cell: Vec<String> = Vec::new();
            if let Some(c) = a.commitments.iter().find(|c| c.set.index() == k) {
                cell.push(if c.from_turn <= 1 { "bound".into() } else { format!("bound from turn {}", c.from_turn) });
            }
            for inj in &sc.injects {
                match inj.event {
                    InjectKind::Commit { actor, set } if actor.index() == i && set.index() == k => {
                        cell.push(format!("signs at turn {}", inj.turn));
                    }
                    InjectKind::Withdraw { actor, set } if actor.index() == i && set.index() == k => {
                        cell.push(format!("withdraws at turn {}", inj.turn));
                    }
                    _ => {}
                }
            }
            if cell.is_empty() {
                h.push_str("<td class=\"no\">not bound</td>");
            } else {
                let _ = write!(h, "<td>{}</td>", escape(&cell.join("; ")));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn mean_row(h: &mut String, label: &str, m: &MeanCi) {
    let (value, ci) = num_ci(&Interval::of_mean(m));
    let _ = writeln!(h, "<tr><td>{label}</td><td class=\"n\">{value}</td><td class=\"ci\">{ci}</td></tr>");
}

fn share_row(h: &mut String, label: &str, s: &Share) {
    let i = Interval::of_share(s);
    let _ = writeln!(
        h,
        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"ci\">{}</td></tr>",
        label,
        pct(i.value),
        range(&i, pct)
    );
}

fn headline_section(h: &mut String, b: &Batch) {
    let s = &b.summary;
    h.push_str("<section id=\"headline\">\n<h2>Headline figures</h2>\n");
    let _ = writeln!(
        h,
        "<p>Over {} runs of {} turns. Per-run figures are means over runs; in brackets, the 95% confidence interval.</p>",
        thousands(b.runs()),
        s.turns
    );
    h.push_str("<table>\n<thead><tr><th>Figure</th><th class=\"n\">Value</th><th>95% CI</th></tr></thead>\n<tbody>\n");
    h.push_str("<tr class=\"section\"><td colspan=\"3\">How runs end (share of runs)</td></tr>\n");
    for o in crate::record::Outcome::ALL {
        if let Some(sh) = s.outcomes.get(o.slug()) {
            share_row(h, o.label(), sh);
        }
    }
    share_row(h, "runs with any use of armed force", &s.first_use_of_force.runs_with_force);
    if s.first_use_of_force.runs_with_force.count > 0 {
        mean_row(h, "turn of first use of force (runs with force)", &s.first_use_of_force.turn);
    }
    h.push_str("<tr class=\"section\"><td colspan=\"3\">Escalation (per run)</td></tr>\n");
    mean_row(h, "escalation score per actor per turn", &s.escalation_score.mean_per_turn);
    mean_row(h, "highest rung reached (0 status quo … 6 nuclear)", &s.highest_rung.mean_level);
    mean_row(h, "operations launched", &s.operations.per_run);
    mean_row(h, "sanctions imposed", &s.sanctions);
    let set = b.scenario.reference_set.map(|r| b.scenario.norm_sets[r.index()].name.clone());
    let _ = writeln!(
        h,
        "<tr class=\"section\"><td colspan=\"3\">Norm violations of the {} (per run)</td></tr>",
        escape(set.as_deref().unwrap_or("reference norm set"))
    );
    mean_row(h, &format!("{}by signatories", dot(true)), &s.violations.by_signatories);
    mean_row(h, &format!("{}by non-signatories", dot(false)), &s.violations.by_non_signatories);
    h.push_str(
        "<tr class=\"section\"><td colspan=\"3\">Critical infrastructure (asset-turns down per run)</td></tr>\n",
    );
    mean_row(h, "all owners", &s.downtime.asset_turns);
    mean_row(h, &format!("{}signatory-owned", dot(true)), &s.downtime.signatory_owners);
    mean_row(h, &format!("{}non-signatory-owned", dot(false)), &s.downtime.other_owners);
    mean_row(h, "civilian harm (criticality-weighted loss)", &s.civilian_harm);
    h.push_str("<tr class=\"section\"><td colspan=\"3\">Attribution</td></tr>\n");
    share_row(h, "attributions believed by victims that are wrong", &s.attribution.believed_wrong);
    share_row(h, "public attributions that name the wrong actor", &s.attribution.public_wrong);
    mean_row(h, "turns from launch to attribution", &s.attribution.turns_to_belief);
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn actors_section(h: &mut String, b: &Batch) {
    h.push_str("<section id=\"actors\">\n<h2>Per actor</h2>\n");
    let set = b.scenario.reference_set.map(|r| b.scenario.norm_sets[r.index()].name.clone());
    let set = set.as_deref().unwrap_or("reference norm set");
    let _ = writeln!(
        h,
        "<p>Means per run over {} runs. Downtime counts the actor's own assets out of service, in asset-turns. \
         Violations of the {} are what the headline figures count: the column sums to their total. \
         Violations of all norm sets count an act once for each set whose principle it breaks.</p>",
        thousands(b.runs()),
        escape(set)
    );
    let _ = write!(
        h,
        "<table>\n<thead><tr><th>Actor</th><th>Group at start</th><th class=\"n\">Operations launched</th>\
         <th class=\"n\">Operations suffered</th><th class=\"n\">Violations of the {}</th>\
         <th class=\"n\">Violations of all norm sets</th><th class=\"n\">Downtime</th>\
         <th class=\"n\">Sanctions imposed</th><th class=\"n\">Sanctions suffered</th></tr></thead>\n<tbody>\n",
        escape(set)
    );
    let f = |x: Option<f64>| x.map_or("n/a".to_string(), num);
    for a in &b.summary.per_actor {
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}{} <span class=\"no\">{}</span></td><td class=\"group\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            dot(a.signatory_at_start),
            escape(&a.name),
            escape(&a.id),
            if a.signatory_at_start { "signatory" } else { "non-signatory" },
            f(a.ops_launched),
            f(a.ops_suffered),
            f(a.violations_reference_set),
            f(a.violations),
            f(a.downtime),
            f(a.sanctions_imposed),
            f(a.sanctions_suffered)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}

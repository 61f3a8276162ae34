//! Semantic validation: from the file schema to a [`Scenario`] the engine can trust.
//!
//! Every check records a problem at the path of the offending value and carries on,
//! so that one run of `escalate validate` reports everything that is wrong.

use std::collections::BTreeMap;

use super::builtin;
use super::diagnostic::{Collector, ScenarioErrors, hint_from};
use super::locate::Path;
use super::schema::*;
use super::validated::*;
use crate::model::ids::{ActionId, ActorId, AssetId, MAX_PRINCIPLES, NormSetId, PrincipleId, PrincipleMask};
use crate::model::params::{PARAMETERS, Parameters, spec};
use crate::model::sector::{DEFAULT_SECTOR_DEPENDENCIES, Sector};

/// Limits that keep a run's memory and time bounded. A scenario beyond them is refused.
pub mod limits {
    pub const MAX_ACTORS: usize = 1_000;
    pub const MAX_ASSETS: usize = 20_000;
    pub const MAX_ACTIONS: usize = 500;
    pub const MAX_INJECTS: usize = 10_000;
    pub const MAX_TURNS: u32 = 10_000;
    pub const MAX_NORM_SETS: usize = 32;
    /// Actors × turns: the work of one run grows with it.
    pub const MAX_ACTOR_TURNS: u64 = 2_000_000;
    /// Dependencies between assets, declared or made by the sector graph: the
    /// cascade visits each one every turn.
    pub const MAX_DEPENDENCIES: u64 = 200_000;
}

struct V<'a> {
    c: Collector,
    f: &'a ScenarioFile,
}

pub fn validate(name: &str, text: &str, f: &ScenarioFile) -> Result<Scenario, ScenarioErrors> {
    let mut v = V { c: Collector::new(name, text), f };
    let mut s = v.build();
    v.c.finish()?;
    clean_text(&mut s);
    Ok(s)
}

/// Escapes control characters in every piece of user text of a valid scenario, so
/// that nothing downstream (terminal, charts, SVG, HTML, saves) ever prints one.
/// Text without any is left exactly as it is.
fn clean_text(s: &mut Scenario) {
    use crate::text::{clean, clean_line};
    let line = |t: &mut String| *t = clean_line(t);
    line(&mut s.name);
    line(&mut s.turn_length);
    s.description = clean(&s.description);
    s.sources.iter_mut().for_each(line);
    for n in &mut s.norm_sets {
        line(&mut n.id);
        line(&mut n.name);
        line(&mut n.source);
    }
    for p in &mut s.principles {
        line(&mut p.key);
        line(&mut p.name);
    }
    for a in &mut s.actors {
        line(&mut a.id);
        line(&mut a.name);
    }
    s.alliances.iter_mut().for_each(|a| line(&mut a.id));
    for a in &mut s.assets {
        line(&mut a.id);
        line(&mut a.name);
    }
    for a in &mut s.actions {
        line(&mut a.id);
        line(&mut a.name);
    }
    s.injects.iter_mut().for_each(|i| i.report = clean(&i.report));
}

fn root() -> Path {
    Path::root()
}

impl V<'_> {
    fn err(&mut self, path: &Path, msg: impl Into<String>, help: impl Into<String>) {
        self.c.at(path, msg, Some(help.into()));
    }

    fn unit(&mut self, path: &Path, what: &str, x: f64) -> f64 {
        self.range(path, what, x, 0.0, 1.0)
    }

    fn range(&mut self, path: &Path, what: &str, x: f64, lo: f64, hi: f64) -> f64 {
        if !x.is_finite() {
            self.err(path, format!("{what} is {x}, not a finite number"), format!("use a number from {lo} to {hi}"));
            return lo;
        }
        if x < lo || x > hi {
            // 1e308 in full is 309 digits: show far-out numbers in scientific notation.
            let shown = if x.abs() >= 1e9 || (x != 0.0 && x.abs() < 1e-6) { format!("{x:e}") } else { format!("{x}") };
            self.err(
                path,
                format!("{what} is {shown}, outside {lo}..={hi}"),
                format!("use a number from {lo} to {hi}"),
            );
            return x.clamp(lo, hi);
        }
        x
    }

    fn build(&mut self) -> Scenario {
        let f = self.f;
        // ---- horizon
        let turns = f.horizon.turns;
        let hp = root().field("horizon").field("turns");
        if turns == 0 {
            self.err(&hp, "the horizon has 0 turns", "a run needs at least one turn, e.g. `turns: 26`");
        } else if turns > limits::MAX_TURNS {
            self.err(
                &hp,
                format!("{turns} turns is more than the {} a run may last", limits::MAX_TURNS),
                "use a longer turn length instead (a week, a month)",
            );
        }
        if f.name.trim().is_empty() {
            self.err(
                &root().field("name"),
                "the scenario has no name",
                "give it a short name, e.g. `name: \"Grid wiper\"`",
            );
        }

        let (norm_sets, principles) = self.norm_sets();
        let actors_ok = self.check_sizes();
        let actor_ids: Vec<&str> =
            if actors_ok { f.actors.iter().map(|a| a.id.as_str()).collect() } else { Vec::new() };
        let actor_index = self.unique_ids(&actor_ids, "actors", "actor");
        let resolve_actor = |v: &mut Self, path: &Path, id: &str| -> Option<ActorId> {
            match actor_index.get(id) {
                Some(&i) => Some(ActorId::from_index(i)),
                None => {
                    // Hints search every id: skip them once the report is full.
                    if !v.c.skip_if_full() {
                        v.err(path, format!("no actor has the id `{id}`"), hint_from(id, "actors", &actor_ids));
                    }
                    None
                }
            }
        };
        let set_ids: Vec<&str> = norm_sets.iter().map(|s| s.id.as_str()).collect();
        let resolve_set = |v: &mut Self, path: &Path, id: &str| -> Option<NormSetId> {
            match set_ids.iter().position(|s| *s == id) {
                Some(i) => Some(NormSetId::from_index(i)),
                None => {
                    v.err(path, format!("no norm set has the id `{id}`"), hint_from(id, "norm sets", &set_ids));
                    None
                }
            }
        };

        // ---- actors
        let mut actors = Vec::new();
        if actors_ok {
            for (i, a) in f.actors.iter().enumerate() {
                let p = root().field("actors").index(i);
                let cap = &a.capabilities;
                let cp = p.field("capabilities");
                let capabilities = Capabilities {
                    offense: self.unit(&cp.field("offense"), "offense", cap.offense),
                    defense: self.unit(&cp.field("defense"), "defense", cap.defense),
                    attribution: self.unit(&cp.field("attribution"), "attribution", cap.attribution),
                    resilience: self.unit(&cp.field("resilience"), "resilience", cap.resilience),
                };
                let d = &a.doctrine;
                let dp = p.field("doctrine");
                let doctrine = Doctrine {
                    risk_tolerance: self.unit(&dp.field("risk_tolerance"), "risk_tolerance", d.risk_tolerance),
                    retaliation: self.unit(&dp.field("retaliation"), "retaliation", d.retaliation),
                    restraint: self.unit(&dp.field("restraint"), "restraint", d.restraint),
                    firebreak: self.unit(&dp.field("firebreak"), "firebreak", d.firebreak),
                };
                let sponsor = match &a.sponsor {
                    Some(s) => resolve_actor(self, &p.field("sponsor"), s),
                    None => None,
                };
                match (a.kind, &a.sponsor) {
                    (ActorKind::Proxy, None) => self.err(
                        &p.field("kind"),
                        format!("proxy `{}` has no sponsor", a.id),
                        "add `sponsor: Some(\"STATE\")`: a proxy acts for a state",
                    ),
                    (ActorKind::State, Some(_)) => self.err(
                        &p.field("sponsor"),
                        format!("state `{}` has a sponsor", a.id),
                        "only proxies (and companies, for their home state) have a sponsor; set `kind: Proxy`?",
                    ),
                    _ => {}
                }
                if let Some(sp) = sponsor {
                    if sp.index() == i {
                        self.err(&p.field("sponsor"), format!("`{}` sponsors itself", a.id), "name a different state");
                    } else if f.actors[sp.index()].kind != ActorKind::State {
                        self.err(&p.field("sponsor"), "a sponsor must be a state", "name a state as sponsor");
                    }
                }
                let mut commitments = Vec::new();
                for (k, cm) in a.commitments.iter().enumerate() {
                    let cpth = p.field("commitments").index(k);
                    let set = resolve_set(self, &cpth.field("norm_set"), &cm.norm_set);
                    if cm.from_turn == 0 || (turns > 0 && cm.from_turn > turns) {
                        self.err(
                            &cpth.field("from_turn"),
                            format!("commitment from turn {} lies outside the horizon of {turns} turns", cm.from_turn),
                            format!("turns are numbered 1 to {turns}; use 1 for \"from the start\""),
                        );
                    }
                    if let Some(set) = set {
                        if commitments.iter().any(|c: &Commitment| c.set == set) {
                            self.err(
                                &cpth,
                                format!("`{}` commits to `{}` twice", a.id, cm.norm_set),
                                "keep one commitment per norm set",
                            );
                        }
                        commitments.push(Commitment { set, from_turn: cm.from_turn.max(1) });
                    }
                }
                // Every state is a UN member: the Charter's prohibition of force binds it
                // from the start unless the file commits it explicitly (from a later turn).
                if a.kind == ActorKind::State
                    && let Some(charter) =
                        set_ids.iter().position(|s| *s == builtin::CHARTER).map(NormSetId::from_index)
                    && !commitments.iter().any(|c: &Commitment| c.set == charter)
                {
                    commitments.push(Commitment { set: charter, from_turn: 1 });
                }
                if a.name.trim().is_empty() {
                    self.err(
                        &p.field("name"),
                        format!("actor `{}` has an empty name", a.id),
                        "give a readable name, e.g. \"France\"",
                    );
                }
                actors.push(Actor {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    kind: a.kind,
                    sponsor,
                    capabilities,
                    doctrine,
                    commitments,
                    alliances: Vec::new(),
                });
            }
            if !f.actors.iter().any(|a| a.kind == ActorKind::State) && !f.actors.is_empty() {
                self.err(
                    &root().field("actors"),
                    "the world has no states",
                    "add at least two actors with `kind: State`",
                );
            }
        }
        let n = actors.len();

        // ---- alliances
        let mut alliances = Vec::new();
        let alliance_ids: Vec<&str> = f.alliances.iter().map(|a| a.id.as_str()).collect();
        self.unique_ids(&alliance_ids, "alliances", "alliance");
        for (i, al) in f.alliances.iter().enumerate() {
            let p = root().field("alliances").index(i);
            let mut members = Vec::new();
            for (k, m) in al.members.iter().enumerate() {
                if let Some(id) = resolve_actor(self, &p.field("members").index(k), m) {
                    if members.contains(&id) {
                        self.err(
                            &p.field("members").index(k),
                            format!("`{m}` is listed twice in `{}`", al.id),
                            "list each member once",
                        );
                    } else {
                        members.push(id);
                        if let Some(a) = actors.get_mut(id.index()) {
                            a.alliances.push(i);
                        }
                    }
                }
            }
            if al.members.len() < 2 {
                self.err(
                    &p.field("members"),
                    format!("alliance `{}` has fewer than two members", al.id),
                    "an alliance binds two or more actors",
                );
            }
            alliances.push(Alliance { id: al.id.clone(), kind: al.kind, members });
        }

        // ---- rivalries
        let mut tension = vec![0.0; n * n];
        let mut seen_pairs = BTreeMap::new();
        for (i, r) in f.rivalries.iter().enumerate() {
            let p = root().field("rivalries").index(i);
            let a = resolve_actor(self, &p.field("a"), &r.a);
            let b = resolve_actor(self, &p.field("b"), &r.b);
            let t = self.unit(&p.field("tension"), "tension", r.tension);
            if let (Some(a), Some(b)) = (a, b) {
                if a == b {
                    self.err(
                        &p.field("b"),
                        format!("`{}` is its own rival", r.a),
                        "a rivalry joins two different actors",
                    );
                    continue;
                }
                let key = (a.min(b), a.max(b));
                if let Some(prev) = seen_pairs.insert(key, i) {
                    self.err(
                        &p,
                        format!(
                            "rivalry between `{}` and `{}` is declared twice (first as rivalries[{prev}])",
                            r.a, r.b
                        ),
                        "keep one entry per pair",
                    );
                }
                tension[a.index() * n + b.index()] = t;
                tension[b.index() * n + a.index()] = t;
            }
        }

        // ---- infrastructure
        let asset_ids: Vec<&str> = f.infrastructure.iter().map(|a| a.id.as_str()).collect();
        let asset_index = self.unique_ids(&asset_ids, "infrastructure", "asset");
        let mut assets = Vec::new();
        for (i, a) in f.infrastructure.iter().enumerate() {
            let p = root().field("infrastructure").index(i);
            let owner = resolve_actor(self, &p.field("owner"), &a.owner);
            let criticality = self.unit(&p.field("criticality"), "criticality", a.criticality);
            let exposure = self.unit(&p.field("exposure"), "exposure", a.exposure);
            let recovery = self.unit(&p.field("recovery"), "recovery", a.recovery);
            if let Some(owner) = owner {
                assets.push(Asset {
                    id: a.id.clone(),
                    name: if a.name.is_empty() { a.id.clone() } else { a.name.clone() },
                    owner,
                    sector: a.sector,
                    criticality,
                    exposure,
                    recovery,
                });
            }
        }
        let assets_ok = assets.len() == f.infrastructure.len();
        let resolve_asset = |v: &mut Self, path: &Path, id: &str| -> Option<AssetId> {
            match asset_index.get(id) {
                Some(&i) => Some(AssetId::from_index(i)),
                None => {
                    if !v.c.skip_if_full() {
                        v.err(
                            path,
                            format!("no infrastructure asset has the id `{id}`"),
                            hint_from(id, "assets", &asset_ids),
                        );
                    }
                    None
                }
            }
        };

        // ---- dependencies
        let sector_deps: Vec<(Sector, Sector, f64)> = match &f.sector_dependencies {
            None => DEFAULT_SECTOR_DEPENDENCIES.to_vec(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, d) in list.iter().enumerate() {
                    let p = root().field("sector_dependencies").index(i);
                    let s = self.unit(&p.field("strength"), "strength", d.strength);
                    if d.sector == d.on {
                        self.err(
                            &p.field("on"),
                            format!("sector {:?} depends on itself", d.sector),
                            "a dependency joins two different sectors",
                        );
                    }
                    out.push((d.sector, d.on, s));
                }
                if let Some(cycle) = sector_cycle(&out) {
                    self.err(
                        &root().field("sector_dependencies"),
                        format!("the sector dependencies form a cycle: {cycle}"),
                        "cascades need an acyclic graph; drop the weakest link of the cycle",
                    );
                }
                out
            }
        };
        let mut dependencies = Vec::new();
        if assets_ok {
            // Each rule joins every asset of one sector to every asset of the other with
            // the same owner: count first, as many assets per owner and sector multiply.
            let mut by_owner_sector: BTreeMap<(ActorId, Sector), Vec<usize>> = BTreeMap::new();
            for (y, a) in assets.iter().enumerate() {
                by_owner_sector.entry((a.owner, a.sector)).or_default().push(y);
            }
            let providers = |x: &Asset, sector: Sector| by_owner_sector.get(&(x.owner, sector)).map_or(&[][..], |v| v);
            let count: u64 = sector_deps
                .iter()
                .map(|(dep, prov, _)| {
                    assets.iter().filter(|x| x.sector == *dep).map(|x| providers(x, *prov).len() as u64).sum::<u64>()
                })
                .sum::<u64>()
                + f.asset_dependencies.len() as u64;
            if count > limits::MAX_DEPENDENCIES {
                self.err(
                    &root().field("infrastructure"),
                    format!(
                        "these assets make {count} dependencies, more than the {} a scenario may hold",
                        limits::MAX_DEPENDENCIES
                    ),
                    "sector dependencies join every asset of a sector to every asset it depends on with the \
                     same owner; use one asset per owner and sector, or `sector_dependencies: Some([])`",
                );
            } else {
                for (dep_sector, prov_sector, strength) in &sector_deps {
                    for (x, ax) in assets.iter().enumerate() {
                        if ax.sector != *dep_sector {
                            continue;
                        }
                        for &y in providers(ax, *prov_sector) {
                            dependencies.push(Dependency {
                                dependent: AssetId::from_index(x),
                                provider: AssetId::from_index(y),
                                strength: *strength,
                            });
                        }
                    }
                }
            }
        }
        for (i, d) in f.asset_dependencies.iter().enumerate() {
            let p = root().field("asset_dependencies").index(i);
            let x = resolve_asset(self, &p.field("asset"), &d.asset);
            let y = resolve_asset(self, &p.field("on"), &d.on);
            let s = self.unit(&p.field("strength"), "strength", d.strength);
            if let (Some(x), Some(y)) = (x, y) {
                if x == y {
                    self.err(
                        &p.field("on"),
                        format!("`{}` depends on itself", d.asset),
                        "a dependency joins two different assets",
                    );
                } else {
                    dependencies.push(Dependency { dependent: x, provider: y, strength: s });
                }
            }
        }
        let asset_order = if assets_ok {
            match topo_order(assets.len(), &dependencies) {
                Ok(order) => order,
                Err(cycle) => {
                    let names: Vec<&str> = cycle.iter().map(|a| assets[a.index()].id.as_str()).collect();
                    self.err(
                        &root().field("asset_dependencies"),
                        format!("asset dependencies form a cycle: {}", names.join(" → ")),
                        "cascades need an acyclic graph; remove one dependency of the cycle",
                    );
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let pos: Vec<usize> = {
            let mut pos = vec![0; assets.len()];
            for (k, a) in asset_order.iter().enumerate() {
                pos[a.index()] = k;
            }
            pos
        };
        dependencies.sort_by_key(|d| (pos.get(d.dependent.index()).copied(), d.provider));

        // ---- actions
        let actions = self.actions(&principles);
        let action_ids: Vec<&str> = actions.iter().map(|a| a.id.as_str()).collect();

        // ---- parameters
        let mut params = Parameters::default();
        let names: Vec<&str> = PARAMETERS.iter().map(|p| p.name).collect();
        for (k, v) in &f.parameters {
            let p = root().field("parameters").key(k);
            match spec(k) {
                Some(s) => {
                    let vp = root().field("parameters").value(k);
                    let v = self.range(&vp, k, *v, s.min, s.max);
                    params.set(k, v);
                }
                None => self.err(&p, format!("unknown parameter `{k}`"), hint_from(k, "parameters", &names)),
            }
        }

        // ---- injects
        let mut injects = Vec::new();
        for (i, inj) in f.injects.iter().enumerate() {
            let p = root().field("injects").index(i);
            if inj.turn == 0 || (turns > 0 && inj.turn > turns) {
                self.err(
                    &p.field("turn"),
                    format!("inject at turn {} lies outside the horizon of {turns} turns", inj.turn),
                    format!("turns are numbered 1 to {turns}"),
                );
            }
            let ep = p.field("event");
            let kind = match &inj.event {
                InjectEvent::Operation { actor, action, target, apparent } => {
                    let a = resolve_actor(self, &ep.field("actor"), actor);
                    let k = match action_ids.iter().position(|x| x == action) {
                        Some(k) => Some(ActionId::from_index(k)),
                        None => {
                            self.err(
                                &ep.field("action"),
                                format!("no action has the id `{action}`"),
                                hint_from(action, "actions", &action_ids),
                            );
                            None
                        }
                    };
                    if let Some(k) = k
                        && actions[k.index()].targeting != Targeting::Infrastructure
                    {
                        self.err(
                            &ep.field("action"),
                            format!("`{action}` is not an operation against infrastructure"),
                            "scripted operations use actions with `targeting: Infrastructure`, e.g. \"wiper\"",
                        );
                    }
                    let t = resolve_asset(self, &ep.field("target"), target);
                    let ap = match apparent {
                        Some(x) => resolve_actor(self, &ep.field("apparent"), x).map(Some),
                        None => Some(None),
                    };
                    if let (Some(a), Some(t)) = (a, t)
                        && assets.get(t.index()).map(|x| x.owner) == Some(a)
                    {
                        self.err(
                            &ep.field("target"),
                            format!("`{actor}` would attack its own asset `{target}`"),
                            "target another actor's infrastructure",
                        );
                    }
                    if let (Some(a), Some(Some(x))) = (a, ap)
                        && a == x
                    {
                        self.err(
                            &ep.field("apparent"),
                            "the apparent actor is the real one",
                            "leave `apparent` out, or name the actor to be framed",
                        );
                    }
                    if let (Some(t), Some(Some(x))) = (t, ap)
                        && assets.get(t.index()).map(|x| x.owner) == Some(x)
                    {
                        self.err(
                            &ep.field("apparent"),
                            format!(
                                "`{target}` belongs to the apparent actor: the victim would be framed for attacking itself"
                            ),
                            "name a third actor to be framed",
                        );
                    }
                    match (a, k, t, ap) {
                        (Some(actor), Some(action), Some(target), Some(apparent)) => {
                            Some(InjectKind::Operation { actor, action, target, apparent })
                        }
                        _ => None,
                    }
                }
                InjectEvent::Commit { actor, norm_set } | InjectEvent::Withdraw { actor, norm_set } => {
                    let a = resolve_actor(self, &ep.field("actor"), actor);
                    let s = resolve_set(self, &ep.field("norm_set"), norm_set);
                    match (a, s, &inj.event) {
                        (Some(actor), Some(set), InjectEvent::Commit { .. }) => Some(InjectKind::Commit { actor, set }),
                        (Some(actor), Some(set), _) => Some(InjectKind::Withdraw { actor, set }),
                        _ => None,
                    }
                }
                InjectEvent::SetParameter { name, value } => match spec(name) {
                    Some(s) => {
                        let v = self.range(&ep.field("value"), name, *value, s.min, s.max);
                        Some(InjectKind::SetParameter { name: name.clone(), value: v })
                    }
                    None => {
                        self.err(
                            &ep.field("name"),
                            format!("unknown parameter `{name}`"),
                            hint_from(name, "parameters", &names),
                        );
                        None
                    }
                },
                InjectEvent::SetDoctrine { actor, field, value } => {
                    let a = resolve_actor(self, &ep.field("actor"), actor);
                    if !Doctrine::FIELDS.contains(&field.as_str()) {
                        self.err(
                            &ep.field("field"),
                            format!("unknown doctrine field `{field}`"),
                            hint_from(field, "doctrine fields", &Doctrine::FIELDS),
                        );
                    }
                    let v = self.unit(&ep.field("value"), field, *value);
                    a.filter(|_| Doctrine::FIELDS.contains(&field.as_str())).map(|actor| InjectKind::SetDoctrine {
                        actor,
                        field: field.clone(),
                        value: v,
                    })
                }
                InjectEvent::SetTension { a, b, value } => {
                    let x = resolve_actor(self, &ep.field("a"), a);
                    let y = resolve_actor(self, &ep.field("b"), b);
                    let v = self.unit(&ep.field("value"), "tension", *value);
                    if x.is_some() && x == y {
                        self.err(&ep.field("b"), "tension needs two different actors", "name two actors");
                    }
                    match (x, y) {
                        (Some(a), Some(b)) if a != b => Some(InjectKind::SetTension { a, b, value: v }),
                        _ => None,
                    }
                }
                InjectEvent::Report => {
                    if inj.report.trim().is_empty() {
                        self.err(
                            &p.field("event"),
                            "a Report inject has no `report` text",
                            "add `report: \"...\"` with what players are told",
                        );
                    }
                    Some(InjectKind::Report)
                }
            };
            if let Some(event) = kind {
                injects.push(Inject { turn: inj.turn, event, report: inj.report.clone() });
            }
        }
        injects.sort_by_key(|i| i.turn);

        // ---- end conditions
        for (i, e) in f.end_conditions.iter().enumerate() {
            let EndCondition::Quiet { turns: q, after } = e else { continue };
            // The quiet turns must all fall at or after `after` (0 acts as 1) and within the horizon.
            let earliest = u64::from((*after).max(1)) + u64::from(*q) - 1;
            if *q == 0 {
                self.err(
                    &root().field("end_conditions").index(i).field("turns"),
                    "a Quiet end condition needs at least 1 quiet turn",
                    "e.g. `Quiet(turns: 4, after: 6)`",
                );
            } else if earliest > u64::from(turns) {
                self.err(
                    &root().field("end_conditions").index(i).field("after"),
                    format!(
                        "this Quiet condition can never end a run: its earliest end is turn {earliest}, after the \
                         horizon of {turns} turns"
                    ),
                    format!(
                        "with `turns: {q}`, `after` can be at most {}; or drop the condition",
                        (i64::from(turns) - i64::from(*q) + 1).max(1)
                    ),
                );
            }
        }

        // ---- variants: ids unique (their paths are checked when applied)
        let variant_ids: Vec<&str> = f.variants.iter().map(|v| v.id.as_str()).collect();
        self.unique_ids(&variant_ids, "variants", "variant");

        let aim = aim_table(&actions, &assets, n);
        let reference_set = norm_sets.iter().position(|s| s.id == "paris-call").map(NormSetId::from_index);
        let charter = norm_sets.iter().find(|s| s.id == builtin::CHARTER).map_or(PrincipleMask::EMPTY, |s| s.mask);
        Scenario {
            name: f.name.clone(),
            description: f.description.clone(),
            sources: f.sources.clone(),
            turns,
            turn_length: f.horizon.turn_length.clone(),
            norm_sets,
            principles,
            actors,
            alliances,
            tension,
            assets,
            dependencies,
            asset_order,
            actions,
            injects,
            end_conditions: f.end_conditions.clone(),
            params,
            aim,
            reference_set,
            charter,
        }
    }

    /// Refuses worlds too large to simulate; `false` if actors must not be read further.
    fn check_sizes(&mut self) -> bool {
        let f = self.f;
        let mut ok = true;
        if f.actors.is_empty() {
            self.err(
                &root().field("actors"),
                "the world is empty: no actors",
                "add at least two states; see scenarios/ for examples",
            );
        }
        let checks: [(&'static str, usize, usize, &str); 4] = [
            ("actors", f.actors.len(), limits::MAX_ACTORS, "actors"),
            ("infrastructure", f.infrastructure.len(), limits::MAX_ASSETS, "assets"),
            ("actions", f.actions.len(), limits::MAX_ACTIONS, "actions"),
            ("injects", f.injects.len(), limits::MAX_INJECTS, "injects"),
        ];
        for (field, len, max, what) in checks {
            if len > max {
                self.err(
                    &root().field(field),
                    format!("{len} {what} is more than the {max} a scenario may hold"),
                    "split the scenario or aggregate actors into blocs",
                );
                if field == "actors" {
                    ok = false;
                }
            }
        }
        let work = f.actors.len() as u64 * u64::from(f.horizon.turns);
        if ok && work > limits::MAX_ACTOR_TURNS && f.horizon.turns <= limits::MAX_TURNS {
            self.err(
                &root().field("horizon").field("turns"),
                format!(
                    "{} actors over {} turns is {work} actor-turns, more than the {} one run may take",
                    f.actors.len(),
                    f.horizon.turns,
                    limits::MAX_ACTOR_TURNS
                ),
                "shorten the horizon or use fewer actors",
            );
        }
        ok
    }

    /// Checks ids are non-empty and unique; returns id → position.
    fn unique_ids<'s>(&mut self, ids: &[&'s str], field: &'static str, what: &str) -> BTreeMap<&'s str, usize> {
        let mut index = BTreeMap::new();
        for (i, id) in ids.iter().enumerate() {
            let p = root().field(field).index(i).field("id");
            if id.trim().is_empty() {
                self.err(&p, format!("{what} {i} has an empty id"), "ids are short names like \"FRA\" or \"fr-grid\"");
            } else if let Some(first) = index.insert(*id, i) {
                index.insert(*id, first);
                self.err(
                    &p,
                    format!("duplicate {what} id `{id}` (first used at {field}[{first}])"),
                    "every id must be unique; rename one of them",
                );
            }
        }
        index
    }

    fn norm_sets(&mut self) -> (Vec<NormSet>, Vec<Principle>) {
        let f = self.f;
        let mut defs: Vec<(&NormSetDef, Option<usize>)> = builtin::norm_sets().iter().map(|s| (s, None)).collect();
        if f.norm_sets.len() > limits::MAX_NORM_SETS {
            self.err(&root().field("norm_sets"), "too many norm sets", format!("at most {}", limits::MAX_NORM_SETS));
            return (Vec::new(), Vec::new());
        }
        for (i, s) in f.norm_sets.iter().enumerate() {
            let p = root().field("norm_sets").index(i);
            if let Some(k) = defs.iter().position(|(d, _)| d.id == s.id) {
                match defs[k].1 {
                    None => self.err(
                        &p.field("id"),
                        format!("norm set `{}` is built in and cannot be redeclared", s.id),
                        "use the built-in set, or choose another id",
                    ),
                    Some(j) => self.err(
                        &p.field("id"),
                        format!("duplicate norm set id `{}` (first at norm_sets[{j}])", s.id),
                        "rename one of them",
                    ),
                }
                continue;
            }
            if s.id.trim().is_empty() || s.id.contains(':') {
                self.err(
                    &p.field("id"),
                    format!("norm set id `{}` must be non-empty and contain no `:`", s.id),
                    "use an id like \"my-norms\"",
                );
            }
            if s.principles.is_empty() {
                self.err(
                    &p.field("principles"),
                    format!("norm set `{}` has no principles", s.id),
                    "list at least one PrincipleDef",
                );
            }
            defs.push((s, Some(i)));
        }
        let mut sets = Vec::new();
        let mut principles = Vec::new();
        for (si, (s, origin)) in defs.iter().enumerate() {
            let mut ids = Vec::new();
            let mut mask = PrincipleMask::EMPTY;
            for (pi, pr) in s.principles.iter().enumerate() {
                if ids.contains(&pr.id.as_str()) {
                    if let Some(o) = origin {
                        let p = root().field("norm_sets").index(*o).field("principles").index(pi).field("id");
                        self.err(
                            &p,
                            format!("duplicate principle id `{}` in `{}`", pr.id, s.id),
                            "principle ids are unique within a set",
                        );
                    }
                    continue;
                }
                if principles.len() >= MAX_PRINCIPLES {
                    self.err(
                        &root().field("norm_sets"),
                        format!("more than {MAX_PRINCIPLES} principles in all"),
                        "declare fewer norm sets or principles",
                    );
                    return (sets, principles);
                }
                ids.push(pr.id.as_str());
                let id = PrincipleId::from_index(principles.len());
                mask = mask.with(id);
                principles.push(Principle {
                    key: format!("{}:{}", s.id, pr.id),
                    name: pr.name.clone(),
                    set: NormSetId::from_index(si),
                });
            }
            let list = mask.iter().collect();
            sets.push(NormSet {
                id: s.id.clone(),
                name: s.name.clone(),
                source: s.source.clone(),
                principles: list,
                mask,
                reaffirmed: PrincipleMask::EMPTY,
            });
        }
        // Reaffirmations name other sets: resolved once every set is known.
        for (si, (s, origin)) in defs.iter().enumerate() {
            for (k, other) in s.reaffirms.iter().enumerate() {
                match sets.iter().position(|x| x.id == *other) {
                    Some(j) if j != si => sets[si].reaffirmed = sets[si].reaffirmed.or(sets[j].mask),
                    _ => {
                        if let Some(o) = origin {
                            let ids: Vec<&str> = sets.iter().map(|x| x.id.as_str()).collect();
                            self.err(
                                &root().field("norm_sets").index(*o).field("reaffirms").index(k),
                                format!("norm set `{}` reaffirms `{other}`, which is not another norm set", s.id),
                                hint_from(other, "norm sets", &ids),
                            );
                        }
                    }
                }
            }
        }
        (sets, principles)
    }

    fn actions(&mut self, principles: &[Principle]) -> Vec<Action> {
        let f = self.f;
        // Built-ins first, then the scenario's (replacing same ids in place).
        let mut defs: Vec<(ActionDef, Option<usize>)> =
            builtin::catalogue().iter().cloned().map(|a| (a, None)).collect();
        for (i, r) in f.remove_actions.iter().enumerate() {
            match defs.iter().position(|(d, _)| &d.id == r) {
                Some(k) => {
                    defs.remove(k);
                }
                None => {
                    let ids: Vec<&str> = builtin::catalogue().iter().map(|a| a.id.as_str()).collect();
                    self.err(
                        &root().field("remove_actions").index(i),
                        format!("no built-in action `{r}` to remove"),
                        hint_from(r, "actions", &ids),
                    );
                }
            }
        }
        let mut seen = BTreeMap::new();
        for (i, a) in f.actions.iter().enumerate() {
            if let Some(first) = seen.insert(a.id.clone(), i) {
                self.err(
                    &root().field("actions").index(i).field("id"),
                    format!("duplicate action id `{}` (first at actions[{first}])", a.id),
                    "each action id once; the same id as a built-in replaces it",
                );
                continue;
            }
            match defs.iter().position(|(d, _)| d.id == a.id) {
                Some(k) => defs[k] = (a.clone(), Some(i)),
                None => defs.push((a.clone(), Some(i))),
            }
        }
        let keys: Vec<&str> = principles.iter().map(|p| p.key.as_str()).collect();
        let mut out = Vec::new();
        for (d, origin) in defs {
            let p = match origin {
                Some(i) => root().field("actions").index(i),
                None => root(),
            };
            let mask_of = |v: &mut Self, list: &[String], field: &'static str, sub: Option<(usize, &'static str)>| {
                let mut m = PrincipleMask::EMPTY;
                for (k, key) in list.iter().enumerate() {
                    match keys.iter().position(|x| x == key) {
                        Some(pi) => m = m.with(PrincipleId::from_index(pi)),
                        None => {
                            let mut path = p.field(field);
                            if let Some((j, f2)) = sub {
                                path = path.index(j).field(f2);
                            }
                            let hint = if key.contains(':') {
                                hint_from(key, "principles", &keys)
                            } else {
                                format!("principles are written `set:id`, e.g. \"paris-call:{key}\"")
                            };
                            v.err(&path.index(k), format!("unknown principle `{key}` in action `{}`", d.id), hint);
                        }
                    }
                }
                m
            };
            let violates = mask_of(self, &d.violates, "violates", None);
            let upholds = mask_of(self, &d.upholds, "upholds", None);
            let mut by_sector = [violates; 9];
            for (j, rule) in d.violates_in.iter().enumerate() {
                let m = mask_of(self, &rule.principles, "violates_in", Some((j, "principles")));
                for s in &rule.sectors {
                    by_sector[s.index()] = by_sector[s.index()].or(m);
                }
            }
            let e = &d.effects;
            let ep = p.field("effects");
            let effects = Effects {
                damage: self.unit(&ep.field("damage"), "damage", e.damage),
                spread: self.unit(&ep.field("spread"), "spread", e.spread),
                offense_gain: self.unit(&ep.field("offense_gain"), "offense_gain", e.offense_gain),
                defense_gain: self.unit(&ep.field("defense_gain"), "defense_gain", e.defense_gain),
                tension: self.range(&ep.field("tension"), "tension", e.tension, -1.0, 1.0),
                grievance: self.range(&ep.field("grievance"), "grievance", e.grievance, 0.0, 10.0),
                intelligence: self.unit(&ep.field("intelligence"), "intelligence", e.intelligence),
            };
            let detectability = self.unit(&p.field("detectability"), "detectability", d.detectability);
            let appeal = self.range(&p.field("appeal"), "appeal", d.appeal, -100.0, 100.0);
            let expected = match d.purpose {
                Purpose::Operation => Targeting::Infrastructure,
                Purpose::BuildCapacity | Purpose::Harden | Purpose::Proliferate => Targeting::Own,
                Purpose::PublicAttribution => Targeting::Suspect,
                Purpose::Protest | Purpose::Sanction | Purpose::Force | Purpose::DeEscalate | Purpose::Reassure => {
                    Targeting::Actor
                }
            };
            if d.targeting != expected {
                self.err(
                    &p.field("targeting"),
                    format!("action `{}` with purpose {:?} cannot have targeting {:?}", d.id, d.purpose, d.targeting),
                    format!("use `targeting: {expected:?}`"),
                );
            }
            if d.id.trim().is_empty() {
                self.err(&p.field("id"), "an action has an empty id", "ids are short names like \"wiper\"");
            }
            let sectors = if d.sectors.is_empty() { Sector::ALL.to_vec() } else { d.sectors.clone() };
            out.push(Action {
                id: d.id.clone(),
                name: d.name.clone(),
                purpose: d.purpose,
                targeting: d.targeting,
                rung: d.rung,
                tier: d.tier.unwrap_or(d.rung.default_tier()),
                users: d.users,
                sectors,
                effects,
                detectability,
                violates_by_sector: by_sector,
                violates,
                upholds,
                appeal,
            });
        }
        out
    }
}

/// For each infrastructure action and owner, the asset it would hit: the first sector
/// in the action's list (its order of preference) where the owner has an asset, and
/// there the most critical × exposed asset (first in file order on ties).
fn aim_table(actions: &[Action], assets: &[Asset], n: usize) -> Vec<Vec<Option<AssetId>>> {
    actions
        .iter()
        .map(|act| {
            // (preference rank, -score) is minimised.
            let mut best: Vec<Option<(usize, f64, AssetId)>> = vec![None; n];
            if act.targeting == Targeting::Infrastructure {
                for (k, a) in assets.iter().enumerate() {
                    let Some(rank) = act.sectors.iter().position(|s| *s == a.sector) else {
                        continue;
                    };
                    let score = a.criticality * a.exposure;
                    let slot = &mut best[a.owner.index()];
                    if slot.is_none_or(|(r, s, _)| rank < r || (rank == r && score > s)) {
                        *slot = Some((rank, score, AssetId::from_index(k)));
                    }
                }
            }
            best.into_iter().map(|b| b.map(|(_, _, id)| id)).collect()
        })
        .collect()
}

/// A cycle in the sector graph, rendered `A → B → A`, if any.
fn sector_cycle(deps: &[(Sector, Sector, f64)]) -> Option<String> {
    let edges: Vec<(usize, usize)> = deps.iter().map(|(d, p, _)| (d.index(), p.index())).collect();
    cycle_in(9, &edges).map(|c| c.iter().map(|i| format!("{:?}", Sector::ALL[*i])).collect::<Vec<_>>().join(" → "))
}

/// Topological order of assets (providers first), or a cycle.
fn topo_order(n: usize, deps: &[Dependency]) -> Result<Vec<AssetId>, Vec<AssetId>> {
    let edges: Vec<(usize, usize)> = deps.iter().map(|d| (d.dependent.index(), d.provider.index())).collect();
    if let Some(c) = cycle_in(n, &edges) {
        return Err(c.into_iter().map(AssetId::from_index).collect());
    }
    // Kahn's algorithm; ties broken by index so the order is deterministic.
    let mut indeg = vec![0usize; n];
    let mut out_edges = vec![Vec::new(); n];
    for &(dep, prov) in &edges {
        indeg[dep] += 1;
        out_edges[prov].push(dep);
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(&i) = ready.iter().next() {
        ready.remove(&i);
        order.push(AssetId::from_index(i));
        for &d in &out_edges[i] {
            indeg[d] -= 1;
            if indeg[d] == 0 {
                ready.insert(d);
            }
        }
    }
    Ok(order)
}

/// Finds a cycle in a directed graph given as (from, to) edges, iteratively.
fn cycle_in(n: usize, edges: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        adj[a].push(b);
    }
    // 0 = unvisited, 1 = on stack, 2 = done
    let mut state = vec![0u8; n];
    let mut parent = vec![usize::MAX; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if *k < adj[v].len() {
                let w = adj[v][*k];
                *k += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        parent[w] = v;
                        stack.push((w, 0));
                    }
                    1 => {
                        let mut cycle = vec![w];
                        let mut x = v;
                        while x != w {
                            cycle.push(x);
                            x = parent[x];
                        }
                        cycle.push(w);
                        cycle.reverse();
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles() {
        assert!(cycle_in(3, &[(0, 1), (1, 2)]).is_none());
        let c = cycle_in(3, &[(0, 1), (1, 2), (2, 0)]).unwrap();
        assert_eq!(c.first(), c.last());
        assert_eq!(c.len(), 4);
    }
}

//! The compact graph: dense `u32` node indexes, edges in time order, CSR adjacency.

use crate::model::{CampaignId, Edge, PersonFacts, PersonId};
use crate::numbering;
use crate::people::{NodeFacts, People};
use thiserror::Error;

/// Why a graph could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GraphError {
    /// More people or edges than `u32` indexes can hold (about four billion).
    #[error("the referral graph is too large: {0} items exceed the u32 index space")]
    TooLarge(usize),
}

/// An edge between dense node indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexedEdge {
    pub(crate) campaign: CampaignId,
    pub(crate) src: u32,
    pub(crate) dst: u32,
    pub(crate) confirmed_at: i64,
}

/// An edge as stored in its referrer's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowEdge {
    pub(crate) dst: u32,
    /// Facts about the referee relative to this edge (see [`crate::people`]).
    pub(crate) flags: u8,
    pub(crate) campaign: CampaignId,
}

/// Who brought in whom: built once from stored edges and facts, then queried for figures and exports.
///
/// Exports number people in order of first appearance in the edges sorted by confirmation
/// time (then people without edges, in the order given): the `n` of `person-<n>` depends on
/// history only, never on ids, and newer edges do not renumber older nodes.
#[derive(Debug, Clone)]
pub struct ReferralGraph {
    pub(crate) ids: Vec<PersonId>,
    /// Rank of each node in first-appearance order: its pseudonym number.
    pub(crate) first_seen: Vec<u32>,
    /// Sorted by id, for lookups without hashing.
    pub(crate) by_id: Vec<(PersonId, u32)>,
    /// Deduplicated edges, sorted by (confirmed_at, campaign, referrer, referee).
    pub(crate) edges: Vec<IndexedEdge>,
    /// Row `v` of `rows` holds the edges from `v`, sorted by referee (CSR, with the data
    /// inline so per-ambassador passes read memory in order).
    pub(crate) row_offsets: Vec<u32>,
    pub(crate) rows: Vec<RowEdge>,
    /// Row `v` of `out_targets` lists distinct referees of `v` across campaigns (CSR).
    pub(crate) out_offsets: Vec<u32>,
    pub(crate) out_targets: Vec<u32>,
    /// Number of distinct referrers of each node, all campaigns together.
    pub(crate) in_degree: Vec<u32>,
    /// Nodes are numbered topologically with each strongly connected component contiguous
    /// (see [`crate::numbering::topological`]); this is the first position of each one's.
    pub(crate) comp_start: Vec<u32>,
    pub(crate) facts: Vec<NodeFacts>,
}

pub(crate) fn to_u32(n: usize) -> Result<u32, GraphError> {
    u32::try_from(n).map_err(|_| GraphError::TooLarge(n))
}

/// Offsets of a CSR whose rows have the given lengths.
pub(crate) fn offsets(
    lengths: impl Iterator<Item = usize>,
    rows: usize,
) -> Result<Vec<u32>, GraphError> {
    let mut out = Vec::with_capacity(rows + 1);
    let mut total = 0usize;
    out.push(0);
    for len in lengths {
        total += len;
        out.push(to_u32(total)?);
    }
    Ok(out)
}

impl ReferralGraph {
    /// Builds the graph. Tolerates imperfect stored data rather than failing: self-referrals are
    /// dropped, duplicate (campaign, referrer, referee) edges keep the earliest, and for a person
    /// listed twice in `people` the first entry wins.
    pub fn new(edges: &[Edge], people: &[PersonFacts]) -> Result<Self, GraphError> {
        let mut clean: Vec<Edge> = edges
            .iter()
            .filter(|e| e.referrer != e.referee)
            .copied()
            .collect();
        // Stored edges usually come in time order already, which this sort detects cheaply.
        // Duplicates are dropped later, once they are grouped by referrer and referee.
        clean.sort_unstable_by_key(|e| (e.confirmed_at, e.campaign, e.referrer, e.referee));
        // Endpoints and people are numbered together in u32 slots.
        to_u32(2 * clean.len() + people.len())?;
        let numbered = numbering::first_seen(&clean, people);
        let n = numbered.sorted.len();
        let numbering::Topological { order, comp_start } =
            numbering::topological(n, &numbered.pairs);
        let mut internal = vec![0u32; n];
        for (position, &first) in order.iter().enumerate() {
            internal[first as usize] = position as u32;
        }
        let mut ids = vec![PersonId(0); n];
        let mut first_seen = vec![0u32; n];
        let mut by_id = Vec::with_capacity(n);
        for (&id, &rank) in numbered.sorted.iter().zip(&numbered.rank) {
            let v = internal[rank as usize];
            ids[v as usize] = id;
            first_seen[v as usize] = rank;
            by_id.push((id, v));
        }
        let mut indexed: Vec<IndexedEdge> = clean
            .iter()
            .zip(&numbered.pairs)
            .map(|(e, &(a, b))| IndexedEdge {
                campaign: e.campaign,
                src: internal[a as usize],
                dst: internal[b as usize],
                confirmed_at: e.confirmed_at,
            })
            .collect();

        let mut given: Vec<Option<&PersonFacts>> = vec![None; n];
        for (p, &pos) in people.iter().zip(&numbered.people) {
            let slot = &mut given[by_id[pos as usize].1 as usize];
            if slot.is_none() {
                *slot = Some(p);
            }
        }
        let table = People::new(&given)?;

        let Rows {
            offsets: row_offsets,
            rows,
            kept,
        } = Self::rows_by_source(&indexed, n, |e| table.flags(e))?;
        let mut is_kept = kept.iter();
        indexed.retain(|_| is_kept.next().is_some_and(|&k| k));
        let mut out_lengths = vec![0usize; n];
        let mut out_targets = Vec::with_capacity(indexed.len());
        let mut in_degree = vec![0u32; n];
        for (v, len) in out_lengths.iter_mut().enumerate() {
            let row = &rows[row_offsets[v] as usize..row_offsets[v + 1] as usize];
            let mut last = u32::MAX;
            for &RowEdge { dst, .. } in row {
                if dst != last {
                    out_targets.push(dst);
                    in_degree[dst as usize] += 1;
                    *len += 1;
                    last = dst;
                }
            }
        }
        let out_offsets = offsets(out_lengths.into_iter(), n)?;

        Ok(Self {
            ids,
            first_seen,
            by_id,
            edges: indexed,
            row_offsets,
            rows,
            out_offsets,
            out_targets,
            in_degree,
            comp_start,
            facts: table.facts,
        })
    }

    /// CSR of edges grouped by source, each row sorted by referee then time, without
    /// duplicates; also says which of `edges` were kept. Two stable counting sorts instead of
    /// comparison sorts: linear, and cheap even in unoptimised test builds.
    fn rows_by_source(
        edges: &[IndexedEdge],
        n: usize,
        flags: impl Fn(&IndexedEdge) -> u8,
    ) -> Result<Rows, GraphError> {
        let all: Vec<u32> = (0..to_u32(edges.len())?).collect();
        let by_referee = counting_sort(&all, n, |i| edges[i as usize].dst);
        let grouped = counting_sort(&by_referee, n, |i| edges[i as usize].src);
        let mut kept = vec![false; edges.len()];
        let mut counts = vec![0usize; n];
        let mut rows = Vec::with_capacity(edges.len());
        for run in grouped.chunk_by(|&a, &b| {
            let (a, b) = (&edges[a as usize], &edges[b as usize]);
            (a.src, a.dst) == (b.src, b.dst)
        }) {
            // A run is one referrer and referee in time order: keep the first per campaign.
            let start = rows.len();
            for &i in run {
                let e = &edges[i as usize];
                if rows[start..]
                    .iter()
                    .any(|r: &RowEdge| r.campaign == e.campaign)
                {
                    continue;
                }
                kept[i as usize] = true;
                counts[e.src as usize] += 1;
                rows.push(RowEdge {
                    dst: e.dst,
                    flags: flags(e),
                    campaign: e.campaign,
                });
            }
        }
        Ok(Rows {
            offsets: offsets(counts.into_iter(), n)?,
            rows,
            kept,
        })
    }

    /// Number of people in the graph (edge endpoints and people given facts).
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of distinct edges kept.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The kept edges, oldest confirmation first.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        self.edges.iter().map(|e| Edge {
            campaign: e.campaign,
            referrer: self.ids[e.src as usize],
            referee: self.ids[e.dst as usize],
            confirmed_at: e.confirmed_at,
        })
    }

    /// Campaigns that have at least one edge, in order.
    pub fn campaigns(&self) -> Vec<CampaignId> {
        let mut out: Vec<CampaignId> = self.edges.iter().map(|e| e.campaign).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Dense index of a person, if present.
    pub(crate) fn index_of(&self, person: PersonId) -> Option<u32> {
        let pos = self
            .by_id
            .binary_search_by_key(&person, |&(id, _)| id)
            .ok()?;
        Some(self.by_id[pos].1)
    }

    /// Distinct referees of node `v`.
    pub(crate) fn children(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.out_targets[self.out_offsets[v] as usize..self.out_offsets[v + 1] as usize]
    }

    /// Edges from node `v`, grouped by referee.
    pub(crate) fn row(&self, v: u32) -> &[RowEdge] {
        let v = v as usize;
        &self.rows[self.row_offsets[v] as usize..self.row_offsets[v + 1] as usize]
    }

    /// Export key of node `v`: never the id, see the type's documentation.
    pub(crate) fn pseudonym(&self, v: u32) -> String {
        format!("person-{}", u64::from(self.first_seen[v as usize]) + 1)
    }
}

/// Edges grouped by referrer, and which input edges survived deduplication.
struct Rows {
    offsets: Vec<u32>,
    rows: Vec<RowEdge>,
    kept: Vec<bool>,
}

/// `items` stably reordered by `key`, whose values are below `n`.
fn counting_sort(items: &[u32], n: usize, key: impl Fn(u32) -> u32) -> Vec<u32> {
    let mut starts = vec![0u32; n + 1];
    for &i in items {
        starts[key(i) as usize + 1] += 1;
    }
    for k in 0..n {
        starts[k + 1] += starts[k];
    }
    let mut out = vec![0u32; items.len()];
    for &i in items {
        let slot = &mut starts[key(i) as usize];
        out[*slot as usize] = i;
        *slot += 1;
    }
    out
}

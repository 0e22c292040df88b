//! Node numbering: first appearance (for pseudonyms), then topological (for the passes).
//!
//! Internally nodes are numbered topologically with each strongly connected component
//! contiguous: the memo is then settled by one backward sweep, and referral subtrees sit
//! together in every per-node array, which keeps memory access nearly sequential. This order
//! is internal only: exports use the first-appearance order (see [`crate::ReferralGraph`]),
//! which does not move as the graph grows.

use crate::model::{Edge, PersonFacts, PersonId};

/// People numbered by first appearance.
pub(crate) struct FirstSeen {
    /// Distinct people, sorted by id.
    pub(crate) sorted: Vec<PersonId>,
    /// First-appearance rank of each entry of `sorted`.
    pub(crate) rank: Vec<u32>,
    /// Each edge as (referrer rank, referee rank).
    pub(crate) pairs: Vec<(u32, u32)>,
    /// Position in `sorted` of each entry of `people`.
    pub(crate) people: Vec<u32>,
}

/// Ranks people by first appearance in `edges` (already in time order), then those only in
/// `people`, in the order given. One sort of all endpoints replaces a lookup per endpoint.
pub(crate) fn first_seen(edges: &[Edge], people: &[PersonFacts]) -> FirstSeen {
    // (id, slot) packed in one integer that sorts the same way: plain integer comparisons
    // keep this sort fast even in unoptimised builds. Flipping the sign bit orders i64 as u64.
    let pack =
        |id: PersonId, slot: usize| (u128::from(id.0 as u64 ^ (1 << 63)) << 32) | slot as u128;
    let unpack_id = |key: u128| PersonId(((key >> 32) as u64 ^ (1 << 63)) as i64);
    let ids = edges
        .iter()
        .flat_map(|e| [e.referrer, e.referee])
        .chain(people.iter().map(|p| p.person));
    let mut ends: Vec<u128> = ids.enumerate().map(|(slot, id)| pack(id, slot)).collect();
    ends.sort_unstable();
    let mut sorted = Vec::new();
    let mut person_of_slot = vec![0u32; ends.len()];
    for group in ends.chunk_by(|a, b| a >> 32 == b >> 32) {
        for &key in group {
            person_of_slot[(key & u128::from(u32::MAX)) as usize] = sorted.len() as u32;
        }
        if let Some(&key) = group.first() {
            sorted.push(unpack_id(key));
        }
    }
    let mut rank = vec![u32::MAX; sorted.len()];
    let mut count = 0u32;
    for &p in &person_of_slot {
        if rank[p as usize] == u32::MAX {
            rank[p as usize] = count;
            count += 1;
        }
    }
    let (edge_slots, people_slots) = person_of_slot.split_at(2 * edges.len());
    let pairs = edge_slots
        .chunks_exact(2)
        .map(|pair| (rank[pair[0] as usize], rank[pair[1] as usize]))
        .collect();
    FirstSeen {
        sorted,
        rank,
        pairs,
        people: people_slots.to_vec(),
    }
}

/// Internal numbering: topological, with strongly connected components contiguous.
pub(crate) struct Topological {
    /// First-appearance rank of the node at each internal position.
    pub(crate) order: Vec<u32>,
    /// Internal position of the first member of each node's component (indexed internally).
    pub(crate) comp_start: Vec<u32>,
}

/// Orders `n` nodes with edges `(src, dst)` so that every edge leaving a component points to a
/// later position: Tarjan's emission order, reversed. Referral trees come out in pre-order,
/// each subtree contiguous, so passes over the graph read memory nearly in order.
pub(crate) fn topological(n: usize, edges: &[(u32, u32)]) -> Topological {
    let mut offsets = vec![0u32; n + 1];
    for &(src, _) in edges {
        offsets[src as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut cursor: Vec<u32> = offsets[..n].to_vec();
    let mut targets = vec![0u32; edges.len()];
    for &(src, dst) in edges {
        targets[cursor[src as usize] as usize] = dst;
        cursor[src as usize] += 1;
    }
    let children =
        |v: u32| &targets[offsets[v as usize] as usize..offsets[v as usize + 1] as usize];

    // Tarjan's algorithm without recursion: referral chains can be very long.
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut done = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut emitted: Vec<u32> = Vec::with_capacity(n);
    let mut sizes: Vec<u32> = Vec::new();
    let mut next = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        calls.push((root, 0));
        while let Some(top) = calls.last_mut() {
            let (v, pos) = *top;
            if pos == 0 && index[v as usize] == UNSEEN {
                index[v as usize] = next;
                low[v as usize] = next;
                next += 1;
                stack.push(v);
            }
            if let Some(&w) = children(v).get(pos as usize) {
                top.1 += 1;
                if index[w as usize] == UNSEEN {
                    calls.push((w, 0));
                } else if !done[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let before = emitted.len();
                while let Some(w) = stack.pop() {
                    done[w as usize] = true;
                    emitted.push(w);
                    if w == v {
                        break;
                    }
                }
                sizes.push((emitted.len() - before) as u32);
            }
        }
    }
    emitted.reverse();
    let mut comp_start = Vec::with_capacity(n);
    let mut start = 0u32;
    for &size in sizes.iter().rev() {
        comp_start.extend(std::iter::repeat_n(start, size as usize));
        start += size;
    }
    Topological {
        order: emitted,
        comp_start,
    }
}

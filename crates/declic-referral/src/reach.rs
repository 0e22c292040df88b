//! Reach (descendants across generations and campaigns) and depth, fast and naive.
//!
//! Depth is the largest number of generations between an ambassador and someone in their
//! reach, counting each person at their *shortest* distance (BFS levels). The longest simple
//! chain is not used: across campaigns the graph may loop (A brings B, B later brings A back),
//! and longest simple paths are both expensive and unstable there; shortest distances are
//! well defined on any graph and equal the tree height on a plain referral tree.

use crate::graph::ReferralGraph;
use crate::model::{Edge, PersonId};
use crate::scc::ClosedMemo;
use std::collections::{HashMap, HashSet, VecDeque};

/// Reusable breadth-first search state: a visited stamp per node instead of a set per search.
pub(crate) struct Bfs {
    stamp: Vec<u32>,
    current: u32,
    queue: Vec<u32>,
}

impl Bfs {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            current: 0,
            queue: Vec::new(),
        }
    }

    /// (reach, depth) of `root` by search, using `memo` to skip closed nodes when given.
    pub(crate) fn reach_depth(
        &mut self,
        g: &ReferralGraph,
        memo: Option<&ClosedMemo>,
        root: u32,
    ) -> (u32, u32) {
        self.current = self.current.wrapping_add(1);
        if self.current == 0 {
            // After four billion searches the stamps wrap: clear once rather than mis-read old ones.
            self.stamp.fill(0);
            self.current = 1;
        }
        let mark = self.current;
        self.stamp[root as usize] = mark;
        self.queue.clear();
        self.queue.push(root);
        let (mut reach, mut depth, mut level) = (0u32, 0u32, 0u32);
        let mut head = 0;
        while head < self.queue.len() {
            let level_end = self.queue.len();
            while head < level_end {
                let v = self.queue[head];
                head += 1;
                for &c in g.children(v) {
                    if self.stamp[c as usize] == mark {
                        continue;
                    }
                    self.stamp[c as usize] = mark;
                    reach += 1;
                    depth = depth.max(level + 1);
                    match memo.and_then(|m| m.usable(g, root, c)) {
                        Some((below, deeper)) => {
                            reach += below;
                            depth = depth.max(level + 1 + deeper);
                        }
                        None => self.queue.push(c),
                    }
                }
            }
            level += 1;
        }
        (reach, depth)
    }
}

impl ReferralGraph {
    /// Reach and depth of one person (see the module docs), without building the memo: one search.
    pub fn reach_and_depth(&self, person: PersonId) -> Option<(u32, u32)> {
        let v = self.index_of(person)?;
        Some(Bfs::new(self.node_count()).reach_depth(self, None, v))
    }
}

/// Reference implementation: everyone `root` reaches across all campaigns, `root` excluded.
/// Slow on purpose (a hash set per search); tests compare the fast path against it.
pub fn naive_reach(edges: &[Edge], root: PersonId) -> HashSet<PersonId> {
    let children = adjacency(edges);
    let mut seen = HashSet::from([root]);
    let mut queue = VecDeque::from([root]);
    while let Some(v) = queue.pop_front() {
        for &c in children.get(&v).map_or(&[][..], Vec::as_slice) {
            if seen.insert(c) {
                queue.push_back(c);
            }
        }
    }
    seen.remove(&root);
    seen
}

/// Reference implementation of depth: the largest shortest distance from `root` to anyone it reaches.
pub fn naive_depth(edges: &[Edge], root: PersonId) -> u32 {
    let children = adjacency(edges);
    let mut distance = HashMap::from([(root, 0u32)]);
    let mut queue = VecDeque::from([root]);
    let mut depth = 0;
    while let Some(v) = queue.pop_front() {
        let d = distance.get(&v).copied().unwrap_or(0);
        for &c in children.get(&v).map_or(&[][..], Vec::as_slice) {
            if let std::collections::hash_map::Entry::Vacant(slot) = distance.entry(c) {
                slot.insert(d + 1);
                depth = depth.max(d + 1);
                queue.push_back(c);
            }
        }
    }
    depth
}

fn adjacency(edges: &[Edge]) -> HashMap<PersonId, Vec<PersonId>> {
    let mut children: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for e in edges.iter().filter(|e| e.referrer != e.referee) {
        children.entry(e.referrer).or_default().push(e.referee);
    }
    children
}

//! The closed-node memo, built in one sweep over strongly connected components.
//!
//! A node `c` is *closed* when everyone it reaches (itself aside) can only be entered from `c`
//! or from inside that set. A search from a root outside `c`'s component that meets `c` can
//! then add `c`'s memoised reach and depth (every shortest path goes through `c`) instead of
//! walking them. This covers every referral tree, and chains leading into cross-campaign
//! loops, so that searches over them cost only their own row.
//!
//! In component terms: a component is *down-closed* when each child component is entered from
//! it alone and is down-closed in turn; a node is closed when its component is down-closed and
//! the node is that component's only entry from outside (or it has none). Walking components
//! in reverse topological order settles each right after all the components it reaches.

use crate::graph::ReferralGraph;
use crate::reach::Bfs;

const NONE: u32 = u32::MAX;
const MANY: u32 = u32::MAX - 1;

/// Reach and depth memoised for closed nodes.
pub(crate) struct ClosedMemo {
    closed: Vec<bool>,
    reach: Vec<u32>,
    depth: Vec<u32>,
    /// Per component, at its first member: down-closed, and edges entering it from outside.
    down: Vec<bool>,
    entering: Vec<u32>,
    /// Scratch counters, zero between uses: edges from the component being finished, counted
    /// at the first member of each child component and at each of its own members (these
    /// never coincide, so one array serves both).
    scratch: Vec<u32>,
}

impl ClosedMemo {
    /// One backward sweep: nodes are numbered topologically with components contiguous, so
    /// walking components from the last one settles each after everything it reaches.
    pub(crate) fn new(g: &ReferralGraph, bfs: &mut Bfs) -> Self {
        let n = g.node_count();
        let mut memo = Self {
            closed: vec![false; n],
            reach: vec![0; n],
            depth: vec![0; n],
            down: vec![true; n],
            entering: vec![0; n],
            scratch: vec![0; n],
        };
        let mut end = n as u32;
        while end > 0 {
            let start = g.comp_start[end as usize - 1];
            if end - start == 1 {
                memo.finish_alone(g, bfs, start);
            } else {
                memo.finish(g, bfs, start, end);
            }
            end = start;
        }
        memo
    }

    /// Settles the component of nodes `start..end`, everything it reaches being settled.
    fn finish(&mut self, g: &ReferralGraph, bfs: &mut Bfs, start: u32, end: u32) {
        let rep = start;
        let members = start..end;
        let comp = |v: u32| g.comp_start[v as usize];
        let mut entering = 0u32;
        for w in members.clone() {
            for &c in g.children(w) {
                if comp(c) == rep {
                    self.scratch[c as usize] += 1;
                } else {
                    self.scratch[comp(c) as usize] += 1;
                }
            }
        }
        let mut entry = NONE;
        for w in members.clone() {
            let from_outside = g.in_degree[w as usize] - self.scratch[w as usize];
            if from_outside > 0 {
                entry = if entry == NONE { w } else { MANY };
            }
            entering += from_outside;
        }
        self.entering[rep as usize] = entering;
        // Down-closed: every child component gets all its entering edges from here.
        let mut down = true;
        for w in members.clone() {
            for &c in g.children(w) {
                let t = comp(c) as usize;
                if t == rep as usize {
                    self.scratch[c as usize] = 0;
                } else if self.scratch[t] != 0 {
                    down &= self.scratch[t] == self.entering[t] && self.down[t];
                    self.scratch[t] = 0;
                }
            }
        }
        self.down[rep as usize] = down;
        for w in members.clone() {
            self.closed[w as usize] = down && (entry == NONE || entry == w);
        }
        // Inside a loop the members' distances differ: one search each.
        for w in members.filter(|&w| self.closed[w as usize]) {
            (self.reach[w as usize], self.depth[w as usize]) = bfs.reach_depth(g, Some(self), w);
        }
    }

    /// [`Self::finish`] for a component of one node, nearly every node: one pass over its row.
    fn finish_alone(&mut self, g: &ReferralGraph, bfs: &mut Bfs, v: u32) {
        let vi = v as usize;
        self.entering[vi] = g.in_degree[vi];
        let children = g.children(v);
        let (mut down, mut children_closed, mut counted) = (true, true, false);
        let (mut reach, mut depth) = (0u32, 0u32);
        for &c in children {
            let t = g.comp_start[c as usize] as usize;
            // A child component entered once is entered from here alone; otherwise count.
            if self.entering[t] == 1 {
                down &= self.down[t];
            } else {
                self.scratch[t] += 1;
                counted = true;
            }
            children_closed &= self.closed[c as usize];
            // Only used when the children's reaches are disjoint; saturate in case they are not.
            reach = reach.saturating_add(1 + self.reach[c as usize]);
            depth = depth.max(1 + self.depth[c as usize]);
        }
        if counted {
            for &c in children {
                let t = g.comp_start[c as usize] as usize;
                if self.scratch[t] != 0 {
                    down &= self.scratch[t] == self.entering[t] && self.down[t];
                    self.scratch[t] = 0;
                }
            }
        }
        self.down[vi] = down;
        self.closed[vi] = down;
        if down {
            // Above closed children the memo is their sum and maximum; otherwise search.
            (self.reach[vi], self.depth[vi]) = if children_closed {
                (reach, depth)
            } else {
                bfs.reach_depth(g, Some(self), v)
            };
        }
    }

    /// Reach and depth of `v` if memoised.
    pub(crate) fn get(&self, v: u32) -> Option<(u32, u32)> {
        self.closed[v as usize].then(|| (self.reach[v as usize], self.depth[v as usize]))
    }

    /// Whether a search from `root` may use `c`'s memo: `c` is closed and outside root's
    /// component (inside it, the root itself is among `c`'s reach and shortcuts exist).
    pub(crate) fn usable(&self, g: &ReferralGraph, root: u32, c: u32) -> Option<(u32, u32)> {
        if self.closed[c as usize] && g.comp_start[c as usize] != g.comp_start[root as usize] {
            Some((self.reach[c as usize], self.depth[c as usize]))
        } else {
            None
        }
    }
}

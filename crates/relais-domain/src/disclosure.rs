//! Small counts in published tables: which cells may be shown.
//!
//! A count under the threshold is suppressed (primary suppression). When a
//! group's total is published beside its parts (a département and its
//! communes), a lone suppressed part could be recovered by subtraction, so
//! more parts are suppressed (secondary suppression) until what can be
//! derived from the visible figures is the sum of at least two suppressed
//! parts and is itself not small; when no visible part is left to
//! suppress, the total goes too.

/// What may be published of one group: its total and each of its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupVisibility {
    pub total: bool,
    pub parts: Vec<bool>,
}

/// Decides which counts of a group may be published under `threshold`.
/// `parts` are the counts the total is made of (for distinct persons the
/// parts may add up to more than the total; the rule stays on the safe
/// side, since the subtraction then gives a lower bound).
pub fn protect_group(total: u64, parts: &[u64], threshold: u64) -> GroupVisibility {
    let mut shown: Vec<bool> = parts.iter().map(|&n| n >= threshold).collect();
    if total < threshold {
        return GroupVisibility {
            total: false,
            parts: shown,
        };
    }
    loop {
        let hidden: Vec<usize> = (0..parts.len()).filter(|&i| !shown[i]).collect();
        if hidden.is_empty() {
            break;
        }
        let visible_sum: u64 = (0..parts.len())
            .filter(|&i| shown[i])
            .map(|i| parts[i])
            .sum();
        let derivable = total.saturating_sub(visible_sum);
        if hidden.len() >= 2 && derivable >= threshold {
            break;
        }
        // Suppress the smallest part still shown; none left: the total.
        let smallest = (0..parts.len())
            .filter(|&i| shown[i])
            .min_by_key(|&i| parts[i]);
        match smallest {
            Some(i) => shown[i] = false,
            None => {
                return GroupVisibility {
                    total: false,
                    parts: shown,
                }
            }
        }
    }
    GroupVisibility {
        total: true,
        parts: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an outsider can subtract from a published group.
    fn recoverable(total: u64, parts: &[u64], v: &GroupVisibility, threshold: u64) -> bool {
        if !v.total {
            return false;
        }
        let hidden: Vec<u64> = parts
            .iter()
            .zip(&v.parts)
            .filter(|(_, s)| !**s)
            .map(|(n, _)| *n)
            .collect();
        let visible: u64 = parts
            .iter()
            .zip(&v.parts)
            .filter(|(_, s)| **s)
            .map(|(n, _)| *n)
            .sum();
        hidden.len() == 1 || (!hidden.is_empty() && total - visible < threshold)
    }

    #[test]
    fn a_lone_small_part_takes_the_next_smallest_with_it() {
        // The audit's case: 23 requests, communes 20 and 3.
        let v = protect_group(23, &[20, 3], 5);
        assert_eq!(
            v,
            GroupVisibility {
                total: true,
                parts: vec![false, false]
            }
        );
        let v = protect_group(40, &[20, 3, 17], 5);
        assert_eq!(v.parts, vec![true, false, false]);
        assert!(v.total);
    }

    #[test]
    fn two_small_parts_whose_sum_is_small_are_not_enough() {
        let v = protect_group(22, &[20, 1, 1], 5);
        assert!(!v.total || v.parts.iter().filter(|s| !**s).count() >= 3);
        assert!(!recoverable(22, &[20, 1, 1], &v, 5));
    }

    #[test]
    fn nothing_small_nothing_hidden() {
        let v = protect_group(30, &[10, 20], 5);
        assert_eq!(
            v,
            GroupVisibility {
                total: true,
                parts: vec![true, true]
            }
        );
        let v = protect_group(3, &[1, 2], 5);
        assert_eq!(
            v,
            GroupVisibility {
                total: false,
                parts: vec![false, false]
            }
        );
    }

    #[test]
    fn no_group_of_many_shapes_gives_a_suppressed_part_away() {
        let shapes: &[&[u64]] = &[
            &[1],
            &[7],
            &[1, 9],
            &[4, 4, 30],
            &[2, 2, 2, 50],
            &[6, 1, 8, 1, 12],
            &[100, 3, 100, 100],
            &[5, 5, 5, 4],
        ];
        for parts in shapes {
            for extra in [0u64, 2, 10] {
                let total = parts.iter().sum::<u64>() + extra;
                for threshold in [2u64, 3, 5, 11] {
                    let v = protect_group(total, parts, threshold);
                    assert!(
                        !recoverable(total, parts, &v, threshold),
                        "{parts:?} total {total} threshold {threshold}: {v:?}"
                    );
                    for (n, shown) in parts.iter().zip(&v.parts) {
                        assert!(!*shown || *n >= threshold);
                    }
                }
            }
        }
    }
}

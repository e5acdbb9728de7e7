//! Rank correlations (spec section 5): the consistency check and the Gaussian copula.
//!
//! A target Spearman rank correlation ρs between two variables is met by a Gaussian copula
//! whose Pearson correlation is 2·sin(π·ρs/6): for normal scores that Pearson correlation gives
//! exactly that Spearman correlation, and the marginals stay exactly as given.

use std::collections::BTreeMap;

use crate::plan::Correlation;

/// A group of correlated variables whose matrix is not positive definite.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationProblem {
    /// The variables of the group.
    pub variables: Vec<String>,
    /// Index (0-based) of the first correlation entry that involves the group.
    pub first_index: usize,
    /// Which matrix failed: "rank correlation" or "normal-score (2·sin(π·ρ/6))".
    pub matrix: &'static str,
}

/// Splits the correlated variables into connected groups: (names, entries) per group.
fn groups(pairs: &[Correlation]) -> Vec<(Vec<String>, Vec<usize>)> {
    let mut names: Vec<String> = Vec::new();
    let index = |names: &mut Vec<String>, n: &str| -> usize {
        if let Some(i) = names.iter().position(|x| x == n) {
            i
        } else {
            names.push(n.to_string());
            names.len() - 1
        }
    };
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut edges = Vec::new();
    for c in pairs {
        let a = index(&mut names, &c.variables[0]);
        let b = index(&mut names, &c.variables[1]);
        while parent.len() < names.len() {
            parent.push(parent.len());
        }
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
        }
        edges.push((a, b));
    }
    let mut by_root: BTreeMap<usize, (Vec<String>, Vec<usize>)> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().0.push(name.clone());
    }
    for (k, (a, _)) in edges.iter().enumerate() {
        let r = find(&mut parent, *a);
        by_root.entry(r).or_default().1.push(k);
    }
    let mut out: Vec<_> = by_root.into_values().collect();
    out.sort_by_key(|(_, e)| e[0]);
    out
}

/// Checks that the target matrix and its normal-score matrix are positive definite, group by group.
pub fn check_consistent(pairs: &[Correlation]) -> Result<(), Vec<CorrelationProblem>> {
    let mut problems = Vec::new();
    for (names, entries) in groups(pairs) {
        let k = names.len();
        let mut target = vec![0.0; k * k];
        for i in 0..k {
            target[i * k + i] = 1.0;
        }
        for &e in &entries {
            let c = &pairs[e];
            let a = names.iter().position(|n| *n == c.variables[0]).unwrap_or(0);
            let b = names.iter().position(|n| *n == c.variables[1]).unwrap_or(0);
            target[a * k + b] = c.rank;
            target[b * k + a] = c.rank;
        }
        let pearson: Vec<f64> = target.iter().map(|&r| spearman_to_pearson(r)).collect();
        let failed = if cholesky(&target, k).is_none() {
            Some("rank correlation")
        } else if cholesky(&pearson, k).is_none() {
            Some("normal-score (2·sin(π·ρ/6))")
        } else {
            None
        };
        if let Some(matrix) = failed {
            problems.push(CorrelationProblem {
                variables: names,
                first_index: entries[0],
                matrix,
            });
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// The Pearson correlation of normal scores that gives Spearman correlation `r`.
pub fn spearman_to_pearson(r: f64) -> f64 {
    if r == 1.0 {
        1.0
    } else {
        2.0 * (std::f64::consts::PI * r / 6.0).sin()
    }
}

/// Lower-triangular Cholesky factor of a k×k row-major matrix; `None` unless positive definite.
pub fn cholesky(m: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = m[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                // A tolerance keeps matrices that are singular to rounding out.
                if s <= 1e-10 {
                    return None;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// The copula for a set of correlated variables: their names (in a fixed order) and the
/// Cholesky factor of their normal-score correlation matrix.
#[derive(Debug, Clone)]
pub struct Copula {
    /// Variable names, in matrix order.
    pub names: Vec<String>,
    /// Row-major lower-triangular factor.
    pub factor: Vec<f64>,
}

impl Copula {
    /// Builds the copula for validated correlations (already checked consistent).
    pub fn new(pairs: &[Correlation]) -> Option<Copula> {
        if pairs.is_empty() {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for c in pairs {
            for v in &c.variables {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
        }
        let k = names.len();
        let mut m = vec![0.0; k * k];
        for i in 0..k {
            m[i * k + i] = 1.0;
        }
        for c in pairs {
            let a = names.iter().position(|n| *n == c.variables[0])?;
            let b = names.iter().position(|n| *n == c.variables[1])?;
            let p = spearman_to_pearson(c.rank);
            m[a * k + b] = p;
            m[b * k + a] = p;
        }
        let factor = cholesky(&m, k)?;
        Some(Copula { names, factor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corr(a: &str, b: &str, r: f64) -> Correlation {
        Correlation {
            variables: [a.into(), b.into()],
            rank: r,
        }
    }

    #[test]
    fn consistent_matrices_pass() {
        assert!(check_consistent(&[corr("a", "b", 0.5), corr("b", "c", 0.3), corr("x", "y", -0.9)]).is_ok());
    }

    #[test]
    fn inconsistent_group_is_named() {
        // a~b strongly, b~c strongly, a~c strongly negative: impossible.
        let e = check_consistent(&[
            corr("x", "y", 0.1),
            corr("a", "b", 0.9),
            corr("b", "c", 0.9),
            corr("a", "c", -0.9),
        ])
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].variables, vec!["a", "b", "c"]);
        assert_eq!(e[0].first_index, 1);
    }

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let m = [1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0];
        let l = cholesky(&m, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|p| l[i * 3 + p] * l[j * 3 + p]).sum();
                assert!((s - m[i * 3 + j]).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn spearman_to_pearson_known_values() {
        assert!((spearman_to_pearson(0.5) - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-15);
        assert_eq!(spearman_to_pearson(0.0), 0.0);
    }
}

//! `# docgate: allow[<rule>] <reason>` comments (SPEC §6): read from the
//! parse tree's comments, so text inside strings is never a suppression.

use tree_sitter::Tree;

/// The rules a code comment can suppress.
pub const SUPPRESSIBLE: &[&str] = &["forbidden-import", "silent-fallback"];

/// One `docgate:` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub line: usize,
    pub column: usize,
    /// The comment from `docgate:` on.
    pub text: String,
    /// The rules it names, when it could be read.
    pub rules: Vec<String>,
    pub reason: String,
    /// Why it is not a valid suppression (no reason, unknown rule, unreadable).
    pub problem: Option<String>,
}

impl Suppression {
    /// Does it allow `rule` on `line` (its own line or the next)?
    pub fn allows(&self, rule: &str, line: usize) -> bool {
        self.problem.is_none()
            && (self.line == line || self.line + 1 == line)
            && self.rules.iter().any(|r| r == rule)
    }
}

/// Every `docgate:` comment of a parsed file.
pub fn suppressions(tree: &Tree, src: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !src.contains("docgate") {
        return out;
    }
    let mut cursor = tree.walk();
    // Preorder walk without recursion.
    'walk: loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            let text = src
                .get(node.start_byte()..node.end_byte())
                .unwrap_or_default();
            if let Some(at) = directive_start(text) {
                let p = node.start_position();
                let column = crate::python::column(src, node.start_byte() + at);
                out.push(read(p.row + 1, column, &text[at..]));
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// Where `docgate:` starts in a comment: right after its `#`, or after a
/// later `#` (`# type: ignore  # docgate: allow[...]`).
fn directive_start(comment: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = comment[from..].find('#') {
        let hash = from + i;
        let rest = &comment[hash + 1..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with("docgate:") {
            return Some(hash + 1 + (rest.len() - trimmed.len()));
        }
        from = hash + 1;
    }
    None
}

fn read(line: usize, column: usize, text: &str) -> Suppression {
    let text = text.trim_end().to_string();
    let mut s = Suppression {
        line,
        column,
        text: text.clone(),
        rules: Vec::new(),
        reason: String::new(),
        problem: None,
    };
    let body = text["docgate:".len()..].trim_start();
    let Some(list) = body.strip_prefix("allow[") else {
        s.problem = Some(format!(
            "`{text}` cannot be read: write `# docgate: allow[<rule>] <reason>`"
        ));
        return s;
    };
    let Some(close) = list.find(']') else {
        s.problem = Some(format!("`{text}` has no `]` after its rules"));
        return s;
    };
    s.rules = list[..close]
        .split(',')
        .map(|r| r.trim().to_string())
        .collect();
    s.reason = list[close + 1..].trim().to_string();
    let mut problems = Vec::new();
    for r in &s.rules {
        if r.is_empty() {
            problems.push("an empty rule name".to_string());
        } else if SUPPRESSIBLE.contains(&r.as_str()) {
        } else if crate::diagnostic::known_rule(r).is_some() {
            let how = if crate::diagnostic::rule_by_id(r).is_some_and(|rule| rule.waivable) {
                format!(": {r} is waived with a `Docgate-Waive:` trailer")
            } else {
                String::new()
            };
            problems.push(format!(
                "`{r}` cannot be allowed in code (only {}){how}",
                SUPPRESSIBLE.join(" and ")
            ));
        } else {
            problems.push(format!(
                "`{r}` is not a rule{}",
                crate::config::did_you_mean(r, SUPPRESSIBLE)
            ));
        }
    }
    if problems.is_empty() && s.reason.is_empty() {
        problems.push(format!(
            "`{text}` has no reason: say after the `]` why the finding does not apply here"
        ));
    }
    if !problems.is_empty() {
        s.problem = Some(problems.join("; "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(src: &str) -> Vec<Suppression> {
        let tree = crate::python::parse_code(src).expect("parses");
        suppressions(&tree, src)
    }

    #[test]
    fn comments_only_with_rules_and_reason() {
        let src = "import ray  # docgate: allow[forbidden-import] only in the offline job\n\
                   s = '# docgate: allow[forbidden-import]'\n\
                   # docgate: allow[silent-fallback, forbidden-import]   cache miss is expected  \n\
                   x = 1  # type: ignore  # docgate: allow[silent-fallback] why\n\
                   # see docgate: the tool\n";
        let s = of(src);
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!((s[0].line, s[0].column), (1, 15));
        assert_eq!(s[0].rules, vec!["forbidden-import"]);
        assert_eq!(s[0].reason, "only in the offline job");
        assert_eq!(s[0].problem, None);
        assert!(s[0].allows("forbidden-import", 1));
        assert!(s[0].allows("forbidden-import", 2));
        assert!(!s[0].allows("forbidden-import", 3));
        assert!(!s[0].allows("silent-fallback", 1));
        assert_eq!(s[1].line, 3);
        assert_eq!(s[1].rules, vec!["silent-fallback", "forbidden-import"]);
        assert_eq!(s[1].reason, "cache miss is expected");
        assert_eq!((s[2].line, s[2].column), (4, 26));
        assert_eq!(s[2].reason, "why");
    }

    #[test]
    fn every_problem_is_named() {
        let cases = [
            ("# docgate: allow[silent-fallback]", "has no reason"),
            (
                "# docgate: allow[silent-fallbak] x",
                "`silent-fallbak` is not a rule (did you mean `silent-fallback`?)",
            ),
            (
                "# docgate: allow[doc-not-updated] x",
                "`doc-not-updated` cannot be allowed in code (only forbidden-import and silent-fallback): doc-not-updated is waived with a `Docgate-Waive:` trailer",
            ),
            (
                "# docgate: allow[feature-mismatch] x",
                "`feature-mismatch` cannot be allowed in code (only forbidden-import and silent-fallback)",
            ),
            (
                "# docgate: alow[silent-fallback] x",
                "cannot be read: write `# docgate: allow[<rule>] <reason>`",
            ),
            (
                "# docgate: allow[silent-fallback x",
                "has no `]` after its rules",
            ),
            ("# docgate: allow[] x", "an empty rule name"),
        ];
        for (src, want) in cases {
            let s = of(src);
            assert_eq!(s.len(), 1, "{src}");
            let p = s[0]
                .problem
                .as_deref()
                .unwrap_or_else(|| panic!("{src}: accepted"));
            assert!(p.contains(want), "{src}: {p}");
            assert!(!s[0].allows("silent-fallback", 1), "{src}");
        }
    }
}

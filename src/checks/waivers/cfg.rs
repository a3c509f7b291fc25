//! The `waivers:` section of the config, owned by the waivers.

use crate::config::node::Validator;
use crate::diagnostic as rules;
use crate::yaml::Node;

#[derive(Debug)]
pub struct WaiversConfig {
    pub trailer: String,
    pub rules: Vec<String>,
}

/// `waivers:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> WaiversConfig {
    let mut waivers = WaiversConfig {
        trailer: "Docgate-Waive".into(),
        rules: [
            "doc-not-updated",
            "uncovered-change",
            "last-updated-not-bumped",
            "index-orphan",
        ]
        .map(String::from)
        .to_vec(),
    };
    let Some(node) = node else {
        return waivers;
    };
    v.map(node, "waivers", &["trailer", "rules"]);
    if let Some(n) = node.get("trailer")
        && let Some(t) = v.string(n, "waivers.trailer")
    {
        if t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            waivers.trailer = t;
        } else {
            v.err(
                n,
                "`waivers.trailer` must be a trailer key: letters, digits and `-`",
            );
        }
    }
    if let Some(n) = node.get("rules")
        && let Some(list) = v.string_list_nodes(n, "waivers.rules")
    {
        let names: Vec<String> = list.iter().map(|(name, _)| name.clone()).collect();
        for (name, item) in &list {
            if rules::known_rule(name).is_none() {
                v.err(item, crate::checks::sink::cfg::unknown_rule_message(name));
            } else if rules::waivability(name, &names) == rules::Waivability::Never {
                v.err(item, format!("`{name}` can never be waived by a trailer"));
            }
        }
        // `rules: []` (or `~`): no rule may be waived here.
        waivers.rules = names;
    }
    waivers
}

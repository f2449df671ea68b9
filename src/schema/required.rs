//! The fields every user must have, the group (top-level key) that holds each one, and the
//! question that cannot be answered without it.

/// A required field: its path in the user object (as sql/stage/checked_users.sql names it), the
/// top-level group that holds it (sql/run/delivered_groups.sql names it), and the question that
/// needs it — none for an identity field.
pub struct Required {
    pub path: &'static str,
    pub group: &'static str,
    pub question: Option<&'static str>,
}

impl Required {
    /// An identity field (`login.uuid`, `email`): without it a record is not a user, so it is
    /// required in every run, even when no record of the run has it (where the `inc=` rule would
    /// otherwise let an analytic field go, src/pipeline/reject.rs).
    pub fn is_identity(&self) -> bool {
        self.question.is_none()
    }
}

/// Fields of one group are listed next to each other.
pub const REQUIRED: [Required; 7] = [
    Required { path: "login.uuid", group: "login", question: None },
    Required { path: "email", group: "email", question: None },
    Required { path: "gender", group: "gender", question: Some("Q2 gender distribution") },
    Required { path: "dob.date", group: "dob", question: Some("Q2 age distribution") },
    Required { path: "registered.date", group: "registered", question: Some("Q1 time since registration") },
    Required { path: "location.country", group: "location", question: Some("Q3 countries and cities") },
    Required { path: "location.city", group: "location", question: Some("Q3 countries and cities") },
];

/// Every required path, in the order of [`REQUIRED`].
pub fn paths() -> Vec<&'static str> {
    REQUIRED.iter().map(|r| r.path).collect()
}

/// The groups that hold a required field, each once, in the order of [`REQUIRED`].
pub fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&str> = REQUIRED.iter().map(|r| r.group).collect();
    groups.dedup();
    groups
}

/// The groups that hold an analytic (non-identity) field: the only ones a run may lack as a whole.
pub fn analytic_groups() -> Vec<&'static str> {
    let mut groups: Vec<&str> = REQUIRED.iter().filter(|r| !r.is_identity()).map(|r| r.group).collect();
    groups.dedup();
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL that reads, checks and weighs the required fields names exactly these: flat_users
    /// extracts each one, checked_users names each one (in this order) when it is missing, and
    /// delivered_groups asks about each group.
    #[test]
    fn the_sql_names_exactly_the_required_fields() {
        let flat = include_str!("../../sql/stage/flat_users.sql");
        let checked = include_str!("../../sql/stage/checked_users.sql");
        let delivered = include_str!("../../sql/run/delivered_groups.sql");
        for r in &REQUIRED {
            assert!(flat.contains(&format!("'$.{}'", r.path)), "flat_users.sql does not read {}", r.path);
            assert!(
                delivered.contains(&format!("'{}'", r.group)),
                "delivered_groups.sql does not ask about {}",
                r.group
            );
        }
        let named: Vec<&str> = checked
            .lines()
            .filter_map(|l| l.trim().strip_prefix("CASE WHEN "))
            .filter_map(|l| l.split(" THEN '").nth(1))
            .map(|l| l.split('\'').next().unwrap())
            .collect();
        assert_eq!(named, paths(), "checked_users.sql names other fields, or in another order");
        assert_eq!(groups(), ["login", "email", "gender", "dob", "registered", "location"]);
    }
}

//! The fields every user must have, the group (top-level key) that holds each one, and the
//! question that cannot be answered without it.

/// A required field: its path in the user object (as sql/02_validate.sql names it), the
/// top-level group that holds it (sql/checks/delivered_groups.sql names it), the question that
/// needs it.
pub struct Required {
    pub path: &'static str,
    pub group: &'static str,
    pub question: Option<&'static str>,
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

/// The groups that hold a required field, each once, in the order of [`REQUIRED`].
pub fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&str> = REQUIRED.iter().map(|r| r.group).collect();
    groups.dedup();
    groups
}

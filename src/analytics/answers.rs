//! The one-sentence answers that open each question of the report, in every rendering: the
//! number people came for, with its share of all users, and "a tie" where first place is
//! shared (a tie shown as a ranking would name a winner that is not one).
//!
//! Sentences use only what the report publishes: under `--min-cell` a withheld count is never
//! spelled out, in a share either.

use serde::{Deserialize, Serialize};

use super::{Leader, Report, shown_name as name};
use crate::numbers::{decimal, grouped, share_or_count, users};

/// One sentence per question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub registration: String,
    pub age_gender: String,
    pub places: String,
}

/// The most ties named one by one; a wider tie is told by its size.
const NAMED_TIES: i64 = 3;

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Answers {
    pub fn of(r: &Report) -> Self {
        if r.users == 0 {
            let none = "No users are stored.".to_string();
            return Self { registration: none.clone(), age_gender: none.clone(), places: none };
        }
        Self { registration: registration(r), age_gender: age_gender(r), places: places(r) }
    }
}

fn registration(r: &Report) -> String {
    let day = r.as_of.get(..10).unwrap_or(&r.as_of);
    // Years from the days (the stored avg_years is already rounded: rounding it again could be
    // off by a tenth).
    match r.registration.avg_days {
        Some(days) => format!(
            "On average, users registered {} years ago ({} days before {day}).",
            decimal(days / 365.25, 1),
            decimal(days, 1)
        ),
        _ => "No registration dates are stored.".into(),
    }
}

fn age_gender(r: &Report) -> String {
    // Genders, most users first (the order of q2_gender): "56.7 % are female and 43.3 % male".
    let amount = |n: i64| {
        if r.hides(n) { format!("fewer than {}", grouped(r.min_cell.unwrap_or(0))) } else { share_or_count(n, r.users) }
    };
    let genders = match r.gender.as_slice() {
        [] => "No gender is stored".to_string(),
        [only] if r.users == 1 => format!("The one user is {}", name(&only.gender)),
        [only] if !r.hides(only.users) => format!("All {} are {}", users(r.users), name(&only.gender)),
        [first, rest @ ..] => {
            let mut parts = vec![format!("{} are {}", amount(first.users), name(&first.gender))];
            parts.extend(rest.iter().map(|g| format!("{} {}", amount(g.users), name(&g.gender))));
            format!("Of {}, {}", users(r.users), and_list(&parts))
        }
    };
    let mut clauses = vec![genders];
    let a = &r.age;
    match (a.min, a.max, a.median) {
        (Some(min), Some(max), _) if min == max => {
            clauses.push(if r.users == 1 { format!("aged {min}") } else { format!("all are {min} years old") })
        }
        (Some(min), Some(max), Some(median)) => {
            clauses.push(format!("ages run from {min} to {max} (median {})", decimal(median, 1)))
        }
        (_, _, Some(median)) => clauses.push(format!("the median age is {}", decimal(median, 1))),
        _ => {}
    }
    let top = r.age_bands.iter().map(|b| b.users).max().unwrap_or(0);
    if top > 0 && !r.hides(top) {
        let bands: Vec<String> = r.age_bands.iter().filter(|b| b.users == top).map(|b| b.band.clone()).collect();
        clauses.push(if bands.len() == 1 {
            format!("the largest age band is {} ({})", bands[0], share_or_count(top, r.users))
        } else {
            format!(
                "the largest age band is a tie between {}, {} each ({} each)",
                and_list(&bands),
                users(top),
                share_or_count(top, r.users)
            )
        });
    }
    let mut sentence = clauses.remove(0);
    match clauses.len() {
        0 => {}
        1 => sentence.push_str(&format!("; {}", clauses[0])),
        _ => sentence.push_str(&format!("; {}, and {}", clauses[0], clauses[1])),
    }
    sentence.push('.');
    sentence
}

fn places(r: &Report) -> String {
    let below =
        |what: &str| format!("every {what} has fewer than {} users (withheld)", grouped(r.min_cell.unwrap_or(0)));
    // The single top country, when there is one: cities in it need not repeat it.
    let mut single_country: Option<&Option<String>> = None;
    let countries = match r.leaders.country {
        None => below("country"),
        Some(Leader { users: n, tied: 1 }) => {
            let c = r.top_countries.first().filter(|c| c.users == n).map(|c| &c.country);
            single_country = c;
            format!(
                "Most users come from {} ({})",
                c.map_or_else(|| "(unknown)".into(), name),
                share_or_count(n, r.users)
            )
        }
        Some(Leader { users: n, tied }) => {
            let names: Vec<String> =
                r.top_countries.iter().filter(|c| c.users == n).map(|c| name(&c.country)).collect();
            let each = format!("{} each ({} each)", users(n), share_or_count(n, r.users));
            if tied > NAMED_TIES {
                format!("No country stands out: {tied} countries have {each}")
            } else if names.len() as i64 == tied {
                format!("Most users come from a tie between {}, {each}", and_list(&names))
            } else {
                // Some of the tied countries are beyond --top.
                format!("Most users come from a tie between {tied} countries, {each}, among them {}", and_list(&names))
            }
        }
    };
    let place = |country: &Option<String>, city: &Option<String>| match single_country {
        Some(top) if top == country => name(city),
        _ => format!("{} ({})", name(city), name(country)),
    };
    let cities = match r.leaders.location {
        None => below("city"),
        Some(Leader { users: n, tied: 1 }) => match r.top_locations.first().filter(|l| l.users == n) {
            Some(l) => format!(
                "the most common city is {}, {} ({})",
                place(&l.country, &l.city),
                users(n),
                share_or_count(n, r.users)
            ),
            None => format!("the most common city has {}", users(n)),
        },
        Some(Leader { users: n, tied }) => {
            let names: Vec<String> =
                r.top_locations.iter().filter(|l| l.users == n).map(|l| place(&l.country, &l.city)).collect();
            if tied > NAMED_TIES {
                format!("no city stands out: {tied} cities have {} each", users(n))
            } else if names.len() as i64 == tied {
                format!("the most common city is a tie between {}, {} each", and_list(&names), users(n))
            } else {
                let among = and_list(&names);
                format!("the most common city is a tie between {tied} cities, {} each, among them {among}", users(n))
            }
        }
    };
    format!("{countries}; {cities}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::page::tests::sample;
    use crate::analytics::{CountryCount, LocationCount};

    fn with_places(countries: &[(&str, i64)], locations: &[(&str, &str, i64)], leaders: (Leader, Leader)) -> Report {
        let mut r = sample();
        r.users = 100;
        r.top_countries =
            countries.iter().map(|(c, n)| CountryCount { country: Some(c.to_string()), users: *n }).collect();
        r.top_locations = locations
            .iter()
            .map(|(c, city, n)| LocationCount { country: Some(c.to_string()), city: Some(city.to_string()), users: *n })
            .collect();
        r.leaders = super::super::Leaders { country: Some(leaders.0), location: Some(leaders.1) };
        r
    }

    #[test]
    fn places_say_tie_where_there_is_one() {
        let r = with_places(
            &[("Ireland", 8), ("Norway", 5)],
            &[("Ireland", "Galway", 2), ("Ireland", "Sligo", 2), ("Norway", "Oslo", 1)],
            (Leader { users: 8, tied: 1 }, Leader { users: 2, tied: 2 }),
        );
        assert_eq!(
            places(&r),
            "Most users come from Ireland (8.0 %); the most common city is a tie between Galway and Sligo, 2 users each."
        );
        let r = with_places(
            &[("Ireland", 8), ("Norway", 8)],
            &[("Norway", "Oslo", 3), ("Ireland", "Cork", 1)],
            (Leader { users: 8, tied: 2 }, Leader { users: 3, tied: 1 }),
        );
        assert_eq!(
            places(&r),
            "Most users come from a tie between Ireland and Norway, 8 users each (8.0 % each); the most common city is Oslo (Norway), 3 users (3.0 %)."
        );
        let r =
            with_places(&[("A", 1)], &[("A", "x", 1)], (Leader { users: 1, tied: 40 }, Leader { users: 1, tied: 90 }));
        assert_eq!(
            places(&r),
            "No country stands out: 40 countries have 1 user each (1.0 % each); no city stands out: 90 cities have 1 user each."
        );
    }

    #[test]
    fn age_and_gender_in_one_sentence() {
        let mut r = sample();
        r.users = 1234;
        assert_eq!(
            age_gender(&r),
            "Of 1,234 users, 56.7 % are female and 43.3 % male; ages run from 20 to 82 (median 50.0), and the largest age band is 30-39 (84.6 %)."
        );
        r.gender.truncate(1);
        r.gender[0].users = 1234;
        r.age = super::super::AgeSummary { min: None, max: None, avg: None, median: None };
        assert_eq!(age_gender(&r), "All 1,234 users are female; the largest age band is 30-39 (84.6 %).");
    }
}

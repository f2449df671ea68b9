//! The report's tables, built once for every rendering (terminal, HTML, Markdown): the same
//! columns, ranks with tie markers, shares, and counts as the report publishes them
//! ([`Report::cell`]).

use super::{Leader, Report, risk, shown_name as name};
use crate::numbers::grouped;

/// One table: headers, which columns are numbers (right-aligned), rows of text.
pub struct Table {
    pub headers: Vec<&'static str>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// Ranks for a list sorted by count, largest first: `1`, `2`, … with `=` marking a count the
/// entry shares with another (a tie is not a ranking). `first_tied` says whether first place
/// is shared beyond the list (`q3_leaders.sql`).
pub fn ranks(counts: &[i64], first_tied: bool) -> Vec<String> {
    counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let rank = counts.iter().filter(|m| *m > n).count() + 1;
            let shared = counts.iter().enumerate().any(|(j, m)| j != i && m == n) || (rank == 1 && first_tied);
            if shared { format!("{rank}=") } else { rank.to_string() }
        })
        .collect()
}

fn tied(leader: &Option<Leader>) -> bool {
    leader.is_some_and(|l| l.tied > 1)
}

pub fn gender(r: &Report) -> Table {
    Table {
        headers: vec!["gender", "users", "share"],
        numeric: vec![false, true, true],
        rows: r.gender.iter().map(|g| vec![name(&g.gender), r.cell(g.users), r.share(g.users)]).collect(),
    }
}

pub fn age_bands(r: &Report) -> Table {
    Table {
        headers: vec!["age band", "female", "male", "users", "share"],
        numeric: vec![false, true, true, true, true],
        rows: r
            .age_bands
            .iter()
            .map(|b| vec![b.band.clone(), r.cell(b.female), r.cell(b.male), r.cell(b.users), r.share(b.users)])
            .collect(),
    }
}

pub fn countries(r: &Report) -> Table {
    let counts: Vec<i64> = r.top_countries.iter().map(|c| c.users).collect();
    Table {
        headers: vec!["#", "country", "users", "share"],
        numeric: vec![false, false, true, true],
        rows: r
            .top_countries
            .iter()
            .zip(ranks(&counts, tied(&r.leaders.country)))
            .map(|(c, rank)| vec![rank, name(&c.country), grouped(c.users), r.share(c.users)])
            .collect(),
    }
}

pub fn locations(r: &Report) -> Table {
    let counts: Vec<i64> = r.top_locations.iter().map(|l| l.users).collect();
    Table {
        headers: vec!["#", "country", "city", "users", "share"],
        numeric: vec![false, false, false, true, true],
        rows: r
            .top_locations
            .iter()
            .zip(ranks(&counts, tied(&r.leaders.location)))
            .map(|(l, rank)| vec![rank, name(&l.country), name(&l.city), grouped(l.users), r.share(l.users)])
            .collect(),
    }
}

/// Users per whole year since registration.
pub fn tenure(r: &Report, tenure: &[super::page::TenureCount]) -> Table {
    Table {
        headers: vec!["years since registration", "users", "share"],
        numeric: vec![true, true, true],
        rows: tenure.iter().map(|t| vec![t.years.to_string(), r.cell(t.users), r.share(t.users)]).collect(),
    }
}

pub fn risk(r: &risk::RiskReport) -> Table {
    Table {
        headers: vec!["measure", "value"],
        numeric: vec![false, true],
        rows: risk::summary_rows(r).into_iter().map(|(k, v)| vec![k, v]).collect(),
    }
}

/// What --min-cell left out of the lists, as a sentence (None without --min-cell).
pub fn withheld_note(r: &Report) -> Option<String> {
    let (n, w) = (r.min_cell?, r.withheld?);
    Some(format!(
        "counts below {n} are shown as \"< {n}\"; places with fewer than {n} users (here {} and {} of the top lists) \
         and the youngest and oldest age are withheld.",
        crate::numbers::plural(w.top_countries, "country", "countries"),
        crate::numbers::plural(w.top_locations, "city", "cities"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_marked_in_ranks() {
        assert_eq!(ranks(&[5, 3, 3, 1], false), ["1", "2=", "2=", "4"]);
        assert_eq!(ranks(&[2, 1], true), ["1=", "2"]);
        assert_eq!(ranks(&[], false), Vec::<String>::new());
    }
}

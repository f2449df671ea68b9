use super::json::needs_escape;
use super::locale::{self as data, NATS};
use super::record::age;
use super::*;
use crate::calendar::add_years;
use crate::pipeline::source::Record;
use md5::Md5;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use sha1::Sha1;
use std::collections::{HashMap, HashSet};
use time::Month;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2025-06-15 12:00:00 UTC);
const ALL: [&str; 21] = nationality::NATIONALITIES;

/// An object's keys in document order (serde_json's `Value` sorts them, so it cannot check order).
struct Ordered(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(e) = m.next_entry()? {
                    v.push(e);
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(V)
    }
}

fn keys(json: &str) -> Vec<String> {
    serde_json::from_str::<Ordered>(json).unwrap().0.into_iter().map(|(k, _)| k).collect()
}

fn sub(json: &str, key: &str) -> String {
    let o: Ordered = serde_json::from_str(json).unwrap();
    o.0.into_iter().find(|(k, _)| k == key).unwrap().1.get().to_string()
}

fn users(seed: &str, nat: Option<&[String]>, n: u32) -> Vec<String> {
    Generator::new(seed, nat, NOW).unwrap().page(1, n)
}

fn check_date(s: &str) -> OffsetDateTime {
    let b = s.as_bytes();
    assert_eq!(b.len(), 24, "{s}");
    for (i, c) in b.iter().enumerate() {
        let want = match i {
            4 | 7 => Some(b'-'),
            10 => Some(b'T'),
            13 | 16 => Some(b':'),
            19 => Some(b'.'),
            23 => Some(b'Z'),
            _ => None,
        };
        match want {
            Some(w) => assert_eq!(*c, w, "{s}"),
            None => assert!(c.is_ascii_digit(), "{s}"),
        }
    }
    OffsetDateTime::parse(s, &Rfc3339).unwrap()
}

/// `age` completed years at NOW: birthday + age <= NOW < birthday + age + 1.
fn check_age(date: OffsetDateTime, age: i64) {
    let age = age as i32;
    assert!(add_years(date, age) <= NOW || (date.month() == Month::February && date.day() == 29), "{date} {age}");
    assert!(add_years(date, age + 1) > NOW, "{date} {age}");
}

#[test]
fn shape_and_key_order() {
    let list = users("shape", None, 3000);
    let mut seen_nats = HashSet::new();
    for u in &list {
        assert_eq!(
            keys(u),
            [
                "gender",
                "name",
                "location",
                "email",
                "login",
                "dob",
                "registered",
                "phone",
                "cell",
                "id",
                "picture",
                "nat"
            ]
        );
        assert_eq!(keys(&sub(u, "name")), ["title", "first", "last"]);
        let loc = sub(u, "location");
        assert_eq!(keys(&loc), ["street", "city", "state", "country", "postcode", "coordinates", "timezone"]);
        assert_eq!(keys(&sub(&loc, "street")), ["number", "name"]);
        assert_eq!(keys(&sub(&loc, "coordinates")), ["latitude", "longitude"]);
        assert_eq!(keys(&sub(&loc, "timezone")), ["offset", "description"]);
        assert_eq!(keys(&sub(u, "login")), ["uuid", "username", "password", "salt", "md5", "sha1", "sha256"]);
        assert_eq!(keys(&sub(u, "dob")), ["date", "age"]);
        assert_eq!(keys(&sub(u, "registered")), ["date", "age"]);
        assert_eq!(keys(&sub(u, "id")), ["name", "value"]);
        assert_eq!(keys(&sub(u, "picture")), ["large", "medium", "thumbnail"]);

        let v: Value = serde_json::from_str(u).unwrap();
        let nat = v["nat"].as_str().unwrap();
        seen_nats.insert(nat.to_string());
        let gender = v["gender"].as_str().unwrap();
        assert!(gender == "male" || gender == "female");
        for k in ["title", "first", "last"] {
            assert!(!v["name"][k].as_str().unwrap().is_empty());
        }
        let l = &v["location"];
        assert!(l["street"]["number"].is_u64());
        assert!(l["street"]["name"].is_string());
        for k in ["city", "state", "country"] {
            assert!(!l[k].as_str().unwrap().is_empty());
        }
        let pc = &l["postcode"];
        match nat {
            "GB" | "CA" | "NO" | "NL" => {
                let s = pc.as_str().unwrap_or_else(|| panic!("{nat} postcode {pc}"));
                match nat {
                    "NO" => assert!(s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()), "{s}"),
                    "NL" => assert!(s.len() == 7 && s.as_bytes()[4] == b' ', "{s}"),
                    "CA" => assert!(s.len() == 7 && s.as_bytes()[3] == b' ', "{s}"),
                    _ => assert!(s.contains(' ') && s.len() >= 6, "{s}"),
                }
            }
            _ => assert!(pc.is_u64(), "{nat} postcode {pc}"),
        }
        let lat: f64 = l["coordinates"]["latitude"].as_str().unwrap().parse().unwrap();
        let lon: f64 = l["coordinates"]["longitude"].as_str().unwrap().parse().unwrap();
        assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        let off = l["timezone"]["offset"].as_str().unwrap();
        assert!(off == "0:00" || off.starts_with('+') || off.starts_with('-'), "{off}");
        assert!(l["timezone"]["description"].is_string());

        let email = v["email"].as_str().unwrap();
        let (local, domain) = email.split_once('@').unwrap();
        assert_eq!(domain, "example.com");
        assert!(local.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.'), "{email}");

        let lg = &v["login"];
        let uuid = lg["uuid"].as_str().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        let pw = lg["password"].as_str().unwrap();
        let salt = lg["salt"].as_str().unwrap();
        assert_eq!(salt.len(), 8);
        let ps = format!("{pw}{salt}");
        assert_eq!(lg["md5"].as_str().unwrap(), hex::encode(Md5::digest(&ps)));
        assert_eq!(lg["sha1"].as_str().unwrap(), hex::encode(Sha1::digest(&ps)));
        assert_eq!(lg["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(&ps)));
        assert!(!lg["username"].as_str().unwrap().is_empty());

        let dob = check_date(v["dob"]["date"].as_str().unwrap());
        assert!(dob >= datetime!(1944-01-01 0:00 UTC) && dob < datetime!(2007-01-01 0:00 UTC), "{dob}");
        check_age(dob, v["dob"]["age"].as_i64().unwrap());
        let reg = check_date(v["registered"]["date"].as_str().unwrap());
        assert!(reg >= datetime!(2002-01-01 0:00 UTC) && reg <= NOW, "{reg}");
        check_age(reg, v["registered"]["age"].as_i64().unwrap());

        assert!(v["phone"].as_str().unwrap().bytes().any(|b| b.is_ascii_digit()));
        assert!(v["cell"].as_str().unwrap().bytes().any(|b| b.is_ascii_digit()));

        let id = &v["id"];
        if matches!(nat, "IR" | "NZ" | "TR" | "UA") {
            assert_eq!(id["name"], "");
            assert!(id["value"].is_null());
        } else {
            assert!(!id["name"].as_str().unwrap().is_empty());
            assert!(!id["value"].as_str().unwrap().is_empty());
        }

        let folder = if gender == "male" { "men" } else { "women" };
        let large = v["picture"]["large"].as_str().unwrap();
        let n = large.strip_prefix(&format!("https://randomuser.me/api/portraits/{folder}/")).unwrap();
        assert!(n.ends_with(".jpg"));
        assert_eq!(v["picture"]["medium"], format!("https://randomuser.me/api/portraits/med/{folder}/{n}"));
        assert_eq!(v["picture"]["thumbnail"], format!("https://randomuser.me/api/portraits/thumb/{folder}/{n}"));
    }
    assert_eq!(seen_nats.len(), 21);
}

#[test]
fn deterministic() {
    assert_eq!(users("abc", None, 200), users("abc", None, 200));
    assert_ne!(users("abc", None, 200), users("abd", None, 200));
    let g = Generator::new("abc", None, NOW).unwrap();
    assert_ne!(g.page(1, 50), g.page(2, 50));
}

#[test]
fn pages_are_independent_and_generate_matches_pages() {
    let g = Generator::new("pages", None, NOW).unwrap();
    let p3 = g.page(3, 40);
    let _ = g.page(1, 40);
    let fresh = Generator::new("pages", None, NOW).unwrap();
    assert_eq!(fresh.page(3, 40), p3);
    // A shorter page is the start of the full page.
    assert_eq!(g.page(3, 15), p3[..15]);

    let mut got = Vec::new();
    let mut batches = Vec::new();
    let summary = generate(&g, 95, 40, &mut |b: Vec<Record>| {
        batches.push(b.len());
        got.extend(b.into_iter().map(|r| r.into_text().unwrap()));
        Ok(())
    })
    .unwrap();
    assert_eq!(batches, [40, 40, 15]);
    let mut want = g.page(1, 40);
    want.extend(g.page(2, 40));
    want.extend(g.page(3, 40).into_iter().take(15));
    assert_eq!(got, want);
    assert_eq!(
        summary,
        SourceSummary {
            kind: "synthetic".into(),
            seed: Some("pages".into()),
            pages: 3,
            users: 95,
            api_version: Some("1.4".into()),
            nat: None,
        }
    );
}

#[test]
fn generate_stops_on_sink_error() {
    let g = Generator::new("err", None, NOW).unwrap();
    let mut calls = 0;
    let r = generate(&g, 100, 10, &mut |_| {
        calls += 1;
        anyhow::bail!("disk full")
    });
    assert!(r.unwrap_err().to_string().contains("disk full"));
    assert_eq!(calls, 1);
}

#[test]
fn emails_unique() {
    let g = Generator::new("emails", None, NOW).unwrap();
    let mut seen = HashSet::new();
    for p in 1..=20 {
        for u in g.page(p, 1000) {
            let v: Value = serde_json::from_str(&u).unwrap();
            assert!(seen.insert(v["email"].as_str().unwrap().to_string()), "duplicate {}", v["email"]);
        }
    }
    assert_eq!(seen.len(), 20_000);
}

#[test]
fn nat_filter() {
    let nat = vec!["gb".to_string(), "Fr".to_string(), "GB".to_string()];
    let g = Generator::new("nat", Some(&nat), NOW).unwrap();
    let mut seen = HashSet::new();
    for u in g.page(1, 500) {
        let v: Value = serde_json::from_str(&u).unwrap();
        seen.insert(v["nat"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, HashSet::from(["GB".to_string(), "FR".to_string()]));
    let s = generate(&g, 1, 1, &mut |_| Ok(())).unwrap();
    assert_eq!(s.nat, Some(vec!["GB".to_string(), "FR".to_string()]));
}

#[test]
fn bad_nat_is_an_error() {
    let nat = vec!["GB".to_string(), "xx".to_string()];
    let err = Generator::new("nat", Some(&nat), NOW).err().unwrap().to_string();
    assert!(err.contains("\"XX\""), "{err}");
}

#[test]
fn spread() {
    let mut cities: HashMap<String, HashSet<String>> = HashMap::new();
    let mut nats = HashSet::new();
    let mut male = 0;
    let list = users("spread", None, 5000);
    for u in &list {
        let v: Value = serde_json::from_str(u).unwrap();
        nats.insert(v["nat"].as_str().unwrap().to_string());
        cities
            .entry(v["location"]["country"].as_str().unwrap().to_string())
            .or_default()
            .insert(v["location"]["city"].as_str().unwrap().to_string());
        male += usize::from(v["gender"] == "male");
    }
    assert_eq!(nats.len(), 21);
    assert_eq!(cities.len(), 21);
    for (country, c) in &cities {
        assert!(c.len() >= 15, "{country}: {} cities", c.len());
    }
    assert!((2300..2700).contains(&male), "{male} men of 5000");
}

#[test]
fn tables_are_complete() {
    for (n, code) in NATS.iter().zip(ALL) {
        assert_eq!(n.code, code);
        let t = NatTables::new(n);
        assert!(t.cities.len() >= 15, "{code}");
        assert!(t.male.len() >= 10 && t.female.len() >= 10 && t.last.len() >= 10, "{code}");
        for name in t.male.iter().chain(&t.female).chain(&t.last) {
            assert!(
                !name.ascii.is_empty() && name.ascii.bytes().all(|b| b.is_ascii_lowercase()),
                "{code} {}",
                name.display
            );
        }
    }
}

#[test]
fn tables_need_no_json_escaping() {
    for n in &NATS {
        for list in [n.country, n.male, n.female, n.last, n.cities, n.streets, n.id_name] {
            assert!(!needs_escape(list), "{}: {list}", n.code);
        }
    }
    for (o, d) in data::TIMEZONES {
        assert!(!needs_escape(o) && !needs_escape(d));
    }
    for w in data::ADJECTIVES.iter().chain(&data::ANIMALS).chain(&data::PASSWORDS) {
        assert!(!needs_escape(w));
    }
}

#[test]
fn age_edges() {
    let born = datetime!(2000-06-15 12:00:00 UTC);
    assert_eq!(age(born, NOW), 25);
    assert_eq!(age(datetime!(2000-06-15 12:00:01 UTC), NOW), 24);
    assert_eq!(add_years(datetime!(2000-02-29 1:00 UTC), 18), datetime!(2018-03-01 1:00 UTC));
}

/// `cargo test --release --lib -- --ignored --nocapture synthetic_speed`
///
/// Large batches cost extra page faults: the allocator hands freed batch memory back to the OS and
/// faults it in again for the next batch, so both sizes are reported.
#[test]
#[ignore]
fn synthetic_speed() {
    let g = Generator::new("speed", None, NOW).unwrap();
    for page_size in [5000, 500] {
        let start = std::time::Instant::now();
        let mut bytes = 0;
        let n = 500_000u64;
        generate(&g, n, page_size, &mut |b: Vec<Record>| {
            bytes += b.iter().map(Record::len).sum::<usize>();
            Ok(())
        })
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "page size {page_size}: {n} users in {secs:.2}s: {:.0} users/s, {:.0} MB/s",
            n as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
}

/// Prints a few users for eyeballing: `cargo test --release --lib -- --ignored --nocapture print_sample`
#[test]
#[ignore]
fn print_sample() {
    for nat in ["GB", "IR", "UA", "NL"] {
        let g = Generator::new("sample", Some(&[nat.to_string()]), NOW).unwrap();
        println!("{}", g.page(1, 1)[0]);
    }
}

#[test]
fn for_each_user_gives_exactly_the_page() {
    let g = Generator::new("each", None, NOW).unwrap();
    let mut seen = Vec::new();
    g.for_each_user(2, 300, |u| {
        seen.push(u.to_string());
        Ok::<(), ()>(())
    })
    .unwrap();
    assert_eq!(seen, g.page(2, 300));
}

-- generalized_users — k-anonymity on request (load --min-k K): the users that are written.
-- Input:  kanon_rows (kanon_rows.sql); variable min_k (INTEGER, at least 2).
-- Output: table generalized_users, with the columns of masked_users, in arrival order: no
--         suppressed row, no exact age, and a ten-year band for every row whose band holds at
--         least K rows of its place; the others in a wider band "L-H" of adjacent ten-year bands.
-- Why:    widening is decided band by band within each (gender, country, city) group, so that a
--         thin band costs a few rows their precision, never the whole group. In the group's bands
--         ordered by age, a band of at least K rows stays as it is. A run of adjacent thinner bands
--         becomes one band when together it holds K rows ("80-99"). A run smaller than that joins
--         the smaller full band beside it: it takes from that band only the rows it needs to reach
--         K, those nearest in age ("10-29" for one 19-year-old and the four youngest of 20-29),
--         and the full band keeps its ten-year label for the rest — unless that would leave it
--         below K, when the whole band joins. Every label then names at least K rows of its
--         group, and is true for each of them. Rows without an age (a run without dob) keep their
--         NULL band, which is one class (the group holds at least K rows: kanon_rows.sql).
CREATE OR REPLACE TABLE generalized_users AS
WITH kept AS (
    SELECT *, age // 10 * 10 AS lo FROM kanon_rows WHERE NOT suppressed
),
cells AS (
    -- One row per (group, ten-year band) present.
    SELECT gender, country, city, lo, count(*) AS n
    FROM kept
    WHERE lo IS NOT NULL
    GROUP BY gender, country, city, lo
),
runs AS (
    -- Full bands, and thin bands numbered by the full bands before them: a run of thin bands
    -- shares (group, solid_before).
    SELECT
        *,
        n >= getvariable('min_k') AS solid,
        count(*) FILTER (WHERE n >= getvariable('min_k')) OVER (
            PARTITION BY gender, country, city ORDER BY lo ROWS UNBOUNDED PRECEDING
        ) AS solid_before
    FROM cells
),
solids AS (
    SELECT gender, country, city, lo, n,
           row_number() OVER (PARTITION BY gender, country, city ORDER BY lo) AS solid_no
    FROM runs
    WHERE solid
),
thin_runs AS (
    SELECT gender, country, city, solid_before, min(lo) AS run_lo, max(lo) AS run_hi, sum(n) AS run_n
    FROM runs
    WHERE NOT solid
    GROUP BY gender, country, city, solid_before
),
joins AS (
    -- A run too small on its own joins the smaller full band beside it (the earlier one on a tie):
    -- the one before it is number solid_before, the one after it number solid_before + 1.
    -- `from_below`: the run lies below the band it joins.
    SELECT
        t.*,
        CASE WHEN after.lo IS NULL OR (before.lo IS NOT NULL AND before.n <= after.n) THEN before.lo
             ELSE after.lo END                                                          AS join_lo,
        NOT (after.lo IS NULL OR (before.lo IS NOT NULL AND before.n <= after.n))        AS from_below
    FROM thin_runs AS t
    LEFT JOIN solids AS before
        ON before.gender IS NOT DISTINCT FROM t.gender AND before.country IS NOT DISTINCT FROM t.country
       AND before.city IS NOT DISTINCT FROM t.city AND before.solid_no = t.solid_before
    LEFT JOIN solids AS after
        ON after.gender IS NOT DISTINCT FROM t.gender AND after.country IS NOT DISTINCT FROM t.country
       AND after.city IS NOT DISTINCT FROM t.city AND after.solid_no = t.solid_before + 1
    WHERE t.run_n < getvariable('min_k')
),
donors AS (
    -- Per full band that runs join: the rows each side needs, the runs' extent, and whether the
    -- band can give them and still hold K rows.
    SELECT
        s.gender, s.country, s.city, s.lo, s.n,
        coalesce(max(getvariable('min_k') - j.run_n) FILTER (WHERE j.from_below), 0)     AS need_below,
        coalesce(max(getvariable('min_k') - j.run_n) FILTER (WHERE NOT j.from_below), 0) AS need_above,
        min(j.run_lo) AS span_lo,
        max(j.run_hi) AS span_hi
    FROM solids AS s
    JOIN joins AS j
        ON j.gender IS NOT DISTINCT FROM s.gender AND j.country IS NOT DISTINCT FROM s.country
       AND j.city IS NOT DISTINCT FROM s.city AND j.join_lo = s.lo
    GROUP BY s.gender, s.country, s.city, s.lo, s.n
),
ranked AS (
    SELECT
        k.*,
        r.solid,
        r.solid_before,
        row_number() OVER (PARTITION BY k.gender, k.country, k.city, k.lo ORDER BY k.age, k.pos)           AS young,
        row_number() OVER (PARTITION BY k.gender, k.country, k.city, k.lo ORDER BY k.age DESC, k.pos DESC) AS old
    FROM kept AS k
    LEFT JOIN runs AS r
        ON r.gender IS NOT DISTINCT FROM k.gender AND r.country IS NOT DISTINCT FROM k.country
       AND r.city IS NOT DISTINCT FROM k.city AND r.lo = k.lo
),
labelled AS (
    SELECT
        x.*,
        CASE
            WHEN x.lo IS NULL THEN NULL
            -- A full band that gives rows: the whole band when it cannot spare them.
            WHEN x.solid AND d.lo IS NOT NULL AND d.n - d.need_below - d.need_above < getvariable('min_k')
                THEN [least(x.lo, d.span_lo), greatest(x.lo, d.span_hi)]
            WHEN x.solid AND x.young <= d.need_below THEN [d_below.run_lo, x.lo]
            WHEN x.solid AND x.old <= d.need_above THEN [x.lo, d_above.run_hi]
            WHEN x.solid THEN [x.lo, x.lo]
            -- A thin band: its run on its own, or with the band it joined.
            WHEN j.join_lo IS NULL THEN [t.run_lo, t.run_hi]
            WHEN jd.n - jd.need_below - jd.need_above < getvariable('min_k')
                THEN [least(j.join_lo, jd.span_lo), greatest(j.join_lo, jd.span_hi)]
            WHEN j.from_below THEN [j.run_lo, j.join_lo]
            ELSE [j.join_lo, j.run_hi]
        END AS span
    FROM ranked AS x
    LEFT JOIN donors AS d
        ON d.gender IS NOT DISTINCT FROM x.gender AND d.country IS NOT DISTINCT FROM x.country
       AND d.city IS NOT DISTINCT FROM x.city AND d.lo = x.lo
    LEFT JOIN joins AS d_below
        ON d_below.gender IS NOT DISTINCT FROM x.gender AND d_below.country IS NOT DISTINCT FROM x.country
       AND d_below.city IS NOT DISTINCT FROM x.city AND d_below.join_lo = x.lo AND d_below.from_below
    LEFT JOIN joins AS d_above
        ON d_above.gender IS NOT DISTINCT FROM x.gender AND d_above.country IS NOT DISTINCT FROM x.country
       AND d_above.city IS NOT DISTINCT FROM x.city AND d_above.join_lo = x.lo AND NOT d_above.from_below
    LEFT JOIN thin_runs AS t
        ON NOT x.solid AND t.gender IS NOT DISTINCT FROM x.gender AND t.country IS NOT DISTINCT FROM x.country
       AND t.city IS NOT DISTINCT FROM x.city AND t.solid_before = x.solid_before
    LEFT JOIN joins AS j
        ON NOT x.solid AND j.gender IS NOT DISTINCT FROM x.gender AND j.country IS NOT DISTINCT FROM x.country
       AND j.city IS NOT DISTINCT FROM x.city AND j.solid_before = x.solid_before
    LEFT JOIN donors AS jd
        ON jd.gender IS NOT DISTINCT FROM x.gender AND jd.country IS NOT DISTINCT FROM x.country
       AND jd.city IS NOT DISTINCT FROM x.city AND jd.lo = j.join_lo
)
SELECT
    user_id,
    email_pseudonym,
    gender,
    CAST(NULL AS INTEGER) AS age,
    CASE
        WHEN lo IS NULL THEN age_band
        ELSE CAST(span[1] AS VARCHAR) || '-' || CAST(span[2] + 9 AS VARCHAR)
    END AS age_band,
    registered_date,
    country,
    city,
    nat,
    run_id,
    loaded_at
FROM labelled
ORDER BY pos;
